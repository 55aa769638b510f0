import type { SchemaDefinition } from "./types";

const ATTRIBUTE_TYPES = new Set([
  "string",
  "boolean",
  "decimal",
  "integer",
  "dateTime",
  "reference",
  "binary",
  "complex",
]);
const MUTABILITIES = new Set(["readOnly", "readWrite", "immutable", "writeOnly"]);
const RETURNED = new Set(["always", "never", "default", "request"]);
const UNIQUENESS = new Set(["none", "server", "global"]);
// RFC 7643 §2.1 ATTRNAME = ALPHA *(nameChar), plus the `$ref` sub-attribute name.
const ATTRIBUTE_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isStringArray = (value: unknown): value is readonly string[] =>
  Array.isArray(value) && value.every((entry) => typeof entry === "string");

function checkAttributes(attributes: unknown, where: string, depth: number): void {
  if (!Array.isArray(attributes)) throw new TypeError(`${where}: attributes must be an array.`);
  const seen = new Set<string>();
  for (const [index, attribute] of attributes.entries()) {
    if (!isObject(attribute))
      throw new TypeError(`${where}: attribute #${index} is not an object.`);
    const name = attribute.name;
    if (typeof name !== "string" || !ATTRIBUTE_NAME.test(name))
      throw new TypeError(
        `${where}: attribute #${index} has an invalid name ${JSON.stringify(name)}.`,
      );
    const at = `${where}: attribute "${name}"`;
    if (seen.has(name.toLowerCase()))
      throw new TypeError(`${at} is declared twice (names are case-insensitive).`);
    seen.add(name.toLowerCase());
    checkCharacteristics(attribute, at);
    if (attribute.type === "complex") {
      if (depth > 0)
        throw new TypeError(`${at}: a sub-attribute cannot be complex (RFC 7643 §2.3.8).`);
      if (!Array.isArray(attribute.subAttributes) || attribute.subAttributes.length === 0)
        throw new TypeError(`${at}: a complex attribute needs subAttributes.`);
      checkAttributes(attribute.subAttributes, `${where}: "${name}"`, depth + 1);
    } else if (attribute.subAttributes !== undefined) {
      throw new TypeError(`${at}: only complex attributes have subAttributes.`);
    }
  }
}

function checkCharacteristics(attribute: Record<string, unknown>, at: string): void {
  const oneOf = (key: string, allowed: Set<string>) => {
    const value = attribute[key];
    if (typeof value !== "string" || !allowed.has(value))
      throw new TypeError(`${at}: ${key} must be one of ${[...allowed].join(", ")}.`);
  };
  oneOf("type", ATTRIBUTE_TYPES);
  oneOf("mutability", MUTABILITIES);
  oneOf("returned", RETURNED);
  oneOf("uniqueness", UNIQUENESS);
  for (const key of ["multiValued", "required", "caseExact"]) {
    if (typeof attribute[key] !== "boolean")
      throw new TypeError(`${at}: ${key} must be a boolean.`);
  }
  if (attribute.description !== undefined && typeof attribute.description !== "string")
    throw new TypeError(`${at}: description must be a string.`);
  if (attribute.canonicalValues !== undefined && !isStringArray(attribute.canonicalValues))
    throw new TypeError(`${at}: canonicalValues must be an array of strings.`);
  if (attribute.type === "reference") {
    if (!isStringArray(attribute.referenceTypes) || attribute.referenceTypes.length === 0)
      throw new TypeError(`${at}: a reference attribute needs referenceTypes.`);
  } else if (attribute.referenceTypes !== undefined) {
    throw new TypeError(`${at}: only reference attributes have referenceTypes.`);
  }
}

/**
 * Checks a schema definition supplied at runtime (user extensions, custom
 * resource types) and throws a `TypeError` naming the offending attribute.
 * Used when `createSchemaRegistry` runs, never per request.
 */
export function assertSchemaDefinition(schema: unknown): asserts schema is SchemaDefinition {
  if (!isObject(schema)) throw new TypeError("Schema definition must be an object.");
  const id = schema.id;
  if (typeof id !== "string" || !/^[^\s:]+:\S+$/.test(id))
    throw new TypeError(`Schema id must be a URI such as a URN, found ${JSON.stringify(id)}.`);
  if (typeof schema.name !== "string") throw new TypeError(`Schema ${id}: name must be a string.`);
  if (schema.description !== undefined && typeof schema.description !== "string")
    throw new TypeError(`Schema ${id}: description must be a string.`);
  checkAttributes(schema.attributes, `Schema ${id}`, 0);
}

/** Attribute names every resource already has (RFC 7643 §3, §3.1); schemas may not redeclare them. */
export const RESERVED_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  "schemas",
  "id",
  "externalid",
  "meta",
]);
