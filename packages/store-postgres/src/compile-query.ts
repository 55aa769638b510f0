import type { BoundFilter, ResolvedPath, SortOrder } from "@scimkit/core";
import { FilterCompiler, type SqlContext } from "./compile-filter";
import { memberOfJson } from "./memberships";
import { literal, SqlParameters } from "./sql-parameters";

/** The SQL a sort orders by, and the type its value has (for cursor values). */
export interface SortKey {
  readonly expression: string;
  readonly kind: "text" | "numeric" | "boolean";
}

/** A statement: text with `$n` placeholders, and their values. */
export interface Statement {
  readonly text: string;
  readonly values: unknown[];
}

/** Where a cursor page starts: after the record with this sort value and id. */
export interface KeysetPosition {
  /** The sort key as text (`::text` of the sort expression); null when the record had none. */
  readonly value: string | null;
  readonly id: string;
}

export interface ListQueryInput {
  readonly tenant: string;
  readonly filter?: BoundFilter | undefined;
  readonly sort?: { readonly path: ResolvedPath; readonly order: SortOrder } | undefined;
  /** `limit` absent: every row. `after`: keyset start for cursor pages. */
  readonly limit?: number;
  readonly offset?: number;
  readonly after?: KeysetPosition;
  /** Select each row's groups as `member_of` (`memberOfJson`). */
  readonly memberOf?: boolean;
}

export interface CompiledList {
  /**
   * Rows `id, version, created, last_modified, data` (and `sort_key` when sorted,
   * `member_of` when asked for).
   */
  readonly select: Statement;
  /** One row `total`: matches over all pages. */
  readonly count: Statement;
  readonly sortKey?: SortKey;
}

/**
 * The expression a record sorts by (RFC 7644 §3.4.2.3): a multi-valued attribute
 * by its primary value, else its first; a complex one by its `value`. Values of
 * the wrong JSON type count as absent. `undefined` when the store cannot sort by it.
 */
export function compileSortKey(path: ResolvedPath, context: SqlContext): SortKey | undefined {
  const row = context.row;
  if (path.isCore) {
    if (path.attribute === context.membersAttribute) return undefined;
    if (path.attribute === context.memberOfAttribute) return undefined;
    if (path.attribute === "id" && path.subAttribute === undefined) {
      return { expression: `${row}.id`, kind: "text" };
    }
    if (path.attribute === "meta") {
      switch (path.subAttribute) {
        case "created":
          return {
            expression: `extract(epoch FROM (${row}.created)::timestamptz)`,
            kind: "numeric",
          };
        case "lastModified":
          return {
            expression: `extract(epoch FROM (${row}.last_modified)::timestamptz)`,
            kind: "numeric",
          };
        case "resourceType":
          return { expression: `${row}.resource_type`, kind: "text" };
        default:
          return undefined;
      }
    }
  }
  const data = path.isCore ? `${row}.data` : `${row}.data -> ${literal(path.schema)}`;
  const attribute = `${data} -> ${literal(path.attribute)}`;
  let picked = attribute;
  if (path.definition.multiValued) {
    picked =
      `COALESCE((SELECT item FROM jsonb_array_elements(CASE jsonb_typeof(${attribute}) WHEN 'array' THEN ${attribute} ELSE '[]'::jsonb END) AS item` +
      ` WHERE item -> 'primary' = 'true'::jsonb LIMIT 1), ${attribute} -> 0)`;
  }
  let definition = path.definition;
  let value = picked;
  if (path.definition.type === "complex") {
    const sub =
      path.subDefinition ?? path.definition.subAttributes?.find((entry) => entry.name === "value");
    if (sub === undefined || sub.multiValued) return undefined;
    definition = sub;
    value = `${picked} -> ${literal(sub.name)}`;
  } else if (path.subDefinition !== undefined) {
    return undefined;
  }
  const when = (jsonType: string, then: string) =>
    `CASE WHEN jsonb_typeof(${value}) = '${jsonType}' THEN ${then} END`;
  switch (definition.type) {
    case "string":
    case "reference":
    case "binary": {
      const text = `(${value} #>> '{}')`;
      return {
        expression: `${when("string", definition.caseExact ? text : `lower(${text})`)} COLLATE "C"`,
        kind: "text",
      };
    }
    case "integer":
    case "decimal":
      return { expression: when("number", `(${value})::numeric`), kind: "numeric" };
    case "boolean":
      return { expression: when("boolean", `(${value})::boolean`), kind: "boolean" };
    case "dateTime":
      return {
        expression: `extract(epoch FROM ${context.schema}.to_timestamptz(${when("string", `${value} #>> '{}'`)}))`,
        kind: "numeric",
      };
    default:
      return undefined;
  }
}

const CAST = { text: "text", numeric: "numeric", boolean: "boolean" } as const;

