import { type Result, ScimError } from "../errors";
import type { AttributePath, ResolvedPath } from "../path/ast";
import { leafDefinition, printPath, resolvePath } from "../schema/resolve-path";
import type { AttributeDefinition, AttributeType, ResourceSchema } from "../schema/types";
import type {
  BoundFilter,
  ComparisonNode,
  ComparisonOperator,
  FilterNode,
  FilterValue,
  LogicalNode,
} from "./ast";
import { parseDateTime } from "./date-time";
import { bindError } from "./messages";

/** Options of `bindFilter`. */
export interface BindFilterOptions {
  /**
   * Reject literals whose JSON type does not match the attribute (`active eq "True"`,
   * `externalId eq 42`) instead of converting them.
   * @default false
   */
  readonly strict?: boolean;
}

const ALL: readonly ComparisonOperator[] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];
const ORDERED: readonly ComparisonOperator[] = ["eq", "ne", "gt", "ge", "lt", "le"];
const EQUALITY: readonly ComparisonOperator[] = ["eq", "ne"];

/**
 * Which comparison operators each attribute type supports. RFC 7644 §3.4.2.2
 * forbids ordering on boolean and binary; it defines `co`/`sw`/`ew` only as
 * substring tests, so scimkit allows them on string and reference attributes and
 * declines them (400 `invalidFilter`) on numbers, dateTime (text forms of one
 * instant differ, so a substring test would be arbitrary), boolean and binary.
 */
export const OPERATORS_BY_TYPE: Readonly<Record<AttributeType, ReadonlySet<ComparisonOperator>>> = {
  string: new Set(ALL),
  reference: new Set(ALL),
  integer: new Set(ORDERED),
  decimal: new Set(ORDERED),
  dateTime: new Set(ORDERED),
  boolean: new Set(EQUALITY),
  binary: new Set(EQUALITY),
  complex: new Set(),
};

/**
 * Binds a parsed filter to a resource schema (what stores receive):
 *
 * - Attribute names are resolved case-insensitively and canonicalised; an unknown
 *   attribute fails with 400 `invalidFilter`, since RFC 7644 §3.4.2.2 says a
 *   server MUST decline filters it does not support rather than ignore them.
 * - A comparison on a complex attribute without sub-attribute compares its `value`
 *   sub-attribute (`emails co "x"`, `members eq "id"`); `pr` keeps the whole attribute.
 * - Inside a value path the inner paths become full paths
 *   (`attribute: "emails", subAttribute: "type"`); the outer must be complex.
 * - Literals are typed per attribute: booleans accept `true`/`false` (and, unless
 *   `strict`, the strings `"True"`/`"false"`), integer and decimal need numbers
 *   (numeric strings unless `strict`), dateTime must be an xsd:dateTime and is
 *   canonicalised to UTC ISO-8601 milliseconds, strings accept numbers and booleans
 *   as their text unless `strict`. `null` is allowed with `eq`/`ne` only.
 * - Operators a type does not support (`OPERATORS_BY_TYPE`) fail with `invalidFilter`.
 */
export function bindFilter(
  filter: FilterNode,
  resourceSchema: ResourceSchema,
  options: BindFilterOptions = {},
): Result<BoundFilter> {
  try {
    return { ok: true, value: new Binder(resourceSchema, options.strict ?? false).bind(filter) };
  } catch (error) {
    if (ScimError.is(error)) return { ok: false, error };
    throw error;
  }
}

/** Bound on memoised resolutions per schema, so hostile filters cannot grow memory. */
const RESOLUTION_CACHE_LIMIT = 2048;
const resolutions = new WeakMap<ResourceSchema, Map<string, ResolvedPath | null>>();

class Binder {
  private readonly cache: Map<string, ResolvedPath | null>;

  constructor(
    private readonly resourceSchema: ResourceSchema,
    private readonly strict: boolean,
  ) {
    let cache = resolutions.get(resourceSchema);
    if (cache === undefined) {
      cache = new Map();
      resolutions.set(resourceSchema, cache);
    }
    this.cache = cache;
  }

  bind(node: FilterNode, outer?: ResolvedPath): BoundFilter {
    switch (node.kind) {
      case "Comparison":
        return this.bindComparison(node, outer);
      case "Present":
        return { kind: "Present", path: this.resolve(node.path, outer) };
      case "Not":
        return { kind: "Not", filter: this.bind(node.filter, outer) };
      case "Logical":
        return this.bindLogical(node, outer);
      case "ValuePath": {
        const path = this.resolve(node.path, undefined);
        if (path.subAttribute !== undefined || path.definition.type !== "complex") {
          throw bindError("filter.not_complex", { path: printPath(path) });
        }
        return { kind: "ValuePath", path, filter: this.bind(node.filter, path) };
      }
    }
  }

