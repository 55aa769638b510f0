import { ok, type Result, type ScimError } from "../errors";
import type { BoundFilter } from "../filter/ast";
import { bindFilter } from "../filter/bind-filter";
import { parseFilter } from "../filter/parser";
import type { ResolvedPath } from "../path/ast";
import { parseAttributePath } from "../path/parse-attribute-path";
import { findSchema, resolvePath } from "../schema/resolve-path";
import type { ResourceSchema } from "../schema/types";
import { SEARCH_REQUEST_SCHEMA } from "../schema/urns";
import type { SortOrder } from "../store/contract";
import { queryError } from "./messages";
import type { Projection, ProjectionPath } from "./project-resource";

/** Where a list request came from: a GET query string or a `POST /.search` body. */
export type ListQuerySource =
  | {
      readonly kind: "query";
      /** Decoded query parameters; names are matched case-insensitively, unknown ones ignored. */
      readonly params: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: "search";
      /** The parsed SearchRequest body (RFC 7644 §3.4.3). */
      readonly body: unknown;
    };

/** The page asked for; the same shape as `StoreQuery.page` (without `all`). */
export type ListPage =
  | { readonly kind: "index"; readonly startIndex: number; readonly count: number }
  | { readonly kind: "cursor"; readonly cursor?: string; readonly count: number };

/**
 * A parsed, schema-bound list request. `filter`, `sort` and `page` are exactly
 * the `StoreQuery` fields of the same names.
 */
export interface ListQuery {
  readonly filter?: BoundFilter;
  readonly sort?: { readonly path: ResolvedPath; readonly order: SortOrder };
  /**
   * Index paging unless the client sent `cursor`. When the client named no method
   * (`pagination: "unspecified"`) this is index paging from 1 and the service may
   * pick its default method instead.
   */
  readonly page: ListPage;
  /** Which paging method the client asked for: `startIndex` -> index, `cursor` -> cursor. */
  readonly pagination: "index" | "cursor" | "unspecified";
  readonly projection: Projection;
}

export interface ListQueryOptions {
  /**
   * Reject what lenient mode tolerates: a SearchRequest without `schemas`, unknown
   * attribute names in `attributes`/`excludedAttributes` (lenient: ignored), and the
   * lenient filter forms `parseFilter` documents.
   * @default false
   */
  readonly strict?: boolean;
  /** Largest page. Index paging caps `count` at it; cursor paging rejects more (`invalidCount`). @default 200 */
  readonly maxCount?: number;
  /** Page size when the client sends no `count`. @default maxCount */
  readonly defaultCount?: number;
  /** Whether cursor paging is offered; when false a `cursor` parameter is ignored (RFC 7644 §3.4.2). @default true */
  readonly cursor?: boolean;
  /** Longest filter accepted, in characters. @default 8192 */
  readonly maxFilterLength?: number;
  /** Deepest filter nesting accepted. @default 64 */
  readonly maxFilterDepth?: number;
}

export const DEFAULT_MAX_COUNT = 200;
/** Most entries `attributes` or `excludedAttributes` may list. */
export const MAX_PROJECTION_PATHS = 200;
/** Longest cursor accepted. */
export const MAX_CURSOR_LENGTH = 1024;

/** RFC 3986 §2.3 unreserved characters, the only ones RFC 9865 §2 allows in a cursor. */
const CURSOR_PATTERN = /^[A-Za-z0-9\-._~]*$/;
const INTEGER_PATTERN = /^[+-]?\d+$/;

type Parameters = ReadonlyMap<string, unknown>;

/** The default projection, shared: nothing downstream modifies a projection. */
const NO_PROJECTION: Result<Projection> = ok(Object.freeze({}));

