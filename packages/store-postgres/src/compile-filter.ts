import type { AttributeDefinition, BoundFilter, FilterValue, ResolvedPath } from "@scimkit/core";
import { literal, type SqlParameters } from "./sql-parameters";

/** Where the compiled SQL runs: names of the tables and of the resources row. */
export interface SqlContext {
  /** The quoted schema the store's tables live in. */
  readonly schema: string;
  /** Alias of the `resources` row the filter applies to. */
  readonly row: string;
  /** The resource type queried (for `meta.resourceType`). */
  readonly resourceType: string;
  /** The attribute read from the memberships table (group side), e.g. `members`. */
  readonly membersAttribute?: string | undefined;
  /** The attribute derived from the memberships table (member side), e.g. `groups`. */
  readonly memberOfAttribute?: string | undefined;
  /** Group resource type -> the attribute shown as a group reference's `display`. */
  readonly displayAttributes?: Readonly<Record<string, string>> | undefined;
}

/**
 * The jsonb display of the group row `group` (its type's display attribute),
 * NULL for a type without one. Type ids and attribute names come from the
 * registry, never from a client, so they are spliced as literals.
 */
export function groupDisplay(context: SqlContext, group: string): string {
  const entries = Object.entries(context.displayAttributes ?? {});
  if (entries.length === 0) return "NULL::jsonb";
  const cases = entries
    .map(([type, attribute]) => `WHEN ${literal(type)} THEN ${group}.data -> ${literal(attribute)}`)
    .join(" ");
  return `(CASE ${group}.resource_type ${cases} END)`;
}

/**
 * A scalar SQL expression a filter compares: `text` is its text form; `json`,
 * when set, the jsonb it was read from (needed for numbers and booleans).
 */
interface Leaf {
  readonly text: string;
  readonly json?: string;
}

/** The values of a multi-valued attribute, as a correlated row source. */
interface Collection {
  /** `EXISTS (...)` over the values satisfying `condition` (absent: any value). */
  exists(
    condition?: (
      field: (sub: AttributeDefinition | undefined) => Leaf | undefined,
    ) => string | undefined,
  ): string | undefined;
}

type Predicate = (leaf: Leaf, definition: AttributeDefinition) => string | undefined;

const STRING_TYPES = new Set(["string", "reference", "binary"]);

/**
 * Compiles bound filters to parameterised SQL boolean expressions over the
 * store's tables. A compile returns `undefined` for anything it does not cover,
 * so the caller can fall back to in-memory evaluation instead of answering wrongly.
 */
export class FilterCompiler {
  private aliases = 0;
  /** Expressions known never to be NULL (EXISTS): negated without COALESCE. */
  private readonly definite = new Set<string>();

  constructor(
    private readonly context: SqlContext,
    private readonly parameters: SqlParameters,
  ) {}

  /** The SQL for `filter`, or `undefined` when some part cannot be pushed down. */
  compile(filter: BoundFilter): string | undefined {
    return this.node(filter, undefined);
  }

  /** Marks an EXISTS expression, which is true or false, never unknown. */
  private definitely(expression: string | undefined): string | undefined {
    if (expression !== undefined) this.definite.add(expression);
    return expression;
  }

  /**
   * NOT, with SQL's three-valued logic: an unknown (absent) operand counts as
   * false. An EXISTS is never unknown and stays bare, so the planner can run it
   * as an anti-join scoped by the row's tenant (inside COALESCE it becomes a
   * subplan hashing every tenant's rows).
   */
  private negate(expression: string): string {
    return this.definite.has(expression)
      ? `NOT ${expression}`
      : `NOT COALESCE(${expression}, false)`;
  }

  private alias(prefix: string): string {
    this.aliases += 1;
    return `${prefix}${this.aliases}`;
  }

  private node(
    filter: BoundFilter,
    element: ((sub: AttributeDefinition | undefined) => Leaf | undefined) | undefined,
  ): string | undefined {
    switch (filter.kind) {
      case "Logical": {
        const left = this.node(filter.left, element);
        const right = left === undefined ? undefined : this.node(filter.right, element);
        if (left === undefined || right === undefined) return undefined;
        return `(${left} ${filter.operator === "and" ? "AND" : "OR"} ${right})`;
      }
      case "Not": {
        const inner = this.node(filter.filter, element);
        return inner === undefined ? undefined : this.negate(inner);
      }
      case "Present":
        return this.path(filter.path, element, this.present);
      case "Comparison": {
        const { operator, value } = filter;
        if (value === null) {
          // `eq null` matches an absent attribute, `ne null` a present one.
          const anyPresent = this.path(filter.path, element, this.present);
          if (anyPresent === undefined || operator === "ne") return anyPresent;
          return operator === "eq" ? this.negate(anyPresent) : undefined;
        }
        if (operator === "ne") {
          // `ne` is the negation of `eq`: true when no value equals (absent included).
          const equal = this.path(filter.path, element, (leaf, definition) =>
            this.compare(leaf, definition, "eq", value),
          );
          return equal === undefined ? undefined : this.negate(equal);
        }
        return this.path(filter.path, element, (leaf, definition) =>
          this.compare(leaf, definition, operator, value),
        );
      }
      case "ValuePath": {
        if (element !== undefined) return undefined;
        const collection = this.collection(filter.path);
        return this.definitely(collection?.exists((field) => this.node(filter.filter, field)));
      }
    }
  }

