import { ok, type Result } from "../errors";
import type { BoundFilter } from "../filter/ast";
import { compareValues } from "../filter/compare-values";
import { compileFilter } from "../filter/compile-filter";
import type { ResolvedPath } from "../path/ast";
import { printPath } from "../schema/resolve-path";
import type { AttributeDefinition, ScimObject } from "../schema/types";
import type { GroupRef, StoredRecord, StoreQuery, StoreQueryResult } from "../store/contract";
import { type CursorPosition, decodeCursor, encodeCursor } from "./cursor";
import { toResource } from "./to-resource";

/** Options of `queryInMemory`. */
export interface QueryInMemoryOptions {
  /**
   * The groups of a record, read only when the filter or sort names
   * `query.memberOfAttribute`. @default () => []
   */
  readonly memberOf?: (record: StoredRecord) => readonly GroupRef[];
}

/** Whether any path in `filter` names the top-level core attribute `attribute`. */
export function filterReferences(filter: BoundFilter, attribute: string): boolean {
  switch (filter.kind) {
    case "Comparison":
    case "Present":
    case "ValuePath":
      if (filter.path.isCore && filter.path.attribute === attribute) return true;
      return filter.kind === "ValuePath" && filterReferences(filter.filter, attribute);
    case "Logical":
      return filterReferences(filter.left, attribute) || filterReferences(filter.right, attribute);
    case "Not":
      return filterReferences(filter.filter, attribute);
  }
}

interface SortKey {
  readonly hasValue: boolean;
  readonly value: unknown;
  readonly id: string;
}

const isObject = (value: unknown): value is ScimObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isPrimitive = (value: unknown): value is string | number | boolean =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean";

/** The definition sort values are compared with: a complex attribute sorts by its `value`. */
function sortDefinition(path: ResolvedPath): AttributeDefinition | undefined {
  if (path.subDefinition !== undefined) return path.subDefinition;
  if (path.definition.type !== "complex") return path.definition;
  return path.definition.subAttributes?.find((sub) => sub.name === "value");
}

/**
 * The value a resource sorts by (RFC 7644 §3.4.2.3): a multi-valued attribute
 * sorts by its primary value, else its first; a complex one by its `value`.
 */
function sortValue(resource: ScimObject, path: ResolvedPath): unknown {
  const container = path.isCore ? resource : resource[path.schema];
  if (!isObject(container)) return undefined;
  let value = container[path.attribute];
  if (Array.isArray(value)) {
    value = value.find((element) => isObject(element) && element.primary === true) ?? value[0];
  }
  if (path.definition.type === "complex") {
    if (!isObject(value)) return undefined;
    value = value[path.subAttribute ?? "value"];
    if (Array.isArray(value)) value = value[0];
  }
  return value;
}

/**
 * Filters, sorts and pages records in memory, exactly as a store that pushes
 * everything down must: the same semantics as `StoreQuery` describes. Used by
 * core's fallback for stores without push-down, and by stores that keep records
 * in memory. Records with members carry them only when `query.includeMembers`.
 * Fails with 400 `invalidCursor` for a cursor it did not issue for this sort.
 */
export function queryInMemory(
  records: Iterable<StoredRecord>,
  query: StoreQuery,
  options: QueryInMemoryOptions = {},
): Result<StoreQueryResult> {
  const layout = {
    membersAttribute: query.membersAttribute,
    memberOfAttribute: query.memberOfAttribute,
  };
  const groupsAttribute = query.memberOfAttribute;
  const needsGroups =
    groupsAttribute !== undefined &&
    ((query.filter !== undefined && filterReferences(query.filter, groupsAttribute)) ||
      (query.sort?.path.isCore === true && query.sort.path.attribute === groupsAttribute));
  const view = (record: StoredRecord) =>
    toResource(record, layout, {
      memberOf: needsGroups ? (options.memberOf?.(record) ?? []) : undefined,
    });

  let matches: StoredRecord[];
  if (query.filter === undefined) {
    matches = Array.isArray(records) ? (records as StoredRecord[]) : [...records];
  } else {
    const predicate = compileFilter(query.filter);
    matches = [];
    for (const record of records) if (predicate(view(record))) matches.push(record);
  }

  const sort = query.sort;
  const descending = sort?.order === "descending";
  const definition = sort === undefined ? undefined : sortDefinition(sort.path);
  const compareKeys = (left: SortKey, right: SortKey): number => {
    let result = 0;
    if (left.hasValue && right.hasValue && definition !== undefined) {
      result = compareValues(left.value, right.value, definition);
      if (Number.isNaN(result)) result = 0;
    } else if (left.hasValue !== right.hasValue) {
      result = left.hasValue ? -1 : 1;
    }
    if (descending) result = -result;
    if (result !== 0) return result;
    return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
  };

  const cursorPaging = query.page.kind === "cursor";
  let ordered: { record: StoredRecord; key: SortKey }[] | undefined;
  if (sort !== undefined || cursorPaging) {
    ordered = matches.map((record) => {
      const value = sort === undefined ? undefined : sortValue(view(record), sort.path);
      const hasValue = isPrimitive(value);
      return { record, key: { hasValue, value: hasValue ? value : null, id: record.id } };
    });
    ordered.sort((left, right) => compareKeys(left.key, right.key));
    matches = ordered.map((entry) => entry.record);
  }

  const strip = (record: StoredRecord): StoredRecord => {
    if (query.includeMembers === true || record.members === undefined) return record;
    const { members: _members, ...rest } = record;
    return rest;
  };
  const totalResults = matches.length;
  const page = query.page;
  if (page.kind === "all") return ok({ records: matches.map(strip), totalResults });
  const count = Math.max(0, Math.floor(page.count));
  if (page.kind === "index") {
    const start = Math.max(1, Math.floor(page.startIndex)) - 1;
    return ok({ records: matches.slice(start, start + count).map(strip), totalResults });
  }

  const sortId = sort === undefined ? "id" : `${printPath(sort.path)} ${sort.order}`;
  let start = 0;
  if (page.cursor !== undefined) {
    const decoded = decodeCursor(page.cursor, sortId);
    if (!decoded.ok) return decoded;
    const position: SortKey = decoded.value;
    const keys = ordered ?? [];
    let low = 0;
    let high = keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeys(keys[middle]!.key, position) <= 0) low = middle + 1;
      else high = middle;
    }
    start = low;
  }
  const pageRecords = matches.slice(start, start + count);
  const last = ordered?.[start + pageRecords.length - 1];
  const more = start + pageRecords.length < totalResults && last !== undefined && count > 0;
  const nextPosition: CursorPosition | undefined = more
    ? { sort: sortId, hasValue: last.key.hasValue, value: last.key.value, id: last.key.id }
    : undefined;
  return ok({
    records: pageRecords.map(strip),
    totalResults,
    ...(nextPosition === undefined ? {} : { nextCursor: encodeCursor(nextPosition) }),
  });
}