function collect(source: ListQuerySource, strict: boolean): Result<Parameters> {
  const parameters = new Map<string, unknown>();
  if (source.kind === "query") {
    for (const [name, value] of Object.entries(source.params)) {
      const key = name.toLowerCase();
      if (!parameters.has(key)) parameters.set(key, value);
    }
    return ok(parameters);
  }
  const body = source.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, error: queryError("invalidSyntax", "query.body_not_object") };
  }
  for (const [name, value] of Object.entries(body)) {
    const key = name.toLowerCase();
    if (!parameters.has(key) && value !== null) parameters.set(key, value);
  }
  const schemas = parameters.get("schemas");
  const listsSchema =
    Array.isArray(schemas) &&
    schemas.some(
      (schema) =>
        typeof schema === "string" && schema.toLowerCase() === SEARCH_REQUEST_SCHEMA.toLowerCase(),
    );
  if (!listsSchema && (strict || schemas !== undefined)) {
    return { ok: false, error: queryError("invalidSyntax", "query.missing_schema") };
  }
  return ok(parameters);
}

/** An integer parameter: JSON numbers or numeric strings; empty string means absent. */
function readInteger(
  parameters: Parameters,
  name: string,
  onError: (value: string) => ScimError,
): Result<number | undefined> {
  const value = parameters.get(name.toLowerCase());
  if (value === undefined) return ok(undefined);
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return { ok: false, error: onError(String(value)) };
    return ok(clampSafe(value));
  }
  if (typeof value !== "string") return { ok: false, error: onError(String(value)) };
  const text = value.trim();
  if (text === "") return ok(undefined);
  if (!INTEGER_PATTERN.test(text)) return { ok: false, error: onError(text.slice(0, 64)) };
  return ok(clampSafe(Number(text)));
}

const clampSafe = (value: number) =>
  Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, value));

function readString(parameters: Parameters, name: string): Result<string | undefined> {
  const value = parameters.get(name.toLowerCase());
  if (value === undefined || typeof value === "string") return ok(value);
  return { ok: false, error: queryError("invalidValue", "query.wrong_type", name, "a string") };
}

function readProjectionPaths(
  parameters: Parameters,
  name: string,
  resourceSchema: ResourceSchema,
  strict: boolean,
): Result<ProjectionPath[] | undefined> {
  const value = parameters.get(name.toLowerCase());
  if (value === undefined) return ok(undefined);
  const texts: string[] = [];
  const entries = Array.isArray(value) ? value : [value];
  for (const entry of entries) {
    if (typeof entry !== "string") {
      return {
        ok: false,
        error: queryError("invalidValue", "query.wrong_type", name, "a string or array of strings"),
      };
    }
    for (const part of entry.split(",")) {
      const text = part.trim();
      if (text !== "") texts.push(text);
      if (texts.length > MAX_PROJECTION_PATHS) {
        return {
          ok: false,
          error: queryError(
            "invalidValue",
            "query.too_many_attributes",
            name,
            MAX_PROJECTION_PATHS,
          ),
        };
      }
    }
  }
  const paths: ProjectionPath[] = [];
  for (const text of texts) {
    const schema = findSchema(resourceSchema, text);
    if (schema !== undefined) {
      paths.push({ kind: "SchemaSelector", schema: schema.schema.id, isCore: schema.isCore });
      continue;
    }
    const parsed = parseAttributePath(text);
    if (!parsed.ok) return parsed;
    const resolved = resolvePath(resourceSchema, parsed.value, "invalidValue");
    if (resolved.ok) paths.push(resolved.value);
    else if (strict) return resolved;
  }
  return ok(paths);
}

function readProjection(
  parameters: Parameters,
  resourceSchema: ResourceSchema,
  strict: boolean,
): Result<Projection> {
  const attributes = readProjectionPaths(parameters, "attributes", resourceSchema, strict);
  if (!attributes.ok) return attributes;
  const excludedAttributes = readProjectionPaths(
    parameters,
    "excludedAttributes",
    resourceSchema,
    strict,
  );
  if (!excludedAttributes.ok) return excludedAttributes;
  if (attributes.value === undefined && excludedAttributes.value === undefined) {
    return NO_PROJECTION;
  }
  return ok(
    Object.assign(
      {},
      attributes.value === undefined ? {} : { attributes: attributes.value },
      excludedAttributes.value === undefined
        ? {}
        : { excludedAttributes: excludedAttributes.value },
    ),
  );
}

