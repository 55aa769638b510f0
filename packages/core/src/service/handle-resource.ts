import { badRequest, notFound, ScimError, unwrap } from "../errors";
import { parseMembers } from "../membership/membership-delta";
import { listResponse } from "../query/list-response";
import { type ListQuery, type ListQuerySource, parseListQuery } from "../query/parse-list-query";
import {
  isAttributeReturned,
  needsMembers,
  type Projection,
  projectResource,
} from "../query/project-resource";
import { versionTag } from "../repository/to-resource";
import { findAttribute } from "../schema/resolve-path";
import type { ResourceSchema, ScimObject } from "../schema/types";
import type {
  ChangeDraft,
  GetOptions,
  GroupRef,
  MemberRef,
  StoredRecord,
  StoreQuery,
} from "../store/contract";
import { isVersionConflict } from "../store/store-errors";
import { createdChanges, deletedChanges, emitChanges } from "./change-events";
import { changedAttributeNames } from "./changed-attributes";
import { etagMatches } from "./etag";
import { captureChanges, writeUpdate } from "./record-changes";
import type { ServiceContext } from "./service-context";
import type { TracedResponse } from "./trace";
import type { ScimRequest, ScimResponse } from "./types";
import { validateInput } from "./validate-input";

/** Version-conflict retries of a write that had no If-Match (RFC 7644 §3.14 leaves it to us). */
const MAX_WRITE_ATTEMPTS = 10;
/** Resources rendered (and their groups read) at once in a list. */
const RENDER_BATCH = 32;

const PROJECTION_PARAMETERS = new Set(["attributes", "excludedattributes"]);
const VALUE_FILTER = /\[[^\]]*\]/g;

/**
 * Lenient mode: `attributes=emails[type eq "work"]` (Microsoft's test collection)
 * names an attribute with a value filter RFC 7644 §3.9 has no room for; it is
 * read as the attribute itself (`emails`), which returns a superset.
 */
function withoutValueFilters(source: ListQuerySource): ListQuerySource {
  const strip = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(VALUE_FILTER, "");
    if (Array.isArray(value)) return value.map(strip);
    return value;
  };
  const rewrite = <T extends Record<string, unknown>>(parameters: T): T => {
    let copy: Record<string, unknown> | undefined;
    for (const name in parameters) {
      if (!PROJECTION_PARAMETERS.has(name.toLowerCase())) continue;
      // Own properties only, as parsed: a client's `__proto__` key stays a key.
      copy ??= Object.fromEntries(Object.entries(parameters));
      copy[name] = strip(copy[name]);
    }
    // Without attributes/excludedAttributes (an IdP's lookup) there is nothing to copy.
    return (copy ?? parameters) as T;
  };
  if (source.kind === "query") return { kind: "query", params: rewrite(source.params) };
  const body = source.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return source;
  return { kind: "search", body: rewrite(body as Record<string, unknown>) };
}

/** Parses a list request with the service's limits and leniencies. */
function parseList(
  context: ServiceContext,
  source: ListQuerySource,
  resourceSchema: ResourceSchema,
  cursor = context.options.pagination.cursor,
) {
  const { limits, strict } = context.options;
  return parseListQuery(strict ? source : withoutValueFilters(source), resourceSchema, {
    strict,
    maxCount: limits.maxPageSize,
    defaultCount: limits.defaultPageSize,
    cursor,
    maxFilterLength: limits.filter.maxLength,
    maxFilterDepth: limits.filter.maxDepth,
  });
}

/** `attributes`/`excludedAttributes` of a request that returns one resource. */
export function parseProjection(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
): Projection {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.query)) {
    if (PROJECTION_PARAMETERS.has(name.toLowerCase())) params[name] = value;
  }
  if (Object.keys(params).length === 0) return {};
  return unwrap(parseList(context, { kind: "query", params }, resourceSchema)).projection;
}

/** Whether a response with this projection shows the type's derived groups (User `groups`). */
export function showsGroups(resourceSchema: ResourceSchema, projection: Projection): boolean {
  const memberOfAttribute = resourceSchema.resourceType.memberOfAttribute;
  return (
    memberOfAttribute !== undefined &&
    isAttributeReturned(resourceSchema, projection, memberOfAttribute)
  );
}

/** The record as the client sees it, given its groups (when the projection shows them). */
function renderWithGroups(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  record: StoredRecord,
  projection: Projection,
  groups: readonly GroupRef[] | undefined,
): ScimObject {
  const resource = context.repository.toResource(
    record,
    groups === undefined
      ? { baseUrl: request.baseUrl }
      : { baseUrl: request.baseUrl, memberOf: groups },
  );
  return projectResource(resource, resourceSchema, projection);
}

