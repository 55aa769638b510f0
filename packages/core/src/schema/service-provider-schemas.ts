import { attribute, complex, defineSchema } from "./define-schema";
import {
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SCIMKIT_LIMITS_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
} from "./urns";

/**
 * The discovery schemas of RFC 7643 §8.7.2 (ServiceProviderConfig,
 * ResourceType, Schema). Every attribute is read-only: clients only read these
 * resources. They are not resource schemas, so the registry does not hold them;
 * the service serves them on `/Schemas` beside the resource schemas, as
 * schema-driven clients expect.
 */

const supportedFlag = (description: string) =>
  attribute("supported", "boolean", { description, required: true, mutability: "readOnly" });

const readOnlyFeature = (name: string, description: string) =>
  complex(
    name,
    [supportedFlag(`A Boolean value specifying whether ${description} is supported.`)],
    {
      description: `A complex type that specifies ${description} configuration options.`,
      required: true,
      mutability: "readOnly",
    },
  );

export const serviceProviderConfigSchema = defineSchema({
  id: SERVICE_PROVIDER_CONFIG_SCHEMA,
  name: "Service Provider Configuration",
  description: "Schema for representing the service provider's configuration",
  attributes: [
    attribute("documentationUri", "reference", {
      description:
        "An HTTP-addressable URL pointing to the service provider's human-consumable help documentation.",
      mutability: "readOnly",
      referenceTypes: ["external"],
    }),
    readOnlyFeature("patch", "the PATCH operation"),
    complex(
      "bulk",
      [
        supportedFlag("A Boolean value specifying whether the bulk operation is supported."),
        attribute("maxOperations", "integer", {
          description: "An integer value specifying the maximum number of operations.",
          required: true,
          mutability: "readOnly",
        }),
        attribute("maxPayloadSize", "integer", {
          description: "An integer value specifying the maximum payload size in bytes.",
          required: true,
          mutability: "readOnly",
        }),
      ],
      {
        description: "A complex type that specifies bulk configuration options.",
        required: true,
        mutability: "readOnly",
      },
    ),
    complex(
      "filter",
      [
        supportedFlag("A Boolean value specifying whether filtering is supported."),
        attribute("maxResults", "integer", {
          description:
            "An integer value specifying the maximum number of resources returned in a response.",
          required: true,
          mutability: "readOnly",
        }),
      ],
      {
        description: "A complex type that specifies filter options.",
        required: true,
        mutability: "readOnly",
      },
    ),
    readOnlyFeature("changePassword", "changing a password"),
    readOnlyFeature("sort", "sorting"),
    readOnlyFeature("etag", "ETag"),
    complex(
      "pagination",
      [
        attribute("cursor", "boolean", {
          description: "Whether cursor-based pagination is supported (RFC 9865).",
          mutability: "readOnly",
        }),
        attribute("index", "boolean", {
          description: "Whether index-based pagination is supported.",
          mutability: "readOnly",
        }),
        attribute("defaultPaginationMethod", "string", {
          description: "The pagination method used when a client names none.",
          mutability: "readOnly",
          canonicalValues: ["cursor", "index"],
        }),
        attribute("defaultPageSize", "integer", {
          description: "The page size used when a client gives no count.",
          mutability: "readOnly",
        }),
        attribute("maxPageSize", "integer", {
          description: "The largest page size the service provider returns.",
          mutability: "readOnly",
        }),
        attribute("cursorTimeout", "integer", {
          description: "Seconds a cursor stays valid.",
          mutability: "readOnly",
        }),
      ],
      {
        description: "Pagination options (RFC 9865 §4).",
        mutability: "readOnly",
      },
    ),
    complex(
      "authenticationSchemes",
      [
        attribute("type", "string", {
          description: "The authentication scheme.",
          required: true,
          mutability: "readOnly",
          canonicalValues: ["oauth", "oauth2", "oauthbearertoken", "httpbasic", "httpdigest"],
        }),
        attribute("name", "string", {
          description: "The common authentication scheme name, e.g., HTTP Basic.",
          required: true,
          mutability: "readOnly",
        }),
        attribute("description", "string", {
          description: "A description of the authentication scheme.",
          required: true,
          mutability: "readOnly",
        }),
        attribute("specUri", "reference", {
          description:
            "An HTTP-addressable URL pointing to the authentication scheme's specification.",
          mutability: "readOnly",
          referenceTypes: ["external"],
        }),
        attribute("documentationUri", "reference", {
          description:
            "An HTTP-addressable URL pointing to the authentication scheme's usage documentation.",
          mutability: "readOnly",
          referenceTypes: ["external"],
        }),
        attribute("primary", "boolean", {
          description: "Whether this is the preferred authentication scheme.",
          mutability: "readOnly",
        }),
      ],
      {
        description: "A complex type that specifies supported authentication scheme properties.",
        multiValued: true,
        required: true,
        mutability: "readOnly",
      },
    ),
  ],
} as const);

