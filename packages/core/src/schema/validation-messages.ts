import type { AttributeDefinition } from "./types";

/** Largest accepted string value, in UTF-8 bytes (64 KiB). */
export const MAX_VALUE_BYTES = 65_536;
/** Most values a multi-valued attribute may carry in one request. */
export const MAX_MULTI_VALUES = 100_000;

const TYPE_WORDING: Record<AttributeDefinition["type"], string> = {
  string: "a string",
  boolean: 'a boolean (true or false, or the strings "true"/"false")',
  decimal: "a decimal number",
  integer: "an integer",
  dateTime: "an xsd:dateTime string such as 2024-01-31T12:00:00Z",
  reference: "a reference (a URI string)",
  binary: "a base64 string",
  complex: "an object",
};

const quote = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}..."` : text;
};

/**
 * The wording of every validation failure, in one place. Each entry completes
 * the sentence `Attribute "<path>" ...`; `code` is the machine-readable code
 * carried on the ScimError.
 */
export const VALIDATION_MESSAGES = {
  required: { code: "schema.required", message: () => "is required." },
  invalidType: {
    code: "schema.invalid_type",
    message: (definition: AttributeDefinition) => `must be ${TYPE_WORDING[definition.type]}.`,
  },
  notMultiValued: {
    code: "schema.invalid_type",
    message: () => "is multi-valued and must be an array.",
  },
  notWhole: { code: "schema.invalid_type", message: () => "must be a whole number." },
  empty: { code: "schema.empty", message: () => "must not be empty." },
  tooLong: {
    code: "schema.too_long",
    message: () => `is longer than the limit of ${MAX_VALUE_BYTES} bytes.`,
  },
  tooMany: {
    code: "schema.too_many_values",
    message: () => `has more than the limit of ${MAX_MULTI_VALUES} values.`,
  },
  canonicalValue: {
    code: "schema.canonical_value",
    message: (value: unknown, allowed: readonly string[]) =>
      `has the value ${quote(value)}, which is not one of ${allowed.map(quote).join(", ")}.`,
  },
  primary: {
    code: "schema.primary",
    message: () => 'has more than one value with "primary": true.',
  },
  unknownAttribute: {
    code: "schema.unknown_attribute",
    message: () => "is not an attribute of this resource type.",
  },
  schemasInvalid: {
    code: "schema.schemas",
    message: () => "must be an array of schema URN strings.",
  },
  schemasMissing: {
    code: "schema.schemas",
    message: (urn: string) => `must list the core schema ${urn}.`,
  },
  schemasUnknown: {
    code: "schema.unknown_schema",
    message: (urn: string) => `lists ${quote(urn)}, which is not a schema of this resource type.`,
  },
  extensionNotListed: {
    code: "schema.schemas",
    message: () => 'carries data but is not listed in "schemas".',
  },
} as const;