/**
 * The record as the client sees it: resource JSON, derived `groups` when projected
 * (given, attached by the store's read, or read now), projection.
 */
async function render(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  record: StoredRecord,
  projection: Projection,
  memberOf?: readonly GroupRef[],
): Promise<ScimObject> {
  let groups = memberOf;
  if (groups === undefined && showsGroups(resourceSchema, projection)) {
    groups = record.memberOf ?? (await context.repository.memberOf(request.tenant, record.id));
  }
  return renderWithGroups(context, request, resourceSchema, record, projection, groups);
}

/**
 * Renders a page of records, a bounded number at a time (each may read its groups).
 * `groupsShown`: `showsGroups` of the projection, which the page's read was asked with.
 */
async function renderAll(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  records: readonly StoredRecord[],
  projection: Projection,
  groupsShown: boolean,
): Promise<ScimObject[]> {
  if (!groupsShown || records.every((record) => record.memberOf !== undefined)) {
    // Nothing to read: the store attached every record's groups, or none are shown.
    return records.map((record) =>
      renderWithGroups(
        context,
        request,
        resourceSchema,
        record,
        projection,
        groupsShown ? record.memberOf : undefined,
      ),
    );
  }
  const renderOne = (record: StoredRecord) =>
    render(context, request, resourceSchema, record, projection);
  if (records.length <= RENDER_BATCH) return Promise.all(records.map(renderOne));
  const resources: ScimObject[] = [];
  for (let start = 0; start < records.length; start += RENDER_BATCH) {
    const batch = records.slice(start, start + RENDER_BATCH);
    resources.push(...(await Promise.all(batch.map(renderOne))));
  }
  return resources;
}

function resourceHeaders(
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  record: StoredRecord,
): Record<string, string> {
  return {
    ETag: versionTag(record.version),
    Location: `${request.baseUrl}${resourceSchema.resourceType.endpoint}/${encodeURIComponent(record.id)}`,
  };
}

const resourceNotFound = (resourceSchema: ResourceSchema, id: string) =>
  notFound(`${resourceSchema.resourceType.name} "${id}" not found.`);

const preconditionFailed = (version: number) =>
  new ScimError({
    status: 412,
    detail: `The resource has changed: its current version is ${versionTag(version)}.`,
    code: "precondition_failed",
  });

function checkIfMatch(request: ScimRequest, record: StoredRecord): void {
  const ifMatch = request.headers["if-match"];
  if (ifMatch !== undefined && !etagMatches(ifMatch, record.version)) {
    throw preconditionFailed(record.version);
  }
}

/** The record a write targets: 404 when it is gone, 412 when If-Match names another version. */
export async function readForWrite(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  id: string,
  options?: GetOptions,
): Promise<StoredRecord> {
  const record = await context.repository.get(
    request.tenant,
    resourceSchema.resourceType.id,
    id,
    options,
  );
  if (record === undefined) throw resourceNotFound(resourceSchema, id);
  checkIfMatch(request, record);
  return record;
}

const pause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));

/**
 * Runs a read-modify-write. A version conflict when the client sent no If-Match
 * means another request won the race: re-read and try again, a few times.
 * With If-Match the client asked for exactly that version, so 412 stands.
 */
async function retryOnConflict<T>(request: ScimRequest, attempt: () => Promise<T>): Promise<T> {
  const retry = request.headers["if-match"] === undefined;
  for (let count = 1; ; count++) {
    try {
      return await attempt();
    } catch (error) {
      if (!retry || count >= MAX_WRITE_ATTEMPTS || !isVersionConflict(error)) throw error;
      await pause(count);
    }
  }
}

const coreSchemasOf = (context: ServiceContext) =>
  context.registry.resourceTypes().map((type) => type.schema);

/** Splits the relation attributes off validated data: members go to the relation, groups are derived. */
function splitRelations(
  context: ServiceContext,
  resourceSchema: ResourceSchema,
  data: ScimObject,
): { data: ScimObject; members: MemberRef[] | undefined } {
  const { membersAttribute, memberOfAttribute } = resourceSchema.resourceType;
  const rest = Object.assign({}, data);
  let members: MemberRef[] | undefined;
  if (membersAttribute !== undefined) {
    const definition = findAttribute(resourceSchema.core.attributes, membersAttribute);
    if (definition !== undefined && rest[membersAttribute] !== undefined) {
      members = unwrap(
        parseMembers(rest[membersAttribute], definition, {
          strict: context.options.strict,
          where: membersAttribute,
        }),
      );
    }
    delete rest[membersAttribute];
  }
  if (memberOfAttribute !== undefined) delete rest[memberOfAttribute];
  return { data: rest, members };
}