export const resourceTypeSchema = defineSchema({
  id: RESOURCE_TYPE_SCHEMA,
  name: "ResourceType",
  description: "Specifies the schema that describes a SCIM resource type",
  attributes: [
    attribute("id", "string", {
      description: "The resource type's server unique id. May be the same as the 'name' attribute.",
      mutability: "readOnly",
    }),
    attribute("name", "string", {
      description: "The resource type name, e.g., 'User'.",
      required: true,
      mutability: "readOnly",
    }),
    attribute("description", "string", {
      description: "The resource type's human-readable description.",
      mutability: "readOnly",
    }),
    attribute("endpoint", "reference", {
      description:
        "The resource type's HTTP-addressable endpoint relative to the Base URL, e.g., '/Users'.",
      required: true,
      mutability: "readOnly",
      referenceTypes: ["uri"],
    }),
    attribute("schema", "reference", {
      description: "The resource type's primary/base schema URI.",
      required: true,
      caseExact: true,
      mutability: "readOnly",
      referenceTypes: ["uri"],
    }),
    complex(
      "schemaExtensions",
      [
        attribute("schema", "reference", {
          description: "The URI of a schema extension.",
          required: true,
          caseExact: true,
          mutability: "readOnly",
          referenceTypes: ["uri"],
        }),
        attribute("required", "boolean", {
          description:
            "A Boolean value that specifies whether or not the schema extension is required for the resource type.",
          required: true,
          mutability: "readOnly",
        }),
      ],
      {
        description: "A list of URIs of the resource type's schema extensions.",
        multiValued: true,
        mutability: "readOnly",
      },
    ),
  ],
} as const);

const attributeCharacteristics = () =>
  [
    attribute("name", "string", {
      description: "The attribute's name.",
      required: true,
      caseExact: true,
      mutability: "readOnly",
    }),
    attribute("type", "string", {
      description: "The attribute's data type.",
      required: true,
      mutability: "readOnly",
      canonicalValues: [
        "string",
        "complex",
        "boolean",
        "decimal",
        "integer",
        "dateTime",
        "reference",
        "binary",
      ],
    }),
    attribute("multiValued", "boolean", {
      description: "A Boolean value indicating an attribute's plurality.",
      required: true,
      mutability: "readOnly",
    }),
    attribute("description", "string", {
      description: "A human-readable description of the attribute.",
      caseExact: true,
      mutability: "readOnly",
    }),
    attribute("required", "boolean", {
      description: "A boolean value indicating whether or not the attribute is required.",
      mutability: "readOnly",
    }),
    attribute("canonicalValues", "string", {
      description: "A collection of canonical values.",
      multiValued: true,
      caseExact: true,
      mutability: "readOnly",
    }),
    attribute("caseExact", "boolean", {
      description:
        "A Boolean value indicating whether or not a string attribute is case sensitive.",
      mutability: "readOnly",
    }),
    attribute("mutability", "string", {
      description: "Indicates whether or not an attribute is modifiable.",
      mutability: "readOnly",
      canonicalValues: ["readOnly", "readWrite", "immutable", "writeOnly"],
    }),
    attribute("returned", "string", {
      description: "Indicates when an attribute is returned in a response.",
      mutability: "readOnly",
      canonicalValues: ["always", "never", "default", "request"],
    }),
    attribute("uniqueness", "string", {
      description: "Indicates how unique a value must be.",
      mutability: "readOnly",
      canonicalValues: ["none", "server", "global"],
    }),
    attribute("referenceTypes", "string", {
      description:
        "Used only with an attribute of type 'reference'. The resource types it may reference.",
      multiValued: true,
      caseExact: true,
      mutability: "readOnly",
    }),
  ] as const;

export const schemaSchema = defineSchema({
  id: SCHEMA_SCHEMA,
  name: "Schema",
  description: "Specifies the schema attribute",
  attributes: [
    attribute("id", "string", {
      description: "The unique URI of the schema.",
      required: true,
      caseExact: true,
      mutability: "readOnly",
    }),
    attribute("name", "string", {
      description: "The schema's human-readable name.",
      mutability: "readOnly",
    }),
    attribute("description", "string", {
      description: "The schema's human-readable description.",
      mutability: "readOnly",
    }),
    complex(
      "attributes",
      [
        ...attributeCharacteristics(),
        complex("subAttributes", attributeCharacteristics(), {
          description: "Used to define the sub-attributes of a complex attribute.",
          multiValued: true,
          mutability: "readOnly",
        }),
      ],
      {
        description: "A complex attribute that includes the attributes of a schema.",
        multiValued: true,
        required: true,
        mutability: "readOnly",
      },
    ),
  ],
} as const);

const limit = (name: string, description: string) =>
  attribute(name, "integer", { description, mutability: "readOnly" });

/** scimkit's limits RFC 7643 §5 has no attribute for, as an extension of the configuration. */
export const scimkitLimitsSchema = defineSchema({
  id: SCIMKIT_LIMITS_SCHEMA,
  name: "scimkit limits",
  description: "Input limits of this service provider beyond those RFC 7643 defines.",
  attributes: [
    limit("patchMaxOperations", "Operations accepted in one PATCH request (400 tooMany beyond)."),
    limit("filterMaxLength", "Characters accepted in one filter (400 invalidFilter beyond)."),
    limit("filterMaxDepth", "Nesting depth accepted in one filter (400 invalidFilter beyond)."),
  ],
});

/** The schemas of the discovery resources, served on `/Schemas` with the resource schemas. */
export const DISCOVERY_SCHEMAS = [
  serviceProviderConfigSchema,
  resourceTypeSchema,
  schemaSchema,
  scimkitLimitsSchema,
] as const;