  /** Applies `predicate` to the value(s) `path` names, any value of a multi-valued one. */
  private path(
    path: ResolvedPath,
    element: ((sub: AttributeDefinition | undefined) => Leaf | undefined) | undefined,
    predicate: Predicate,
  ): string | undefined {
    const leafDefinition = path.subDefinition ?? path.definition;
    if (element !== undefined) {
      const leaf = element(path.subDefinition);
      return leaf === undefined ? undefined : predicate(leaf, leafDefinition);
    }
    const column = this.column(path);
    if (column !== undefined)
      return column === null ? undefined : predicate(column, leafDefinition);
    if (path.subDefinition?.multiValued === true) return undefined;
    if (this.isRelation(path) || path.definition.multiValued) {
      const collection = this.collection(path);
      if (collection === undefined) return undefined;
      if (path.subDefinition === undefined && path.definition.type === "complex") {
        // A relation row is always a present value; a complex value never equals a literal.
        if (predicate !== this.present) return "false";
        return this.isRelation(path)
          ? this.definitely(collection.exists())
          : this.present(jsonLeaf(this.container(path), path.attribute), path.definition);
      }
      return this.definitely(
        collection.exists((field) => {
          const leaf = field(path.subDefinition);
          return leaf === undefined ? undefined : predicate(leaf, leafDefinition);
        }),
      );
    }
    const container = this.container(path);
    if (path.subDefinition === undefined) {
      return predicate(jsonLeaf(container, path.attribute), leafDefinition);
    }
    if (path.definition.type !== "complex") return undefined;
    return predicate(
      jsonLeaf(`${container} -> ${literal(path.attribute)}`, path.subDefinition.name),
      leafDefinition,
    );
  }

  private isRelation(path: ResolvedPath): boolean {
    if (!path.isCore) return false;
    return (
      path.attribute === this.context.membersAttribute ||
      path.attribute === this.context.memberOfAttribute
    );
  }

  /** The jsonb object holding the attribute: the row's data or its extension object. */
  private container(path: ResolvedPath): string {
    const data = `${this.context.row}.data`;
    return path.isCore ? data : `${data} -> ${literal(path.schema)}`;
  }

  /**
   * Common attributes kept in columns: a leaf, `null` when the path is a
   * column-backed attribute the store cannot compare, `undefined` for data paths.
   */
  private column(path: ResolvedPath): Leaf | null | undefined {
    if (!path.isCore) return undefined;
    const row = this.context.row;
    if (path.attribute === "id" && path.subAttribute === undefined) return { text: `${row}.id` };
    if (path.attribute !== "meta") return undefined;
    switch (path.subAttribute) {
      case "created":
        return { text: `${row}.created` };
      case "lastModified":
        return { text: `${row}.last_modified` };
      case "resourceType":
        return { text: `${row}.resource_type` };
      default:
        return null;
    }
  }

  /** The values of a multi-valued (or relation) attribute as a row source. */
  private collection(path: ResolvedPath): Collection | undefined {
    const { schema, row } = this.context;
    if (path.isCore && path.attribute === this.context.membersAttribute) {
      const alias = this.alias("m");
      const fields: Record<string, Leaf> = {
        value: { text: `${alias}.member_id` },
        type: { text: `${alias}.member_type` },
        display: { text: `${alias}.display` },
      };
      const from = `FROM ${schema}.memberships ${alias} WHERE ${alias}.tenant = ${row}.tenant AND ${alias}.group_id = ${row}.id`;
      return relationCollection(from, fields);
    }
    if (path.isCore && path.attribute === this.context.memberOfAttribute) {
      const alias = this.alias("m");
      const group = this.alias("g");
      const fields: Record<string, Leaf> = {
        value: { text: `${alias}.group_id` },
        display: {
          text: `(${groupDisplay(this.context, group)} #>> '{}')`,
          json: groupDisplay(this.context, group),
        },
        type: { text: "'direct'" },
      };
      const from =
        `FROM ${schema}.memberships ${alias} JOIN ${schema}.resources ${group}` +
        ` ON ${group}.tenant = ${alias}.tenant AND ${group}.resource_type = ${alias}.group_type AND ${group}.id = ${alias}.group_id` +
        ` WHERE ${alias}.tenant = ${row}.tenant AND ${alias}.member_id = ${row}.id`;
      return relationCollection(from, fields);
    }
    if (this.column(path) !== undefined) return undefined;
    const attribute = `${this.container(path)} -> ${literal(path.attribute)}`;
    const complex = path.definition.type === "complex";
    const alias = this.alias("e");
    const item = `${alias}.item`;
    const array = complex
      ? `CASE jsonb_typeof(${attribute}) WHEN 'array' THEN ${attribute} WHEN 'object' THEN jsonb_build_array(${attribute}) ELSE '[]'::jsonb END`
      : `CASE jsonb_typeof(${attribute}) WHEN 'array' THEN ${attribute} ELSE '[]'::jsonb END`;
    const field = (sub: AttributeDefinition | undefined): Leaf | undefined => {
      if (sub === undefined)
        return complex ? undefined : { text: `(${item} #>> '{}')`, json: item };
      if (!complex || sub.multiValued) return undefined;
      return jsonLeaf(item, sub.name);
    };
    return {
      exists: (condition) => {
        const where = condition === undefined ? "true" : condition(field);
        if (where === undefined) return undefined;
        return `EXISTS (SELECT 1 FROM jsonb_array_elements(${array}) AS ${alias}(item) WHERE ${where})`;
      },
    };
  }

