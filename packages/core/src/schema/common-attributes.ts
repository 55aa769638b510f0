import { attribute, complex } from "./define-schema";

/**
 * The common attributes of every resource (RFC 7643 §3.1). They belong to no
 * schema's attribute list (so `/Schemas` does not serve them) yet resolve in
 * filters, `sortBy`, projection and validation as attributes of the core schema.
 * `id` and `meta` are read-only: the server issues them and ignores them on input.
 */
export const COMMON_ATTRIBUTES = [
  attribute("id", "string", {
    description:
      "A unique identifier for a SCIM resource as defined by the service provider. Issued by the service provider, never reassigned.",
    required: true,
    caseExact: true,
    mutability: "readOnly",
    returned: "always",
    uniqueness: "server",
  }),
  attribute("externalId", "string", {
    description:
      "A String that is an identifier for the resource as defined by the provisioning client.",
    caseExact: true,
  }),
  complex(
    "meta",
    [
      attribute("resourceType", "string", {
        description: "The name of the resource type of the resource.",
        caseExact: true,
        mutability: "readOnly",
      }),
      attribute("created", "dateTime", {
        description: 'The "DateTime" that the resource was added to the service provider.',
        mutability: "readOnly",
      }),
      attribute("lastModified", "dateTime", {
        description: "The most recent DateTime that the details of this resource were updated.",
        mutability: "readOnly",
      }),
      attribute("location", "reference", {
        description: "The URI of the resource being returned.",
        caseExact: true,
        mutability: "readOnly",
        referenceTypes: ["uri"],
      }),
      attribute("version", "string", {
        description: "The version of the resource being returned (its entity tag).",
        caseExact: true,
        mutability: "readOnly",
      }),
    ],
    { description: "A complex attribute containing resource metadata.", mutability: "readOnly" },
  ),
] as const;

/**
 * `schemas` (RFC 7643 §3): the URNs a resource carries. It is not an attribute
 * of any schema and validation builds it itself, but filters and `sortBy` may
 * name it (RFC 7644 §3.4.2.2 filters on `schemas eq "urn:..."`). URNs compare
 * case-insensitively (RFC 8141 §3.1 for the namespace, and RFC 7643 §2.1 treats
 * schema URIs in paths so), and the service owns it, hence readOnly.
 */
export const SCHEMAS_ATTRIBUTE = attribute("schemas", "reference", {
  description: "The schema URIs of the resource's core schema and extensions.",
  multiValued: true,
  required: true,
  mutability: "readOnly",
  returned: "always",
  referenceTypes: ["uri"],
});