  /** Iterates the left spine so long `a or b or ...` chains cost no stack. */
  private bindLogical(node: LogicalNode, outer: ResolvedPath | undefined): BoundFilter {
    const rights: FilterNode[] = [];
    let current: FilterNode = node;
    while (current.kind === "Logical" && current.operator === node.operator) {
      rights.push(current.right);
      current = current.left;
    }
    let bound = this.bind(current, outer);
    for (let index = rights.length - 1; index >= 0; index--) {
      const right = this.bind(rights[index] as FilterNode, outer);
      bound = { kind: "Logical", operator: node.operator, left: bound, right };
    }
    return bound;
  }

  private bindComparison(node: ComparisonNode, outer: ResolvedPath | undefined): BoundFilter {
    let path = this.resolve(node.path, outer);
    if (path.subAttribute === undefined && path.definition.type === "complex") {
      const value = path.definition.subAttributes?.find(
        (sub) => sub.name.toLowerCase() === "value",
      );
      if (value === undefined) {
        throw bindError("filter.no_value_subattribute", { path: printPath(path) });
      }
      path = Object.assign({}, path, { subAttribute: value.name, subDefinition: value });
    }
    const definition = leafDefinition(path);
    const { operator } = node;
    if (
      !OPERATORS_BY_TYPE[definition.type].has(operator) ||
      (node.value === null && operator !== "eq" && operator !== "ne")
    ) {
      throw bindError("filter.operator_not_supported", {
        path: printPath(path),
        operator,
        type: node.value === null ? `${definition.type}, compared with null` : definition.type,
      });
    }
    const value = node.value === null ? null : this.coerce(node.value, definition, path);
    return { kind: "Comparison", path, operator, value };
  }

  private coerce(value: FilterValue, definition: AttributeDefinition, path: ResolvedPath) {
    const invalid = () =>
      bindError("filter.value_type", {
        path: printPath(path),
        type: definition.type,
        value: JSON.stringify(value),
      });
    switch (definition.type) {
      case "string":
      case "reference":
      case "binary":
        if (typeof value === "string") return value;
        if (this.strict) throw invalid();
        return String(value);
      case "boolean":
        if (typeof value === "boolean") return value;
        if (!this.strict && typeof value === "string") {
          const lower = value.toLowerCase();
          if (lower === "true") return true;
          if (lower === "false") return false;
        }
        throw invalid();
      case "integer":
      case "decimal": {
        let number = typeof value === "number" ? value : Number.NaN;
        if (!this.strict && typeof value === "string" && value.trim() !== "")
          number = Number(value);
        if (!Number.isFinite(number)) throw invalid();
        if (definition.type === "integer" && !Number.isInteger(number)) throw invalid();
        return number;
      }
      case "dateTime": {
        const instant = typeof value === "string" ? parseDateTime(value) : undefined;
        if (instant === undefined) throw invalid();
        return new Date(instant).toISOString();
      }
      case "complex":
        throw invalid();
    }
  }

  private resolve(path: AttributePath, outer: ResolvedPath | undefined): ResolvedPath {
    // Names are case-insensitive and filters repeat the same few paths: memoise per schema.
    const key =
      `${outer === undefined ? "" : `${outer.schema}:${outer.attribute}[`}${path.schema ?? ""}:${path.attribute}.${path.subAttribute ?? ""}`.toLowerCase();
    let resolved = this.cache.get(key);
    if (resolved === undefined) {
      resolved = this.resolveUncached(path, outer);
      if (this.cache.size >= RESOLUTION_CACHE_LIMIT) this.cache.clear();
      this.cache.set(key, resolved);
    }
    if (resolved === null) {
      throw bindError("filter.unknown_attribute", {
        path: outer === undefined ? printPath(path) : `${printPath(outer)}[${printPath(path)}]`,
      });
    }
    return resolved;
  }

  private resolveUncached(
    path: AttributePath,
    outer: ResolvedPath | undefined,
  ): ResolvedPath | null {
    if (outer === undefined) {
      const resolved = resolvePath(this.resourceSchema, path, "invalidFilter");
      return resolved.ok ? resolved.value : null;
    }
    const wanted = path.attribute.toLowerCase();
    const sub =
      path.schema === undefined && path.subAttribute === undefined
        ? outer.definition.subAttributes?.find(
            (candidate) => candidate.name.toLowerCase() === wanted,
          )
        : undefined;
    return sub === undefined
      ? null
      : Object.assign({}, outer, { subAttribute: sub.name, subDefinition: sub });
  }
}