/**
 * The attributes migration 1 indexes by expression (`resources_by_user_name`,
 * `..._external_id`, `..._display_name`): the lookups IdPs make before a create.
 */
const INDEXED_ATTRIBUTES: ReadonlySet<string> = new Set(["userName", "externalId", "displayName"]);

/** Whether the filter requires `attribute eq "value"` of an indexed attribute (a top-level conjunct). */
function hasIndexedEquality(filter: BoundFilter): boolean {
  if (filter.kind === "Logical") {
    return (
      filter.operator === "and" &&
      (hasIndexedEquality(filter.left) || hasIndexedEquality(filter.right))
    );
  }
  return (
    filter.kind === "Comparison" &&
    filter.operator === "eq" &&
    typeof filter.value === "string" &&
    filter.path.isCore &&
    filter.path.subAttribute === undefined &&
    !filter.path.definition.multiValued &&
    INDEXED_ATTRIBUTES.has(filter.path.attribute)
  );
}

/**
 * Compiles a list query: the page's rows and the count over all pages. Order is
 * the sort key (ascending: absent values last; descending: first), then `id`
 * ascending, so pages neither repeat nor skip. `undefined` when the filter or
 * sort cannot be pushed down.
 */
export function compileListQuery(
  input: ListQueryInput,
  context: SqlContext,
): CompiledList | undefined {
  const { schema, row } = context;
  const parameters = new SqlParameters();
  const tenant = parameters.add(input.tenant, "text");
  const where = [
    `${row}.tenant = ${tenant}`,
    `${row}.resource_type = ${parameters.add(context.resourceType, "text")}`,
  ];
  if (input.filter !== undefined) {
    const compiled = new FilterCompiler(context, parameters).compile(input.filter);
    if (compiled === undefined) return undefined;
    where.push(compiled);
  }
  const count: Statement = {
    text: `SELECT count(*) AS total FROM ${schema}.resources ${row} WHERE ${where.join(" AND ")}`,
    values: [...parameters.values],
  };

  let sortKey: SortKey | undefined;
  if (input.sort !== undefined) {
    sortKey = compileSortKey(input.sort.path, context);
    if (sortKey === undefined) return undefined;
  }
  const descending = input.sort?.order === "descending";
  const select = new SqlParameters(parameters.values);
  const pageWhere = [...where];
  if (input.after !== undefined) {
    const id = select.add(input.after.id, "text");
    if (sortKey === undefined) {
      pageWhere.push(`${row}.id > ${id}`);
    } else {
      const key = sortKey.expression;
      if (input.after.value === null) {
        pageWhere.push(
          descending
            ? `(${key} IS NOT NULL OR ${row}.id > ${id})`
            : `(${key} IS NULL AND ${row}.id > ${id})`,
        );
      } else {
        const value = select.add(input.after.value, CAST[sortKey.kind]);
        pageWhere.push(
          descending
            ? `(${key} < ${value} OR (${key} = ${value} AND ${row}.id > ${id}))`
            : `(${key} > ${value} OR (${key} = ${value} AND ${row}.id > ${id}) OR ${key} IS NULL)`,
        );
      }
    }
  }
  const order =
    sortKey === undefined
      ? `${row}.id`
      : `${sortKey.expression} ${descending ? "DESC NULLS FIRST" : "ASC NULLS LAST"}, ${row}.id`;
  // A lookup by an indexed attribute reads its few rows through that index and
  // sorts them. Left to itself, a planner without statistics (PGlite never
  // gathers any) walks the primary key in id order to skip the sort and filters
  // every record of the type: O(n) per lookup, before every create of a sync.
  const source =
    input.filter !== undefined && hasIndexedEquality(input.filter)
      ? `(SELECT * FROM ${schema}.resources ${row} WHERE ${pageWhere.join(" AND ")} OFFSET 0) ${row}`
      : undefined;
  let text =
    `SELECT ${row}.id, ${row}.version, ${row}.created, ${row}.last_modified, ${row}.data` +
    (sortKey === undefined ? "" : `, (${sortKey.expression})::text AS sort_key`) +
    // Correlated, so PostgreSQL computes it for the page's rows only (after the LIMIT).
    (input.memberOf === true
      ? `, ${memberOfJson(schema, context, tenant, `${row}.id`)} AS member_of`
      : "") +
    (source === undefined
      ? ` FROM ${schema}.resources ${row} WHERE ${pageWhere.join(" AND ")}`
      : ` FROM ${source}`) +
    ` ORDER BY ${order}`;
  if (input.limit !== undefined) text += ` LIMIT ${select.add(input.limit, "integer")}`;
  if (input.offset !== undefined && input.offset > 0) {
    text += ` OFFSET ${select.add(input.offset, "integer")}`;
  }
  return {
    select: { text, values: select.values },
    count,
    ...(sortKey === undefined ? {} : { sortKey }),
  };
}