/** `GET /{type}/{id}`. */
export async function getResource(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  id: string,
): Promise<ScimResponse> {
  const projection = parseProjection(context, request, resourceSchema);
  const record = await context.repository.get(request.tenant, resourceSchema.resourceType.id, id, {
    includeMembers: needsMembers(resourceSchema, projection),
    includeMemberOf: showsGroups(resourceSchema, projection),
  });
  if (record === undefined) throw resourceNotFound(resourceSchema, id);
  const headers = resourceHeaders(request, resourceSchema, record);
  const ifNoneMatch = request.headers["if-none-match"];
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, record.version)) {
    return { status: 304, headers };
  }
  checkIfMatch(request, record);
  return {
    status: 200,
    headers,
    body: await render(context, request, resourceSchema, record, projection),
  };
}

/** `GET /{type}` and `POST /{type}/.search`. */
export async function listResources(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  source: ListQuerySource,
): Promise<ScimResponse> {
  const query = unwrap(parseList(context, source, resourceSchema));
  const groupsShown = showsGroups(resourceSchema, query.projection);
  // Optional fields are assigned, not spread: this is the path of every IdP lookup.
  const storeQuery: { -readonly [K in keyof StoreQuery]: StoreQuery[K] } = {
    resourceType: resourceSchema.resourceType.id,
    page: query.page,
    includeMembers: needsMembers(resourceSchema, query.projection),
    // A page's groups in the page's read, not one read per record.
    includeMemberOf: groupsShown,
  };
  if (query.filter !== undefined) storeQuery.filter = query.filter;
  if (query.sort !== undefined) storeQuery.sort = query.sort;
  const result = await context.repository.query(request.tenant, storeQuery);
  const resources = await renderAll(
    context,
    request,
    resourceSchema,
    result.records,
    query.projection,
    groupsShown,
  );
  return {
    status: 200,
    headers: {},
    body: listResponse({
      resources,
      totalResults: result.totalResults,
      page: query.page,
      nextCursor: result.nextCursor,
      previousCursor: result.previousCursor,
    }),
  };
}

/**
 * `POST /.search` at the root (RFC 7644 §3.4.3): the search runs against every
 * resource type whose schema the filter binds to; results are concatenated in
 * registration order and paged by index.
 */
export async function searchAllTypes(
  context: ServiceContext,
  request: ScimRequest,
): Promise<ScimResponse> {
  const parsed: { resourceSchema: ResourceSchema; query: ListQuery }[] = [];
  let firstError: ScimError | undefined;
  for (const resourceType of context.registry.resourceTypes()) {
    const resourceSchema = context.registry.resourceSchema(resourceType.id);
    const result = parseList(
      context,
      { kind: "search", body: request.body },
      resourceSchema,
      false,
    );
    if (result.ok) parsed.push({ resourceSchema, query: result.value });
    else firstError ??= result.error;
  }
  if (parsed.length === 0) throw firstError ?? badRequest("invalidFilter", "Nothing to search.");
  const page = parsed[0]!.query.page;
  if (page.kind !== "index") throw badRequest("invalidValue", "Root searches page by index only.");
  const resources: ScimObject[] = [];
  let totalResults = 0;
  const first = page.startIndex;
  const last = page.startIndex + page.count; // exclusive, 1-based
  for (const { resourceSchema, query } of parsed) {
    const result = await context.repository.query(request.tenant, {
      resourceType: resourceSchema.resourceType.id,
      ...(query.filter === undefined ? {} : { filter: query.filter }),
      ...(query.sort === undefined ? {} : { sort: query.sort }),
      page: { kind: "all" },
      includeMembers: needsMembers(resourceSchema, query.projection),
    });
    for (const record of result.records) {
      totalResults += 1;
      if (totalResults >= first && totalResults < last) {
        resources.push(await render(context, request, resourceSchema, record, query.projection));
      }
    }
  }
  return { status: 200, headers: {}, body: listResponse({ resources, totalResults, page }) };
}

