import type { ResolvedPath } from "../path/ast";
import { leafDefinition } from "../schema/resolve-path";
import type { AttributeDefinition, ScimObject } from "../schema/types";
import type { BoundFilter, ComparisonOperator, FilterValue } from "./ast";
import { isCanonicalDateTime, parseDateTime } from "./date-time";

/** A compiled filter: true when the resource matches. */
export type FilterPredicate = (resource: ScimObject) => boolean;

type Test = (value: unknown) => boolean;
type Container = { readonly [key: string]: unknown };

const isObject = (value: unknown): value is Container =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const compiled = new WeakMap<BoundFilter, FilterPredicate>();

/**
 * Compiles a bound filter into a predicate over full SCIM JSON resources (core
 * attributes at the top level, extension attributes under their URN key, `id`,
 * `meta`, and `members` for groups), with canonical attribute names as core
 * stores them. Compile once, call per resource. Semantics (RFC 7644 §3.4.2.2):
 *
 * - A multi-valued attribute matches when any of its values matches.
 * - `ne` is the negation of `eq`: true when no value equals the operand,
 *   including when the attribute is absent (`title ne "x"` matches users without a title).
 * - `eq null` matches an absent attribute; `ne null` a present one.
 * - Strings compare case-insensitively unless the attribute is `caseExact`;
 *   `gt`/`ge`/`lt`/`le` on strings are lexicographic (UTF-16 code units).
 * - dateTime compares as instants, integer and decimal numerically.
 * - `pr` is false for undefined, null, "", [] and objects without a present value.
 * - A value path matches when one element satisfies its whole inner filter.
 * - A stored value of the wrong JSON type never matches.
 */
export function compileFilter(filter: BoundFilter): FilterPredicate {
  let predicate = compiled.get(filter);
  if (predicate === undefined) {
    predicate = compileNode(filter, false);
    compiled.set(filter, predicate);
  }
  return predicate;
}

/** Evaluates `filter` on one resource (compiling it once per filter object). */
export function evaluateFilter(filter: BoundFilter, resource: ScimObject): boolean {
  return compileFilter(filter)(resource);
}

function compileNode(node: BoundFilter, inElement: boolean): FilterPredicate {
  switch (node.kind) {
    case "Comparison": {
      if (node.value === null) {
        const present = anyValue(node.path, inElement, isPresent);
        return node.operator === "eq" ? (resource) => !present(resource) : present;
      }
      const definition = leafDefinition(node.path);
      if (node.operator === "ne") {
        const equal = anyValue(node.path, inElement, valueTest(definition, "eq", node.value));
        return (resource) => !equal(resource);
      }
      return anyValue(node.path, inElement, valueTest(definition, node.operator, node.value));
    }
    case "Present":
      return anyValue(node.path, inElement, isPresent);
    case "Not": {
      const inner = compileNode(node.filter, inElement);
      return (resource) => !inner(resource);
    }
    case "Logical": {
      // Collect the left spine iteratively: `a or b or ... or z` becomes one loop.
      const operands: FilterPredicate[] = [];
      let current: BoundFilter = node;
      while (current.kind === "Logical" && current.operator === node.operator) {
        operands.push(compileNode(current.right, inElement));
        current = current.left;
      }
      operands.push(compileNode(current, inElement));
      operands.reverse();
      return node.operator === "and" ? every(operands) : some(operands);
    }
    case "ValuePath": {
      const inner = compileNode(node.filter, true);
      const elementMatches: Test = (element) => isObject(element) && inner(element);
      const read = containerReader(node.path);
      const attribute = node.path.attribute;
      return (resource) => {
        const container = read(resource);
        if (container === undefined) return false;
        const value = container[attribute];
        return Array.isArray(value) ? value.some(elementMatches) : elementMatches(value);
      };
    }
  }
}

function every(operands: FilterPredicate[]): FilterPredicate {
  const [first, second] = operands as [FilterPredicate, FilterPredicate];
  if (operands.length === 2) return (resource) => first(resource) && second(resource);
  return (resource) => {
    for (const operand of operands) if (!operand(resource)) return false;
    return true;
  };
}

function some(operands: FilterPredicate[]): FilterPredicate {
  const [first, second] = operands as [FilterPredicate, FilterPredicate];
  if (operands.length === 2) return (resource) => first(resource) || second(resource);
  return (resource) => {
    for (const operand of operands) if (operand(resource)) return true;
    return false;
  };
}

/** Where the attribute lives: the resource itself (core) or its extension object. */
function containerReader(path: ResolvedPath): (resource: ScimObject) => Container | undefined {
  if (path.isCore) return (resource) => resource;
  const schema = path.schema;
  return (resource) => {
    const container = resource[schema];
    return isObject(container) ? container : undefined;
  };
}

const matches = (value: unknown, test: Test) =>
  Array.isArray(value) ? value.some(test) : test(value);

/** A predicate that is true when any value at `path` passes `test`. */
function anyValue(path: ResolvedPath, inElement: boolean, test: Test): FilterPredicate {
  const { attribute, subAttribute } = path;
  if (inElement) {
    const key = subAttribute ?? attribute;
    return (element) => matches(element[key], test);
  }
  if (subAttribute === undefined) {
    if (path.isCore) return (resource) => matches(resource[attribute], test);
    const read = containerReader(path);
    return (resource) => {
      const container = read(resource);
      return container !== undefined && matches(container[attribute], test);
    };
  }
  const read = containerReader(path);
  const elementTest: Test = (element) => isObject(element) && matches(element[subAttribute], test);
  return (resource) => {
    const container = read(resource);
    if (container === undefined) return false;
    const value = container[attribute];
    return Array.isArray(value) ? value.some(elementTest) : elementTest(value);
  };
}

