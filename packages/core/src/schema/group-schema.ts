import { attribute, complex, defineSchema } from "./define-schema";
import { GROUP_SCHEMA } from "./urns";

/**
 * The Group schema of RFC 7643 §4.2 as served by `/Schemas` (§8.7.1), with
 * erratum 5368 applied (`displayName` required). `members.display` is not in the
 * §8.7.1 listing but IdPs (Entra, Okta) send it, so it is declared and kept.
 */
export const groupSchema = defineSchema({
  id: GROUP_SCHEMA,
  name: "Group",
  description: "Group",
  attributes: [
    attribute("displayName", "string", {
      description: "A human-readable name for the Group. REQUIRED.",
      required: true,
    }),
    complex(
      "members",
      [
        attribute("value", "string", {
          description: "Identifier of the member of this Group.",
          mutability: "immutable",
        }),
        attribute("$ref", "reference", {
          description: "The URI corresponding to a SCIM resource that is a member of this Group.",
          mutability: "immutable",
          referenceTypes: ["User", "Group"],
        }),
        attribute("display", "string", {
          description: "A human-readable name for the member, primarily used for display purposes.",
          mutability: "immutable",
        }),
        attribute("type", "string", {
          description: "A label indicating the type of resource, e.g., 'User' or 'Group'.",
          mutability: "immutable",
          canonicalValues: ["User", "Group"],
        }),
      ],
      { description: "A list of members of the Group.", multiValued: true },
    ),
  ],
} as const);