/** `POST /{type}`: 201, `Location`, the created resource. */
export async function createResource(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
): Promise<TracedResponse> {
  const projection = parseProjection(context, request, resourceSchema);
  const validated = validateInput(resourceSchema, request.body, {
    strict: context.options.strict,
    coreSchemas: coreSchemasOf(context),
  });
  const { data, members: given } = splitRelations(context, resourceSchema, validated);
  const members =
    given === undefined
      ? undefined
      : await context.repository.resolveMembers(request.tenant, given);
  const capture = captureChanges(context, (next: StoredRecord) =>
    createdChanges(
      resourceSchema,
      context.repository.toResource(next, { baseUrl: request.baseUrl }),
      (members ?? []).map((member) => member.value),
    ),
  );
  const resourceType = resourceSchema.resourceType.id;
  const record = await context.repository.create(request.tenant, {
    resourceType,
    data,
    ...(members === undefined ? {} : { members }),
    changes: capture.changes,
  });
  emitChanges(
    context.events,
    { tenant: request.tenant, resourceType, id: record.id },
    capture.drafts(),
  );
  const withMembers: StoredRecord =
    members === undefined ? record : Object.assign({}, record, { members });
  const changedAttributes = changedAttributeNames({}, record.data);
  const membersAttribute = resourceSchema.resourceType.membersAttribute;
  if (membersAttribute !== undefined && (members ?? []).length > 0) {
    changedAttributes.push(membersAttribute);
  }
  return {
    status: 201,
    headers: resourceHeaders(request, resourceSchema, record),
    body: await render(context, request, resourceSchema, withMembers, projection, []),
    trace: { resourceId: record.id, changedAttributes },
  };
}

/** `PUT /{type}/{id}`: replaces every writable attribute (and the members). */
export async function replaceResource(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  id: string,
): Promise<TracedResponse> {
  const projection = parseProjection(context, request, resourceSchema);
  return retryOnConflict(request, async () => {
    // The answer's groups come with the read: a resource's own PUT never changes them.
    const record = await readForWrite(context, request, resourceSchema, id, {
      includeMemberOf: showsGroups(resourceSchema, projection),
    });
    const validated = validateInput(resourceSchema, request.body, {
      strict: context.options.strict,
      existing: record.data,
      coreSchemas: coreSchemasOf(context),
    });
    const { data, members } = splitRelations(context, resourceSchema, validated);
    const { record: updated, changedAttributes } = await writeUpdate(
      context,
      request,
      resourceSchema,
      record,
      {
        data,
        members: members === undefined ? undefined : { replaceAll: true, add: members, remove: [] },
      },
    );
    // The answer is what was stored (RFC 7644 §3.5.1): a member already present keeps
    // its stored `display`, so members are read back rather than echoed.
    const shown: StoredRecord =
      members !== undefined && needsMembers(resourceSchema, projection)
        ? ((await context.repository.get(request.tenant, resourceSchema.resourceType.id, id, {
            includeMembers: true,
          })) ?? updated)
        : updated;
    return {
      status: 200,
      headers: resourceHeaders(request, resourceSchema, shown),
      body: await render(context, request, resourceSchema, shown, projection, record.memberOf),
      trace: { changedAttributes },
    };
  });
}

const DAY_MILLISECONDS = 86_400_000;

/**
 * `DELETE /{type}/{id}`: 204, then 404 for everything (RFC 7644 §3.6). Soft
 * mode trashes the record with its memberships until `now + retentionDays`.
 */
export async function deleteResource(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  id: string,
): Promise<ScimResponse> {
  const resourceType = resourceSchema.resourceType.id;
  const { deletion } = context.options;
  const target = { tenant: request.tenant, resourceType, id };
  const recorded = (drafts: readonly ChangeDraft[]) => (context.options.changeFeed ? drafts : []);
  if (deletion.mode === "hard") {
    if (request.headers["if-match"] !== undefined) {
      await readForWrite(context, request, resourceSchema, id);
    }
    const drafts = deletedChanges(resourceSchema, { soft: false });
    const deleted = await context.repository.delete(request.tenant, resourceType, id, {
      changes: recorded(drafts),
    });
    if (!deleted) throw resourceNotFound(resourceSchema, id);
    emitChanges(context.events, target, drafts);
    return { status: 204, headers: {} };
  }
  // The record is read first: the events report whether the user was still active.
  const record = await readForWrite(context, request, resourceSchema, id);
  const purgeAfter = new Date(
    context.options.clock().getTime() + deletion.retentionDays * DAY_MILLISECONDS,
  ).toISOString();
  const drafts = deletedChanges(resourceSchema, {
    soft: true,
    purgeAfter,
    resource: context.repository.toResource(record, { baseUrl: request.baseUrl }),
  });
  const deleted = await context.repository.softDelete(request.tenant, resourceType, id, {
    purgeAfter,
    changes: recorded(drafts),
  });
  if (!deleted) throw resourceNotFound(resourceSchema, id);
  emitChanges(context.events, target, drafts);
  return { status: 204, headers: {} };
}

export { render, resourceHeaders, retryOnConflict };