/**
 * Parses only `attributes`/`excludedAttributes`, for responses other than lists
 * (GET one, POST, PUT, PATCH: RFC 7644 §3.9). Same rules as in `parseListQuery`.
 */
export function parseProjection(
  source: ListQuerySource,
  resourceSchema: ResourceSchema,
  options: Pick<ListQueryOptions, "strict"> = {},
): Result<Projection> {
  const strict = options.strict ?? false;
  const collected = collect(source, strict);
  if (!collected.ok) return collected;
  return readProjection(collected.value, resourceSchema, strict);
}

function readSort(
  parameters: Parameters,
  resourceSchema: ResourceSchema,
): Result<ListQuery["sort"]> {
  const sortBy = readString(parameters, "sortBy");
  if (!sortBy.ok) return sortBy;
  const sortOrder = readString(parameters, "sortOrder");
  if (!sortOrder.ok) return sortOrder;
  let order: SortOrder = "ascending";
  const orderText = sortOrder.value?.trim() ?? "";
  if (orderText !== "") {
    const lowered = orderText.toLowerCase();
    if (lowered !== "ascending" && lowered !== "descending") {
      return {
        ok: false,
        error: queryError("invalidValue", "query.sort_order", orderText.slice(0, 64)),
      };
    }
    order = lowered;
  }
  const sortText = sortBy.value?.trim() ?? "";
  if (sortText === "") return ok(undefined);
  const parsed = parseAttributePath(sortText);
  if (!parsed.ok) return parsed;
  const resolved = resolvePath(resourceSchema, parsed.value, "invalidPath");
  if (!resolved.ok) return resolved;
  let path = resolved.value;
  if (path.subAttribute === undefined && path.definition.type === "complex") {
    // RFC 7644 §3.4.2.3 sorts a multi-valued attribute by its (primary) `value`.
    const valueDefinition = path.definition.subAttributes?.find(
      (candidate) => candidate.name === "value",
    );
    if (!path.definition.multiValued || valueDefinition === undefined) {
      return {
        ok: false,
        error: queryError("invalidPath", "query.sort_complex", sortText.slice(0, 256)),
      };
    }
    path = Object.assign({}, path, {
      subAttribute: valueDefinition.name,
      subDefinition: valueDefinition,
    });
  }
  return ok({ path, order });
}

function readPage(
  parameters: Parameters,
  options: ListQueryOptions,
): Result<{ page: ListPage; pagination: ListQuery["pagination"] }> {
  const maxCount = Math.max(0, options.maxCount ?? DEFAULT_MAX_COUNT);
  const defaultCount = Math.min(maxCount, Math.max(0, options.defaultCount ?? maxCount));
  const cursorValue = options.cursor === false ? undefined : parameters.get("cursor");
  const startIndexGiven = parameters.get("startindex") !== undefined;

  if (cursorValue !== undefined) {
    if (startIndexGiven) {
      return { ok: false, error: queryError("invalidValue", "query.cursor_and_index") };
    }
    if (
      typeof cursorValue !== "string" ||
      cursorValue.length > MAX_CURSOR_LENGTH ||
      !CURSOR_PATTERN.test(cursorValue)
    ) {
      return { ok: false, error: queryError("invalidCursor", "query.cursor_invalid") };
    }
    const invalidCount = () => queryError("invalidCount", "query.count_invalid", maxCount);
    const count = readInteger(parameters, "count", invalidCount);
    if (!count.ok) return count;
    if (count.value !== undefined && (count.value < 1 || count.value > maxCount)) {
      return { ok: false, error: invalidCount() };
    }
    const page: ListPage =
      cursorValue === ""
        ? { kind: "cursor", count: count.value ?? defaultCount }
        : { kind: "cursor", cursor: cursorValue, count: count.value ?? defaultCount };
    return ok({ page, pagination: "cursor" });
  }

  const startIndex = readInteger(parameters, "startIndex", (value) =>
    queryError("invalidValue", "query.not_integer", "startIndex", value),
  );
  if (!startIndex.ok) return startIndex;
  const count = readInteger(parameters, "count", (value) =>
    queryError("invalidValue", "query.not_integer", "count", value),
  );
  if (!count.ok) return count;
  return ok({
    page: {
      kind: "index",
      // RFC 7644 §3.4.2.4: startIndex < 1 is 1; a negative count is 0; never more than the maximum.
      startIndex: Math.max(1, startIndex.value ?? 1),
      count: Math.min(maxCount, Math.max(0, count.value ?? defaultCount)),
    },
    pagination: startIndex.value !== undefined ? "index" : "unspecified",
  });
}

