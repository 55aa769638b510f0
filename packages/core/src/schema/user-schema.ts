import { attribute, complex, defineSchema } from "./define-schema";
import type { AttributeType } from "./types";
import { USER_SCHEMA } from "./urns";

/** The `value`/`display`/`type`/`primary` shape RFC 7643 §2.4 gives multi-valued attributes. */
const multiValuedParts = <const T extends Exclude<AttributeType, "complex">>(
  valueType: T,
  valueDescription: string,
  canonicalValues?: readonly string[],
) =>
  [
    attribute("value", valueType, { description: valueDescription }),
    attribute("display", "string", {
      description: "A human-readable name, primarily used for display purposes.",
    }),
    attribute("type", "string", {
      description: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
      ...(canonicalValues === undefined ? {} : { canonicalValues }),
    }),
    attribute("primary", "boolean", {
      description:
        "A Boolean value indicating the 'primary' or preferred value of this attribute. The primary attribute value 'true' MUST appear no more than once.",
    }),
  ] as const;

/**
 * The User schema of RFC 7643 §4.1 as served by `/Schemas` (§8.7.1), with the
 * errata applied. `addresses` also carries `primary`, which §4.1.2 defines but
 * the §8.7.1 listing leaves out.
 */
export const userSchema = defineSchema({
  id: USER_SCHEMA,
  name: "User",
  description: "User Account",
  attributes: [
    attribute("userName", "string", {
      description:
        "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value. REQUIRED.",
      required: true,
      uniqueness: "server",
    }),
    complex(
      "name",
      [
        attribute("formatted", "string", {
          description:
            "The full name, including all middle names, titles, and suffixes as appropriate.",
        }),
        attribute("familyName", "string", {
          description: "The family name of the User, or last name in most Western languages.",
        }),
        attribute("givenName", "string", {
          description: "The given name of the User, or first name in most Western languages.",
        }),
        attribute("middleName", "string", { description: "The middle name(s) of the User." }),
        attribute("honorificPrefix", "string", {
          description: "The honorific prefix(es) of the User, or title (e.g., 'Ms.').",
        }),
        attribute("honorificSuffix", "string", {
          description: "The honorific suffix(es) of the User, or suffix (e.g., 'III').",
        }),
      ],
      { description: "The components of the user's real name." },
    ),
    attribute("displayName", "string", {
      description: "The name of the User, suitable for display to end-users.",
    }),
    attribute("nickName", "string", {
      description: "The casual way to address the user in real life, e.g., 'Bob' for 'Robert'.",
    }),
    attribute("profileUrl", "reference", {
      description:
        "A fully qualified URL pointing to a page representing the User's online profile.",
      referenceTypes: ["external"],
    }),
    attribute("title", "string", { description: 'The user\'s title, such as "Vice President."' }),
    attribute("userType", "string", {
      description:
        "Used to identify the relationship between the organization and the user, e.g., 'Contractor', 'Employee'.",
    }),
    attribute("preferredLanguage", "string", {
      description: "Indicates the User's preferred written or spoken language, e.g., 'en-US'.",
    }),
    attribute("locale", "string", {
      description: "The User's default location for localizing currency, dates and numbers.",
    }),
    attribute("timezone", "string", {
      description: "The User's time zone in the 'Olson' format, e.g., 'America/Los_Angeles'.",
    }),
    attribute("active", "boolean", {
      description: "A Boolean value indicating the User's administrative status.",
    }),
    attribute("password", "string", {
      description:
        "The User's cleartext password, to set an initial password or reset it. Never returned.",
      mutability: "writeOnly",
      returned: "never",
    }),
    complex(
      "emails",
      multiValuedParts("string", "Email address for the User.", ["work", "home", "other"]),
      { description: "Email addresses for the user.", multiValued: true },
    ),
    complex(
      "phoneNumbers",
      multiValuedParts("string", "Phone number of the User.", [
        "work",
        "home",
        "mobile",
        "fax",
        "pager",
        "other",
      ]),
      { description: "Phone numbers for the User.", multiValued: true },
    ),
    complex(
      "ims",
      multiValuedParts("string", "Instant messaging address for the User.", [
        "aim",
        "gtalk",
        "icq",
        "xmpp",
        "msn",
        "skype",
        "qq",
        "yahoo",
      ]),
      { description: "Instant messaging addresses for the User.", multiValued: true },
    ),
    complex(
      "photos",
      multiValuedParts("reference", "URL of a photo of the User.", ["photo", "thumbnail"]),
      { description: "URLs of photos of the User.", multiValued: true },
    ),
    complex(
      "addresses",
      [
        attribute("formatted", "string", {
          description:
            "The full mailing address, formatted for display or use with a mailing label.",
        }),
        attribute("streetAddress", "string", {
          description: "The full street address component.",
        }),
        attribute("locality", "string", { description: "The city or locality component." }),
        attribute("region", "string", { description: "The state or region component." }),
        attribute("postalCode", "string", {
          description: "The zip code or postal code component.",
        }),
        attribute("country", "string", { description: "The country name component." }),
        attribute("type", "string", {
          description: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
          canonicalValues: ["work", "home", "other"],
        }),
        attribute("primary", "boolean", {
          description:
            "A Boolean value indicating the preferred mailing address. The value 'true' MUST appear no more than once.",
        }),
      ],
      { description: "A physical mailing address for this User.", multiValued: true },
    ),
    complex(
      "groups",
      [
        attribute("value", "string", {
          description: "The identifier of the User's group.",
          mutability: "readOnly",
        }),
        attribute("$ref", "reference", {
          description: "The URI of the corresponding 'Group' resource to which the user belongs.",
          mutability: "readOnly",
          referenceTypes: ["User", "Group"],
        }),
        attribute("display", "string", {
          description: "A human-readable name, primarily used for display purposes.",
          mutability: "readOnly",
        }),
        attribute("type", "string", {
          description: "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.",
          mutability: "readOnly",
          canonicalValues: ["direct", "indirect"],
        }),
      ],
      {
        description:
          "A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.",
        multiValued: true,
        mutability: "readOnly",
      },
    ),
    complex("entitlements", multiValuedParts("string", "The value of an entitlement."), {
      description: "A list of entitlements for the User that represent a thing the User has.",
      multiValued: true,
    }),
    complex("roles", multiValuedParts("string", "The value of a role."), {
      description:
        "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.",
      multiValued: true,
    }),
    complex(
      "x509Certificates",
      multiValuedParts("binary", "The value of an X.509 certificate (base64)."),
      { description: "A list of certificates issued to the User.", multiValued: true },
    ),
  ],
} as const);
