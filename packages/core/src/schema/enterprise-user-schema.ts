import { attribute, complex, defineSchema } from "./define-schema";
import { ENTERPRISE_USER_SCHEMA } from "./urns";

/**
 * The Enterprise User extension of RFC 7643 §4.3 as served by `/Schemas`
 * (§8.7.1). `manager.value` is a resource id, so it is case-exact (errata).
 */
export const enterpriseUserSchema = defineSchema({
  id: ENTERPRISE_USER_SCHEMA,
  name: "EnterpriseUser",
  description: "Enterprise User",
  attributes: [
    attribute("employeeNumber", "string", {
      description:
        "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.",
    }),
    attribute("costCenter", "string", { description: "Identifies the name of a cost center." }),
    attribute("organization", "string", { description: "Identifies the name of an organization." }),
    attribute("division", "string", { description: "Identifies the name of a division." }),
    attribute("department", "string", { description: "Identifies the name of a department." }),
    complex(
      "manager",
      [
        attribute("value", "string", {
          description: 'The "id" of the SCIM resource representing the User\'s manager.',
          caseExact: true,
        }),
        attribute("$ref", "reference", {
          description: "The URI of the SCIM resource representing the User's manager.",
          referenceTypes: ["User"],
        }),
        attribute("displayName", "string", {
          description: "The displayName of the User's manager.",
          mutability: "readOnly",
        }),
      ],
      {
        description:
          "The User's manager. A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.",
      },
    ),
  ],
} as const);
