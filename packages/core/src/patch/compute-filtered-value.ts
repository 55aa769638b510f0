/**
 * Value-filter targets (`emails[type eq "work"]`, `emails[type eq "work"].value`,
 * RFC 7644 §3.5.2): which elements the filter selects, what each operation does to
 * them, and the element an `eq` filter describes when nothing matches. Separate
 * from the plain computation because only these forms evaluate a filter.
 */
import { ok, type Result } from "../errors";
import type { BoundFilter, ValuePathNode } from "../filter/ast";
import { compileFilter } from "../filter/compile-filter";
import type { ResolvedPath } from "../path/ast";
import {
  type CoerceContext,
  coerceSingle,
  coerceSubAttributeValue,
  mergeInto,
  withoutNulls,
} from "./coerce-value";
import { fixPrimary } from "./fix-primary";
import { cloneJson, hasKeys, isObject } from "./json-value";
import { patchError } from "./messages";
import { requiredError } from "./mutability";
import type { PatchOperationName } from "./parse-patch-request";
import type { AttributeTarget } from "./target-resolver";

/** The new value of a filtered target's attribute (`undefined`: unassigned). Works on a copy. */
export function computeFilteredValue(
  op: PatchOperationName,
  target: AttributeTarget,
  before: unknown,
  value: unknown,
  context: CoerceContext,
): Result<unknown> {
  const { definition, subDefinition } = target;
  const filter = target.filter as ValuePathNode<ResolvedPath>;
  const elements: Record<string, unknown>[] = Array.isArray(before)
    ? cloneJson(before).filter(isObject)
    : [];
  const matches = matcher(target, filter);
  const matched = new Set(elements.filter(matches));
  const noTarget = () => ({
    ok: false as const,
    error: patchError("noTarget", "patch.no_target", context.where, target.text),
  });

  if (op === "remove" || (value === null && subDefinition === undefined)) {
    if (matched.size === 0) return op === "remove" ? noTarget() : ok(before);
    let result: Record<string, unknown>[];
    if (subDefinition === undefined) result = elements.filter((element) => !matched.has(element));
    else {
      if (subDefinition.required) {
        return {
          ok: false,
          error: requiredError(target, context.where),
        };
      }
      for (const element of matched) delete element[subDefinition.name];
      result = elements.filter(hasKeys);
    }
    return ok(result.length === 0 ? undefined : result);
  }

  let replacement: Record<string, unknown> | undefined;
  let subValue: unknown;
  if (subDefinition === undefined) {
    const coerced = coerceSingle(definition, value, target.text, context);
    if (!coerced.ok) return coerced;
    replacement = coerced.value as Record<string, unknown>;
  } else {
    const coerced = coerceSubAttributeValue(subDefinition, value, target.text, context);
    if (!coerced.ok) return coerced;
    subValue = coerced.value;
  }

  if (matched.size === 0) {
    // Row 20: `emails[type eq "work"].value` creates the work email; a whole-element
    // replace has nothing to replace (RFC 7644 §3.5.2.3), and strict mode never creates on replace.
    if (op === "replace" && (context.strict || subDefinition === undefined)) return noTarget();
    const template = equalityTemplate(filter.filter);
    if (template === undefined) return noTarget();
    const created: Record<string, unknown> =
      subDefinition === undefined
        ? Object.assign({}, template, withoutNulls(replacement) as Record<string, unknown>)
        : subValue === undefined
          ? template
          : Object.assign({}, template, { [subDefinition.name]: subValue });
    elements.push(created);
    fixPrimary(definition, elements, [created]);
    return ok(elements);
  }

  const touched: Record<string, unknown>[] = [];
  for (let index = 0; index < elements.length; index++) {
    const element = elements[index] as Record<string, unknown>;
    if (!matched.has(element)) continue;
    if (subDefinition !== undefined) {
      if (subValue === undefined) delete element[subDefinition.name];
      else element[subDefinition.name] = subValue;
      touched.push(element);
    } else if (op === "replace") {
      const next = withoutNulls(replacement) as Record<string, unknown>;
      elements[index] = next;
      touched.push(next);
    } else {
      mergeInto(element, replacement as Record<string, unknown>);
      touched.push(element);
    }
  }
  const result = elements.filter(hasKeys);
  fixPrimary(definition, result, touched);
  return ok(result.length === 0 ? undefined : result);
}

/** The filter as a test of one element. */
function matcher(
  target: AttributeTarget,
  filter: ValuePathNode<ResolvedPath>,
): (element: Record<string, unknown>) => boolean {
  // compileFilter caches per filter object, and cached targets keep their filter objects.
  const test = compileFilter(filter);
  const name = target.definition.name;
  // The compiled value path reads the attribute from a resource; give it one element at a time.
  if (target.isCore) return (element) => test({ [name]: element });
  const urn = target.schema;
  return (element) => test({ [urn]: { [name]: element } });
}

/**
 * The element an `eq` filter describes (`type eq "work" and primary eq true`), so
 * `add`/`replace` on a missing element can create it; `undefined` for other filters.
 */
function equalityTemplate(filter: BoundFilter): Record<string, unknown> | undefined {
  if (filter.kind === "Comparison") {
    if (
      filter.operator !== "eq" ||
      filter.value === null ||
      filter.path.subAttribute === undefined
    ) {
      return undefined;
    }
    return { [filter.path.subAttribute]: filter.value };
  }
  if (filter.kind === "Logical" && filter.operator === "and") {
    const left = equalityTemplate(filter.left);
    const right = equalityTemplate(filter.right);
    return left === undefined || right === undefined ? undefined : Object.assign({}, left, right);
  }
  return undefined;
}