/**
 * Every value at `path` in `resource`, flattened over multi-valued attributes,
 * without undefined and null. For a complex attribute without sub-attribute, its
 * objects. Reads canonical attribute names, as core stores them.
 */
export function readValues(resource: ScimObject, path: ResolvedPath): unknown[] {
  const container = containerReader(path)(resource);
  if (container === undefined) return [];
  const values: unknown[] = [];
  const push = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) if (item !== undefined && item !== null) values.push(item);
    } else if (value !== undefined && value !== null) values.push(value);
  };
  const value = container[path.attribute];
  if (path.subAttribute === undefined) {
    push(value);
    return values;
  }
  const sub = path.subAttribute;
  if (Array.isArray(value)) {
    for (const element of value) if (isObject(element)) push(element[sub]);
  } else if (isObject(value)) push(value[sub]);
  return values;
}

/** RFC 7644 `pr`: a non-empty value, or a complex value with a non-empty member. */
function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (typeof value === "object") {
    for (const key in value) {
      const member = (value as Container)[key];
      if (member !== undefined && member !== null && member !== "" && !isEmptyArray(member)) {
        return true;
      }
    }
    return false;
  }
  return true;
}

const isEmptyArray = (value: unknown) => Array.isArray(value) && value.length === 0;

/** The single-value test for one comparison, specialised by attribute type once. */
function valueTest(
  definition: AttributeDefinition,
  operator: ComparisonOperator,
  operand: Exclude<FilterValue, null>,
): Test {
  switch (definition.type) {
    case "boolean":
      return booleanTest(operand as boolean);
    case "integer":
    case "decimal":
      return ordered(operator, operand as number, toNumber);
    case "dateTime":
      return dateTimeTest(operator, operand as string);
    case "complex":
      return () => false;
    default:
      return stringTest(operator, operand as string, definition.caseExact);
  }
}

function booleanTest(operand: boolean): Test {
  const text = String(operand);
  return (value) =>
    value === operand || (typeof value === "string" && value.toLowerCase() === text);
}

const toNumber = (value: unknown): number | undefined => {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") {
    const number = Number(value);
    return Number.isNaN(number) ? undefined : number;
  }
  return undefined;
};

function ordered<T extends number | string>(
  operator: ComparisonOperator,
  operand: T,
  convert: (value: unknown) => T | undefined,
): Test {
  switch (operator) {
    case "eq":
      return (value) => convert(value) === operand;
    case "gt":
      return (value) => {
        const converted = convert(value);
        return converted !== undefined && converted > operand;
      };
    case "ge":
      return (value) => {
        const converted = convert(value);
        return converted !== undefined && converted >= operand;
      };
    case "lt":
      return (value) => {
        const converted = convert(value);
        return converted !== undefined && converted < operand;
      };
    case "le":
      return (value) => {
        const converted = convert(value);
        return converted !== undefined && converted <= operand;
      };
    default:
      return () => false;
  }
}

function dateTimeTest(operator: ComparisonOperator, operand: string): Test {
  // Canonical ISO text sorts like time, so the common case compares strings without parsing.
  const instant = parseDateTime(operand) ?? Number.NaN;
  const canonical = new Date(instant).toISOString();
  const textTest = ordered(operator, canonical, (value) => value as string);
  const instantTest = ordered(operator, instant, (value) =>
    typeof value === "string" ? parseDateTime(value) : undefined,
  );
  return (value) =>
    typeof value === "string" &&
    (isCanonicalDateTime(value) ? textTest(value) : instantTest(value));
}

function stringTest(operator: ComparisonOperator, operand: string, caseExact: boolean): Test {
  const target = caseExact ? operand : operand.toLowerCase();
  const fold = caseExact ? (value: string) => value : (value: string) => value.toLowerCase();
  switch (operator) {
    case "eq": {
      if (caseExact) return (value) => value === target;
      const lengthMayChange = target.includes("\u0307");
      return (value) =>
        typeof value === "string" &&
        (value === operand || equalsFolded(value, target, lengthMayChange));
    }
    case "co":
      return (value) => typeof value === "string" && fold(value).includes(target);
    case "sw":
      return (value) => typeof value === "string" && fold(value).startsWith(target);
    case "ew":
      return (value) => typeof value === "string" && fold(value).endsWith(target);
    default:
      return ordered(operator, target, (value) =>
        typeof value === "string" ? fold(value) : undefined,
      );
  }
}

/**
 * `value.toLowerCase() === target` for an already lower-cased `target`, without
 * allocating for ASCII (the IdP lookup hot path). Only U+0130 lower-cases to two
 * code units ("i" + U+0307), so lengths can differ only when `target` has U+0307.
 */
function equalsFolded(value: string, target: string, lengthMayChange: boolean): boolean {
  const length = value.length;
  if (length !== target.length) return lengthMayChange && value.toLowerCase() === target;
  for (let index = 0; index < length; index++) {
    const code = value.charCodeAt(index);
    const wanted = target.charCodeAt(index);
    if (code === wanted) continue;
    if (code >= 65 && code <= 90) {
      if (code + 32 === wanted) continue;
      return false;
    }
    if (code < 128) return false;
    return value.toLowerCase() === target;
  }
  return true;
}
