import { ok, type Result } from "../errors";
import { parseDateTime } from "../filter/date-time";
import { findAttribute } from "../schema/resolve-path";
import type { AttributeDefinition } from "../schema/types";
import { isObject } from "./json-value";
import { patchError } from "./messages";

/** Where a value is being coerced, for error messages and the strictness switch. */
export interface CoerceContext {
  readonly strict: boolean;
  /** The operation, e.g. `Operations[2]`. */
  readonly where: string;
}

/** Longest string value accepted in a PATCH value (same bound as POST/PUT validation). */
const MAX_STRING_LENGTH = 65_536;

const BOOLEAN_STRINGS: Readonly<Record<string, boolean>> = { true: true, false: false };

/**
 * Coerces one value of `definition` as if it were single-valued: a complex value
 * becomes an object with canonical sub-attribute names. Sub-attributes set to `null`
 * stay `null` (callers read that as "unassign"); read-only sub-attributes are dropped
 * (RFC 7644 §3.5.1 ignores them on input).
 *
 * Leniencies (all modes): `"True"`/`"false"` for booleans (Entra, OneLogin); a bare
 * string for a complex attribute with a `value` sub-attribute becomes `{value}`
 * (Entra's `manager`, row 7). Lenient only: numeric strings for numbers, a complex
 * value sent as a JSON string (row 21), and unknown sub-attributes (dropped; strict: 400).
 */
export function coerceSingle(
  definition: AttributeDefinition,
  value: unknown,
  path: string,
  context: CoerceContext,
): Result<unknown> {
  const invalid = (expected: string) => ({
    ok: false as const,
    error: patchError("invalidValue", "patch.invalid_value", context.where, path, expected),
  });
  switch (definition.type) {
    case "string":
    case "reference":
    case "binary":
      if (typeof value !== "string" || value.length > MAX_STRING_LENGTH) {
        return invalid(`a string of at most ${MAX_STRING_LENGTH} characters`);
      }
      return ok(value);
    case "boolean": {
      if (typeof value === "boolean") return ok(value);
      const parsed = typeof value === "string" ? BOOLEAN_STRINGS[value.toLowerCase()] : undefined;
      return parsed === undefined ? invalid("a boolean") : ok(parsed);
    }
    case "integer":
    case "decimal": {
      let number = typeof value === "number" ? value : Number.NaN;
      if (!context.strict && typeof value === "string" && value.trim() !== "") {
        number = Number(value);
      }
      if (
        !Number.isFinite(number) ||
        (definition.type === "integer" && !Number.isInteger(number))
      ) {
        return invalid(definition.type === "integer" ? "an integer" : "a number");
      }
      return ok(number);
    }
    case "dateTime":
      if (typeof value !== "string" || parseDateTime(value) === undefined) {
        return invalid("an xsd:dateTime string");
      }
      return ok(value);
    case "complex":
      return coerceComplex(definition, value, path, context);
  }
}

function coerceComplex(
  definition: AttributeDefinition,
  value: unknown,
  path: string,
  context: CoerceContext,
): Result<unknown> {
  const subAttributes = definition.subAttributes ?? [];
  let source = value;
  if (typeof source === "string") {
    const trimmed = source.trim();
    if (!context.strict && trimmed.startsWith("{")) {
      try {
        source = JSON.parse(trimmed);
      } catch {
        // Not JSON after all: fall through to the bare-value rule below.
      }
    }
    if (typeof source === "string") {
      const valueDefinition = findAttribute(subAttributes, "value");
      if (valueDefinition !== undefined) source = { [valueDefinition.name]: source };
    }
  }
  if (!isObject(source)) {
    return {
      ok: false,
      error: patchError("invalidValue", "patch.invalid_value", context.where, path, "an object"),
    };
  }
  const result: Record<string, unknown> = {};
  for (const key in source) {
    const subValue = source[key];
    if (subValue === undefined) continue;
    const subDefinition = findAttribute(subAttributes, key);
    if (subDefinition === undefined) {
      if (context.strict) {
        return {
          ok: false,
          error: patchError(
            "invalidValue",
            "patch.unknown_sub_attribute",
            context.where,
            path,
            key.slice(0, 128),
          ),
        };
      }
      continue;
    }
    if (subDefinition.mutability === "readOnly") continue;
    const subPath = `${path}.${subDefinition.name}`;
    if (subValue === null) {
      result[subDefinition.name] = null;
      continue;
    }
    if (subDefinition.multiValued) {
      const many = coerceMany(subDefinition, subValue, subPath, context);
      if (!many.ok) return many;
      result[subDefinition.name] = many.value;
      continue;
    }
    const coerced = coerceSingle(subDefinition, subValue, subPath, context);
    if (!coerced.ok) return coerced;
    result[subDefinition.name] = coerced.value;
  }
  return ok(result);
}

/**
 * Coerces the value of a multi-valued attribute to an array of values; `null`
 * sub-attributes are dropped from each element. A single value that is not an
 * array is wrapped (lenient; strict: 400 `invalidValue`).
 */
export function coerceMany(
  definition: AttributeDefinition,
  value: unknown,
  path: string,
  context: CoerceContext,
): Result<unknown[]> {
  let items: readonly unknown[];
  if (Array.isArray(value)) items = value;
  else if (context.strict) {
    return {
      ok: false,
      error: patchError("invalidValue", "patch.invalid_value", context.where, path, "an array"),
    };
  } else items = [value];
  const result: unknown[] = [];
  for (const item of items) {
    if (item === null || item === undefined) continue;
    const coerced = coerceSingle(definition, item, path, context);
    if (!coerced.ok) return coerced;
    result.push(withoutNulls(coerced.value));
  }
  return ok(result);
}

/** Drops `null` sub-attributes of a complex value (a new element has nothing to unassign). */
export function withoutNulls(value: unknown): unknown {
  if (!isObject(value)) return value;
  let hasNull = false;
  for (const key in value) if (value[key] === null) hasNull = true;
  if (!hasNull) return value;
  const result: Record<string, unknown> = {};
  for (const key in value) if (value[key] !== null) result[key] = value[key];
  return result;
}
