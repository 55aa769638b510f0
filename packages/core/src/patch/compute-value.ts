/**
 * An operation's effect on one attribute: from the value it holds (`before`) and
 * the operation's value to the value it will hold, as RFC 7644 §3.5.2 defines
 * add, replace and remove. Pure: `before` is never modified, so a failing
 * operation leaves the run's working copy as it was.
 */
import { ok, type Result } from "../errors";
import { findAttribute } from "../schema/resolve-path";
import type { AttributeDefinition } from "../schema/types";
import {
  type CoerceContext,
  coerceMany,
  coerceSingle,
  coerceSubAttributeValue,
  mergeInto,
  quickCoerce,
} from "./coerce-value";
import { computeFilteredValue } from "./compute-filtered-value";
import { fixPrimary } from "./fix-primary";
import { cloneJson, deepEqual, hasKeys, isObject } from "./json-value";
import { patchError } from "./messages";
import { requiredError } from "./mutability";
import type { PatchOperationName } from "./parse-patch-request";
import type { AttributeTarget } from "./target-resolver";

/**
 * The new value for the operations IdPs send most (`replace active`, `name.givenName`,
 * an extension string) without the general machinery: a simple value, already valid
 * as sent, set on a single-valued attribute or sub-attribute. Same result as
 * `computeValue`; `undefined` (never a result here, since these operations always
 * assign) sends anything else to `computeValue`.
 */
export function quickCompute(
  op: PatchOperationName,
  target: AttributeTarget,
  before: unknown,
  value: unknown,
): unknown {
  if (op === "remove" || target.filter !== undefined || target.definition.multiValued) {
    return undefined;
  }
  const { subDefinition } = target;
  const leaf = subDefinition ?? target.definition;
  if (leaf.type === "complex" || leaf.multiValued) return undefined;
  const coerced = quickCoerce(leaf, value);
  if (coerced === undefined) return undefined;
  if (subDefinition === undefined) return coerced;
  if (before !== undefined && !isObject(before)) return undefined;
  // Object.assign, not a spread: a spread copy that gains a key is slow on Node 20 (see lint/).
  const copy = Object.assign({}, before);
  copy[subDefinition.name] = coerced;
  return copy;
}

/** The attribute's new value (`undefined`: unassigned). Works on a copy of `before`. */
export function computeValue(
  op: PatchOperationName,
  target: AttributeTarget,
  before: unknown,
  value: unknown,
  context: CoerceContext,
): Result<unknown> {
  const { definition, subDefinition, filter } = target;
  if (op !== "remove" && value === undefined) {
    return {
      ok: false,
      error: patchError("invalidSyntax", "patch.missing_value", context.where),
    };
  }
  if (filter !== undefined) return computeFilteredValue(op, target, before, value, context);
  if (subDefinition !== undefined) {
    return computeSubAttribute(op, target, before, value, context);
  }
  if (op === "remove") {
    if (value !== undefined && value !== null && definition.multiValued) {
      return removeGivenValues(target, before, value, context);
    }
    return ok(undefined);
  }
  if (value === null || (Array.isArray(value) && value.length === 0)) {
    return ok(op === "replace" ? undefined : before);
  }
  if (definition.multiValued) {
    const coerced = coerceMany(definition, value, target.text, context);
    if (!coerced.ok) return coerced;
    const elements: unknown[] = [];
    const base = op === "add" && Array.isArray(before) ? cloneJson(before) : [];
    for (const element of coerced.value) {
      if (base.some((existing) => deepEqual(existing, element))) continue;
      if (elements.some((existing) => deepEqual(existing, element))) continue;
      elements.push(element);
    }
    const result = [...base, ...elements];
    fixPrimary(definition, result, elements);
    return ok(result.length === 0 ? undefined : result);
  }
  const coerced = coerceSingle(definition, value, target.text, context);
  if (!coerced.ok) return coerced;
  if (definition.type !== "complex") return ok(coerced.value);
  const merged = isObject(before) ? Object.assign({}, before) : {};
  mergeInto(merged, coerced.value as Record<string, unknown>);
  return ok(hasKeys(merged) ? merged : undefined);
}

/** `remove` with a value (Entra, authentik): remove exactly the given values, never all. */
function removeGivenValues(
  target: AttributeTarget,
  before: unknown,
  value: unknown,
  context: CoerceContext,
): Result<unknown> {
  if (!Array.isArray(before)) return ok(before);
  const { definition } = target;
  const wrapped = isObject(value) ? (value[definition.name] ?? value) : value;
  const given = coerceMany(
    definition,
    wrapped,
    target.text,
    Object.assign({}, context, { strict: false }),
  );
  if (!given.ok) return given;
  const valueName =
    definition.type === "complex"
      ? findAttribute(definition.subAttributes, "value")?.name
      : undefined;
  const identity = (element: unknown) =>
    valueName !== undefined && isObject(element) && element[valueName] !== undefined
      ? element[valueName]
      : element;
  const removed = given.value.map(identity);
  // Ids are strings: a set keeps removing k values from n members O(n + k).
  const removedStrings = new Set(removed.filter((entry) => typeof entry === "string"));
  const removedOthers = removed.filter((entry) => typeof entry !== "string");
  const result = before.filter((element) => {
    const key = identity(element);
    if (typeof key === "string") return !removedStrings.has(key);
    return !removedOthers.some((candidate) => deepEqual(candidate, key));
  });
  return ok(result.length === 0 ? undefined : result);
}

/** `name.givenName`, or `emails.type` (every value of a multi-valued attribute). */
function computeSubAttribute(
  op: PatchOperationName,
  target: AttributeTarget,
  before: unknown,
  value: unknown,
  context: CoerceContext,
): Result<unknown> {
  const subDefinition = target.subDefinition as AttributeDefinition;
  const subValue =
    op === "remove"
      ? ok(undefined)
      : coerceSubAttributeValue(subDefinition, value, target.text, context);
  if (!subValue.ok) return subValue;
  if (target.definition.multiValued) {
    const elements = Array.isArray(before) ? cloneJson(before).filter(isObject) : [];
    if (subValue.value === undefined) {
      if (subDefinition.required && elements.some((element) => subDefinition.name in element)) {
        return {
          ok: false,
          error: requiredError(target, context.where),
        };
      }
      for (const element of elements) delete element[subDefinition.name];
    } else if (elements.length === 0) {
      elements.push({ [subDefinition.name]: subValue.value });
    } else {
      for (const element of elements) element[subDefinition.name] = subValue.value;
    }
    const result = elements.filter(hasKeys);
    fixPrimary(target.definition, result, result);
    return ok(result.length === 0 ? undefined : result);
  }
  const object = isObject(before) ? Object.assign({}, before) : {};
  if (subValue.value === undefined) {
    if (subDefinition.required && subDefinition.name in object) {
      return {
        ok: false,
        error: requiredError(target, context.where),
      };
    }
    delete object[subDefinition.name];
  } else object[subDefinition.name] = subValue.value;
  return ok(hasKeys(object) ? object : undefined);
}