  /**
   * RFC 7644 `pr`: assigned and not empty (null, "", [] and complex values
   * without a present member are absent).
   */
  private readonly present: Predicate = (leaf, definition) => {
    if (leaf.json === undefined) return `(${leaf.text} IS NOT NULL AND ${leaf.text} <> '')`;
    if (definition.type === "complex" || definition.multiValued) {
      return `${this.context.schema}.is_present(${leaf.json})`;
    }
    const json = leaf.json;
    return `(jsonb_typeof(${json}) <> 'null' AND ${json} NOT IN ('""'::jsonb, '[]'::jsonb))`;
  };

  /** A typed comparison of one value with a filter literal. */
  private compare(
    leaf: Leaf,
    definition: AttributeDefinition,
    operator: "eq" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le",
    value: FilterValue,
  ): string | undefined {
    const parameters = this.parameters;
    if (STRING_TYPES.has(definition.type)) {
      // A NUL cannot be a query parameter; core's evaluator answers such filters.
      if (typeof value !== "string" || value.includes("\u0000")) return undefined;
      const caseExact = definition.caseExact || definition.type === "binary";
      const text = caseExact ? leaf.text : `lower(${leaf.text})`;
      const placeholder = parameters.add(value, "text");
      const operand = caseExact ? placeholder : `lower(${placeholder})`;
      switch (operator) {
        case "eq":
          return `${text} = ${operand}`;
        case "co":
          return `strpos(${text}, ${operand}) > 0`;
        case "sw":
          return `starts_with(${text}, ${operand})`;
        case "ew":
          return `right(${text}, length(${operand})) = ${operand}`;
        default:
          return `${text} COLLATE "C" ${SQL_ORDER[operator]} ${operand}`;
      }
    }
    if (definition.type === "boolean") {
      if (typeof value !== "boolean") return undefined;
      if (operator !== "eq") return "false";
      // The text of JSON true is 'true'; a stored "True" string matches as it does in memory.
      return `lower(${leaf.text}) = ${parameters.add(String(value), "text")}`;
    }
    if (definition.type === "complex") return "false";
    if (definition.type === "integer" || definition.type === "decimal") {
      if (typeof value !== "number" || !Number.isFinite(value) || leaf.json === undefined)
        return undefined;
      if (operator !== "eq" && !(operator in SQL_ORDER)) return "false";
      const number = `CASE jsonb_typeof(${leaf.json}) WHEN 'number' THEN (${leaf.json})::numeric WHEN 'string' THEN ${this.context.schema}.to_numeric(${leaf.text}) END`;
      const sqlOperator = operator === "eq" ? "=" : SQL_ORDER[operator as keyof typeof SQL_ORDER];
      return `${number} ${sqlOperator} ${parameters.add(String(value), "numeric")}`;
    }
    if (definition.type === "dateTime") {
      if (typeof value !== "string" || value.includes("\u0000")) return undefined;
      if (operator !== "eq" && !(operator in SQL_ORDER)) return "false";
      const sqlOperator = operator === "eq" ? "=" : SQL_ORDER[operator as keyof typeof SQL_ORDER];
      // Columns hold core's own timestamps; data values go through the cast that
      // yields null instead of failing on a malformed string.
      const toTimestamp = `${this.context.schema}.to_timestamptz`;
      const column =
        leaf.json === undefined ? `(${leaf.text})::timestamptz` : `${toTimestamp}(${leaf.text})`;
      return `${column} ${sqlOperator} ${toTimestamp}(${parameters.add(value, "text")})`;
    }
    return undefined;
  }
}

const SQL_ORDER = { gt: ">", ge: ">=", lt: "<", le: "<=" } as const;

function jsonLeaf(container: string, name: string): Leaf {
  return { text: `${container} ->> ${literal(name)}`, json: `${container} -> ${literal(name)}` };
}

function relationCollection(from: string, fields: Record<string, Leaf>): Collection {
  const field = (sub: AttributeDefinition | undefined) =>
    sub === undefined ? undefined : fields[sub.name];
  return {
    exists: (condition) => {
      const where = condition === undefined ? undefined : condition(field);
      if (condition !== undefined && where === undefined) return undefined;
      return `EXISTS (SELECT 1 ${from}${where === undefined ? "" : ` AND ${where}`})`;
    },
  };
}