/**
 * Parses and binds a list request (RFC 7644 §3.4.2 query parameters or an
 * §3.4.3 SearchRequest body; RFC 9865 `cursor`). Total: every input gives a
 * `ListQuery` or a 400 ScimError.
 *
 * - `filter`: parsed and bound; errors are `invalidFilter`.
 * - `sortBy`: an unknown attribute is 400 `invalidPath` (the value is an attribute
 *   path that names nothing); a complex multi-valued attribute sorts by its `value`.
 *   `sortOrder` is case-insensitive, `ascending` by default, anything else `invalidValue`.
 * - `startIndex` below 1 means 1; `count` below 0 means 0 and above `maxCount` means
 *   `maxCount`; non-integers are `invalidValue`. Numbers may be JSON numbers or strings.
 * - `cursor` (present, even empty) selects cursor paging: an empty value asks for the
 *   first page; a value outside RFC 3986 unreserved characters is `invalidCursor`;
 *   `count` outside 1..`maxCount` is `invalidCount`; `startIndex` with `cursor` is `invalidValue`.
 * - `attributes`/`excludedAttributes`: comma-separated strings or arrays, names
 *   case-insensitive, URN-qualified names and whole schema URNs accepted.
 * Unknown parameters are ignored (RFC 7644 §3.4.2).
 */
export function parseListQuery(
  source: ListQuerySource,
  resourceSchema: ResourceSchema,
  options: ListQueryOptions = {},
): Result<ListQuery> {
  const strict = options.strict ?? false;
  const collected = collect(source, strict);
  if (!collected.ok) return collected;
  const parameters = collected.value;

  let filter: BoundFilter | undefined;
  const filterText = readString(parameters, "filter");
  if (!filterText.ok) return filterText;
  if (filterText.value !== undefined && filterText.value.trim() !== "") {
    const parsed = parseFilter(filterText.value, {
      strict,
      maxLength: options.maxFilterLength,
      maxDepth: options.maxFilterDepth,
    });
    if (!parsed.ok) return parsed;
    const bound = bindFilter(parsed.value, resourceSchema);
    if (!bound.ok) return bound;
    filter = bound.value;
  }

  const sort = readSort(parameters, resourceSchema);
  if (!sort.ok) return sort;
  const page = readPage(parameters, options);
  if (!page.ok) return page;
  const projection = readProjection(parameters, resourceSchema, strict);
  if (!projection.ok) return projection;
  // Optional fields assigned, not spread: every IdP lookup is parsed here.
  const query: { -readonly [K in keyof ListQuery]: ListQuery[K] } = {
    page: page.value.page,
    pagination: page.value.pagination,
    projection: projection.value,
  };
  if (filter !== undefined) query.filter = filter;
  if (sort.value !== undefined) query.sort = sort.value;
  return ok(query);
}
