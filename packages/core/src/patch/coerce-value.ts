/**
 * PATCH values through the schema validator, so PATCH accepts exactly what POST
 * and PUT accept, plus the PATCH-only convention that a `null` sub-attribute
 * means "unassign it" (coerced values keep the `null`, merges act on it).
 */
import { ok, type Result } from "../errors";
import { findAttribute } from "../schema/resolve-path";
import type { AttributeDefinition } from "../schema/types";
import { validateAttributeValue } from "../schema/validate-resource";
import { isObject } from "./json-value";

/** Where a value is being coerced, for the strictness switch. */
export interface CoerceContext {
  readonly strict: boolean;
  /** The operation, e.g. `Operations[2]`. */
  readonly where: string;
}

/**
 * Coerces one value of `definition` (one element when it is multi-valued) through
 * the schema validator, so PATCH accepts exactly what POST/PUT accept: `"True"`,
 * numeric strings, a bare string for `{value}` (Entra's `manager`), read-only
 * sub-attributes dropped. Two PATCH-only rules on top:
 * - a sub-attribute sent as `null` stays `null` in the result, which merges read
 *   as "unassign this sub-attribute" (RFC 7643 §2.5);
 * - unless `strict`, a complex value sent as a JSON string is parsed (matrix row 21).
 */
export function coerceSingle(
  definition: AttributeDefinition,
  value: unknown,
  path: string,
  context: CoerceContext,
): Result<unknown> {
  let source = value;
  if (definition.type === "complex" && typeof source === "string" && !context.strict) {
    const trimmed = source.trim();
    if (trimmed.startsWith("{")) {
      try {
        source = JSON.parse(trimmed);
      } catch {
        // Not JSON after all: the validator's bare-value rule decides.
      }
    }
  }
  let unassigned: string[] | undefined;
  if (definition.type === "complex" && isObject(source)) {
    for (const key in source) {
      if (source[key] !== null) continue;
      const sub = findAttribute(definition.subAttributes, key);
      if (sub === undefined || sub.mutability === "readOnly") continue;
      unassigned ??= [];
      unassigned.push(sub.name);
    }
    if (unassigned !== undefined) {
      source = Object.fromEntries(Object.entries(source).filter(([, entry]) => entry !== null));
    }
  }
  const quick = quickCoerce(definition, source);
  if (quick !== undefined) return ok(quick);
  const validated = validateAttributeValue(definition, source, {
    strict: context.strict,
    path,
    element: definition.multiValued,
  });
  if (!validated.ok || unassigned === undefined) return validated;
  const result: Record<string, unknown> = isObject(validated.value)
    ? Object.assign({}, validated.value)
    : {};
  for (const name of unassigned) result[name] = null;
  return ok(result);
}

/** Longest string the validator accepts without counting UTF-8 bytes (64 KiB / 3 bytes per unit). */
const QUICK_STRING_LENGTH = 21_845;
/** Lower-case spellings, plus Entra's `"True"`/`"False"` so the common case needs no lower-casing. */
const BOOLEAN_TEXT: ReadonlyMap<string, boolean> = new Map([
  ["true", true],
  ["false", false],
  ["True", true],
  ["False", false],
]);

/**
 * The validator's answer for the simple values IdPs send on every PATCH, without
 * running it: a boolean (or `"True"`/`"false"`), an unconstrained short string, a
 * safe integer, a finite decimal. `undefined` sends anything else to the validator,
 * so the rules stay defined in one place; this only skips work it would do.
 */
export function quickCoerce(definition: AttributeDefinition, value: unknown): unknown {
  switch (definition.type) {
    case "boolean":
      if (typeof value === "boolean") return value;
      if (typeof value !== "string") return undefined;
      return BOOLEAN_TEXT.get(value) ?? BOOLEAN_TEXT.get(value.toLowerCase());
    case "string":
    case "reference":
    case "binary":
      if (
        typeof value === "string" &&
        value.length <= QUICK_STRING_LENGTH &&
        (value.length > 0 || !definition.required) &&
        (definition.canonicalValues === undefined || definition.canonicalValues.length === 0)
      ) {
        return value;
      }
      return undefined;
    case "integer":
      return Number.isSafeInteger(value) ? value : undefined;
    case "decimal":
      return typeof value === "number" && Number.isFinite(value) ? value : undefined;
    default:
      return undefined;
  }
}

/**
 * Coerces the whole value of a multi-valued attribute to an array (a single value
 * is wrapped unless `strict`; `null` and `[]` give `[]`).
 */
export function coerceMany(
  definition: AttributeDefinition,
  value: unknown,
  path: string,
  context: CoerceContext,
): Result<unknown[]> {
  const validated = validateAttributeValue(definition, value, { strict: context.strict, path });
  if (!validated.ok) return validated;
  const result = validated.value;
  return ok(result === undefined ? [] : Array.isArray(result) ? result : [result]);
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

/**
 * The coerced value of a sub-attribute target (`name.givenName`, `emails[...].value`);
 * `undefined` for `null` or `[]` (unassign).
 */
export function coerceSubAttributeValue(
  subDefinition: AttributeDefinition,
  value: unknown,
  path: string,
  context: CoerceContext,
): Result<unknown> {
  if (value === null) return ok(undefined);
  if (subDefinition.multiValued) {
    const many = coerceMany(subDefinition, value, path, context);
    if (!many.ok) return many;
    return ok(many.value.length === 0 ? undefined : many.value);
  }
  const single = coerceSingle(subDefinition, value, path, context);
  if (!single.ok) return single;
  return ok(withoutNulls(single.value));
}

/** Merges coerced sub-attributes into `target`; `null` unassigns. */
export function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key in source) {
    if (source[key] === null) delete target[key];
    else target[key] = source[key];
  }
}
