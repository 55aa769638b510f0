import type { ScimErrorBody } from "../errors";
import { badRequest, notFound, ScimError } from "../errors";
import { createRepository } from "../repository/create-repository";
import {
  createSchemaRegistry,
  renderSchema,
  type SchemaRegistry,
  type SchemaRegistryOptions,
} from "../schema/create-schema-registry";
import { DISCOVERY_SCHEMAS } from "../schema/service-provider-schemas";
import type { ScimObject } from "../schema/types";
import { LIST_RESPONSE_SCHEMA } from "../schema/urns";
import type { LogEntry, RestoredRecord } from "../store/contract";
import { emitChanges, purgedType, restoredChanges } from "./change-events";
import { createEventEmitter, type ScimEvents } from "./events";
import { guessIdp } from "./guess-idp";
import { handleBulk } from "./handle-bulk";
import {
  createResource,
  deleteResource,
  getResource,
  listResources,
  replaceResource,
  searchAllTypes,
} from "./handle-resource";
import { createRouteMatcher, type Route } from "./match-route";
import { type ResolvedBaseOptions, resolveBaseOptions, type ServiceOptionsBase } from "./options";
import { patchResource } from "./patch-resource";
import { createHousekeeping, createLogWriter, type PruneResult } from "./provisioning-log";
import { createRateLimiter } from "./rate-limiter";
import { renderServiceProviderConfig } from "./render-service-provider-config";
import type { ServiceContext } from "./service-context";
import type { RequestTrace, TracedResponse } from "./trace";
import type { ScimHandler, ScimRequest, ScimResponse } from "./types";

/** Options of `createScimService`: a store, plus either a registry or schema options. */
export type ScimServiceOptions = ServiceOptionsBase &
  (
    | {
        /** A registry built with `createSchemaRegistry`, shared with other code. */
        readonly registry: SchemaRegistry;
        readonly schemas?: never;
        readonly resourceTypes?: never;
        readonly extensions?: never;
      }
    | ({ readonly registry?: never } & SchemaRegistryOptions)
  );

/** The protocol service: one handler for every SCIM endpoint, plus its events. */
export interface ScimService extends ScimEvents {
  /** Serves one request; never rejects (failures are SCIM error responses). */
  readonly handle: ScimHandler;
  /** Subscribe to change events (the same `on`/`off` as on the service itself). */
  readonly events: ScimEvents;
  /** The schemas and resource types this service serves. */
  readonly registry: SchemaRegistry;
  /**
   * Permanently removes soft-deleted resources of every tenant whose `purgeAfter`
   * is at or before `now`, emits `user.purged` / `group.purged` /
   * `resource.purged` for each after the commit, and resolves to how many it
   * removed. Core runs no timers: call it from your app on a schedule (e.g. hourly
   * with `setInterval`). Resolves to 0 when the store has no trash.
   */
  purgeExpired(options?: PurgeExpiredOptions): Promise<number>;
  /**
   * Brings a soft-deleted resource back from the trash with the same id, its
   * attributes, and the memberships whose other side still exists; emits
   * `user.restored` / `group.restored` / `resource.restored`. Resolves to the
   * resource, or `undefined` when it is not in the trash (never deleted, hard
   * deleted or purged). Rejects with a 409 `uniqueness` ScimError when the IdP
   * has meanwhile created a resource with one of its unique values (the usual
   * case after Entra re-creates a user), and with TypeError when the store has
   * no `restoreDeleted`.
   */
  restoreDeleted(
    tenant: string,
    resourceType: string,
    id: string,
    options?: RestoreDeletedServiceOptions,
  ): Promise<ScimObject | undefined>;
  /**
   * Deletes changes and provisioning-log entries past their retention, in
   * bounded batches, and resolves to how many. The service also does this by
   * itself after requests, at most every five minutes.
   */
  prune(): Promise<PruneResult>;
  /** Writes the provisioning-log entries still buffered (before shutting down, in tests). */
  flush(): Promise<void>;
}

/** Options of `ScimService.purgeExpired`. */
export interface PurgeExpiredOptions {
  /** The instant to compare `purgeAfter` with. @default the service's `clock()` */
  readonly now?: Date;
}

/** Options of `ScimService.restoreDeleted`. */
export interface RestoreDeletedServiceOptions {
  /**
   * Absolute URL of the SCIM mount point, for the restored resource's
   * `meta.location`. @default "" (the location is then a path such as `/Users/{id}`)
   */
  readonly baseUrl?: string;
}

const INTERNAL_ERROR_DETAIL = "An internal error occurred.";

/**
 * Creates the SCIM 2.0 protocol service (RFC 7644) over a store:
 *
 * ```ts
 * const service = createScimService({ store: memoryStore() });
 * service.on("user.deactivated", ({ tenant, id }) => revokeSessions(tenant, id));
 * app.use("/scim/v2", scimRouter({ handler: service.handle, auth }));
 * ```
 *
 * Options are validated here (TypeError naming the option), never on a request.
 */
export function createScimService(options: ScimServiceOptions): ScimService {
  const base = resolveBaseOptions(options);
  const registry = resolveRegistry(options);
  const repository = createRepository({
    store: base.store,
    registry,
    clock: base.clock,
  });
  const events = createEventEmitter((error, event) => base.onError(error, { event }));
  const context: ServiceContext = { options: base, registry, repository, events };
  const matchRoute = createRouteMatcher(registry.resourceTypes());

  const dispatch = (
    request: ScimRequest,
    nested: boolean,
    target: Route = matchRoute(request.path),
  ): Promise<TracedResponse> =>
    route(context, request, target, nested, (inner) =>
      // A bulk operation's failure, expected or not, is that operation's response.
      dispatch(inner, true).catch((error: unknown) => errorResponse(context, inner, error)),
    );

  const logWriter =
    base.log && base.store.log !== undefined
      ? createLogWriter(base.store.log, (error) => reportError(base, error))
      : undefined;
  const housekeeping = createHousekeeping({
    store: base.store,
    changeRetentionDays: base.changeFeed ? base.changeRetentionDays : undefined,
    logRetentionDays: base.log ? base.logRetentionDays : undefined,
    clock: base.clock,
    onError: (error) => reportError(base, error),
  });
  const limiter =
    base.rateLimit === undefined
      ? undefined
      : createRateLimiter(Object.assign({}, base.rateLimit, { now: () => base.clock().getTime() }));

  const handle: ScimHandler = async (request) => {
    const started = performance.now();
    const time = base.clock();
    const target = matchRoute(request.path);
    let response: TracedResponse;
    const wait = limiter?.take(request.tokenId ?? `tenant:${request.tenant}`) ?? 0;
    if (wait > 0) {
      response = tooManyRequests(wait);
    } else {
      try {
        response = await dispatch(request, false, target);
      } catch (error) {
        response = errorResponse(context, request, error);
      }
    }
    // Built field by field: a rest pattern copies through the runtime on every request.
    const answer: ScimResponse =
      response.body === undefined
        ? { status: response.status, headers: response.headers }
        : { status: response.status, headers: response.headers, body: response.body };
    if (logWriter !== undefined) {
      const { trace } = response;
      const routed = routeTrace(target);
      logWriter.push(
        logEntry(
          request,
          answer,
          trace === undefined ? routed : Object.assign({}, routed, trace),
          time,
          started,
        ),
      );
      housekeeping.maybeRun();
    } else if (base.changeFeed) {
      housekeeping.maybeRun();
    }
    return answer;
  };

  const purgeExpired = async (purgeOptions: PurgeExpiredOptions = {}): Promise<number> => {
    const now = purgeOptions.now ?? base.clock();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
      throw new TypeError("scimkit: purgeExpired `now` must be a valid Date.");
    }
    const schemaOf = (resourceType: string) =>
      registry.resourceType(resourceType) === undefined
        ? undefined
        : registry.resourceSchema(resourceType);
    const changeTypes: Record<string, string> = {};
    for (const type of registry.resourceTypes())
      changeTypes[type.id] = purgedType(schemaOf(type.id));
    const purged = await repository.purgeDeleted(
      now.toISOString(),
      base.changeFeed ? { changeTypes } : {},
    );
    for (const entry of purged) {
      emitChanges(events, entry, [
        { type: purgedType(schemaOf(entry.resourceType)), data: { purgeAfter: entry.purgeAfter } },
      ]);
    }
    return purged.length;
  };

  const restoreDeleted = async (
    tenant: string,
    resourceType: string,
    id: string,
    restoreOptions: RestoreDeletedServiceOptions = {},
  ): Promise<ScimObject | undefined> => {
    const baseUrl = restoreOptions.baseUrl ?? "";
    const changesOf = (restored: RestoredRecord) =>
      restoredChanges(
        registry.resourceSchema(restored.resourceType),
        restored,
        repository.toResource(restored, { baseUrl }),
      );
    const record = await repository.restoreDeleted(
      tenant,
      resourceType,
      id,
      base.changeFeed ? { changes: changesOf } : {},
    );
    if (record === undefined) return undefined;
    emitChanges(events, { tenant, resourceType: record.resourceType, id }, changesOf(record));
    return repository.toResource(record, { baseUrl });
  };

  const subscribe: ScimEvents = { on: events.on, off: events.off };
  return {
    handle,
    events: subscribe,
    registry,
    on: events.on,
    off: events.off,
    purgeExpired,
    restoreDeleted,
    prune: () => housekeeping.run(),
    flush: async () => {
      await logWriter?.flush();
    },
  };

  /** The resource a request addresses, from its route alone (also when it fails). */
  function routeTrace(target: Route): RequestTrace {
    if (target.kind === "resource") return { resourceType: target.type, resourceId: target.id };
    if (target.kind === "collection" || target.kind === "collectionSearch") {
      return { resourceType: target.type };
    }
    return {};
  }
}

function resolveRegistry(options: ScimServiceOptions): SchemaRegistry {
  const { registry } = options as { registry?: SchemaRegistry };
  if (registry !== undefined) {
    if (
      typeof registry !== "object" ||
      registry === null ||
      typeof registry.resourceSchema !== "function"
    ) {
      throw new TypeError("scimkit: `registry` must come from createSchemaRegistry().");
    }
    const other = options as SchemaRegistryOptions;
    if (
      other.schemas !== undefined ||
      other.resourceTypes !== undefined ||
      other.extensions !== undefined
    ) {
      throw new TypeError(
        "scimkit: pass either `registry` or `schemas`/`resourceTypes`/`extensions`, not both.",
      );
    }
    return registry;
  }
  const { schemas, resourceTypes, extensions } = options as SchemaRegistryOptions;
  try {
    return createSchemaRegistry(
      Object.assign(
        {},
        schemas === undefined ? {} : { schemas },
        resourceTypes === undefined ? {} : { resourceTypes },
        extensions === undefined ? {} : { extensions },
      ),
    );
  } catch (error) {
    if (error instanceof TypeError && !error.message.startsWith("scimkit:")) {
      throw new TypeError(`scimkit: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

const hasParameter = (request: ScimRequest, name: string) =>
  Object.keys(request.query).some((key) => key.toLowerCase() === name);

function reportError(options: ResolvedBaseOptions, error: unknown): void {
  try {
    options.onError(error, {});
  } catch {
    // A failing error hook must not break the service.
  }
}

/** 429 for a token over its `rateLimit` (RFC 6585; Entra honours `Retry-After`). */
function tooManyRequests(seconds: number): TracedResponse {
  return {
    status: 429,
    headers: { "Retry-After": String(seconds) },
    body: new ScimError({
      status: 429,
      detail: `Too many requests for these credentials; retry in ${seconds} s.`,
      code: "rate_limited",
    }).toJSON(),
  };
}

/** Random per process, so log ids of several instances never collide. */
const LOG_INSTANCE = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(5)), (byte) =>
  byte.toString(36).padStart(2, "0"),
).join("");
let logSequence = 0;
/**
 * Log entry ids sort like the entries' time and, within one millisecond, like
 * their order in this process, so "newest first" is stable.
 */
function nextLogId(time: Date): string {
  logSequence = (logSequence + 1) % 1_679_616; // 36^4
  return `${timeOf(time).idPrefix}${logSequence.toString(36).padStart(4, "0")}${LOG_INSTANCE}`;
}

/** The last millisecond's ISO text and id prefix: several requests share a millisecond under load. */
let lastTime = { ms: Number.NaN, iso: "", idPrefix: "" };
function timeOf(time: Date): { readonly iso: string; readonly idPrefix: string } {
  const ms = time.getTime();
  if (ms !== lastTime.ms) {
    lastTime = { ms, iso: time.toISOString(), idPrefix: ms.toString(36).padStart(9, "0") };
  }
  return lastTime;
}

/** The provisioning-log entry of one answered request: no query, no body values. */
function logEntry(
  request: ScimRequest,
  response: ScimResponse,
  trace: RequestTrace,
  time: Date,
  started: number,
): LogEntry {
  const entry: {
    -readonly [K in keyof LogEntry]: LogEntry[K];
  } = {
    id: nextLogId(time),
    tenant: request.tenant,
    time: timeOf(time).iso,
    method: request.method.toUpperCase(),
    path: request.path.length > 1024 ? request.path.slice(0, 1024) : request.path,
    status: response.status,
    durationMs: Math.round((performance.now() - started) * 100) / 100,
  };
  if (request.tokenId !== undefined) entry.tokenId = request.tokenId;
  if (response.status >= 400) {
    const body = response.body as Partial<ScimErrorBody> | undefined;
    if (body?.scimType !== undefined) entry.scimType = body.scimType;
    if (typeof body?.detail === "string") entry.detail = body.detail.slice(0, 1024);
  }
  if (trace.resourceType !== undefined) entry.resourceType = trace.resourceType;
  if (trace.resourceId !== undefined) entry.resourceId = trace.resourceId;
  if (trace.changedAttributes !== undefined && trace.changedAttributes.length > 0) {
    entry.changedAttributes = trace.changedAttributes;
  }
  const idp = guessIdp(request.headers["user-agent"], request.query);
  if (idp !== undefined) entry.idp = idp;
  return entry;
}

function errorResponse(
  context: ServiceContext,
  request: ScimRequest,
  error: unknown,
): ScimResponse {
  if (ScimError.is(error) && error.status >= 400 && error.status <= 599) {
    return { status: error.status, headers: {}, body: error.toJSON() };
  }
  try {
    context.options.onError(error, { request });
  } catch {
    // A failing error hook must not turn a 500 into a rejected promise.
  }
  return {
    status: 500,
    headers: {},
    body: new ScimError({ status: 500, detail: INTERNAL_ERROR_DETAIL }).toJSON(),
  };
}

const methodNotAllowed = (method: string, allowed: readonly string[]): ScimResponse => ({
  status: 405,
  headers: { Allow: allowed.join(", ") },
  body: new ScimError({
    status: 405,
    detail: `${method} is not supported here; use ${allowed.join(", ")}.`,
    code: "method_not_allowed",
  }).toJSON(),
});

function listOf(resources: readonly unknown[]) {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources,
  };
}

function withLocation(representation: Record<string, unknown>, location: string) {
  const meta = (representation.meta ?? {}) as Record<string, unknown>;
  return Object.assign({}, representation, { meta: Object.assign({}, meta, { location }) });
}

/** `/Schemas` and `/ResourceTypes`: the whole list, or one entry by id, with meta.location. */
function discovery(
  id: string | undefined,
  source: {
    readonly all: () => readonly Record<string, unknown>[];
    readonly one: (id: string) => Record<string, unknown> | undefined;
    readonly location: (id: string) => string;
    readonly missing: (id: string) => string;
  },
): ScimResponse {
  const located = (entry: Record<string, unknown>) =>
    withLocation(entry, source.location(String(entry.id)));
  if (id === undefined) {
    return { status: 200, headers: {}, body: listOf(source.all().map(located)) };
  }
  const entry = source.one(id);
  if (entry === undefined) throw notFound(source.missing(id));
  return { status: 200, headers: {}, body: located(entry) };
}

async function route(
  context: ServiceContext,
  request: ScimRequest,
  target: Route,
  nested: boolean,
  dispatchNested: (request: ScimRequest) => Promise<ScimResponse>,
): Promise<ScimResponse> {
  const { registry } = context;
  const method = request.method.toUpperCase();
  if (
    (target.kind === "serviceProviderConfig" ||
      target.kind === "schemas" ||
      target.kind === "resourceTypes") &&
    hasParameter(request, "filter")
  ) {
    // RFC 7644 §4: a filter on discovery SHOULD be refused, so no client assumes it applied.
    throw new ScimError({
      status: 403,
      detail: "Discovery endpoints do not support filtering.",
      code: "discovery.filter",
    });
  }
  switch (target.kind) {
    case "serviceProviderConfig": {
      if (method !== "GET") return methodNotAllowed(method, ["GET"]);
      return {
        status: 200,
        headers: {},
        body: renderServiceProviderConfig(context.options, request.baseUrl),
      };
    }
    case "schemas": {
      if (method !== "GET") return methodNotAllowed(method, ["GET"]);
      return discovery(target.id, {
        all: () => [...registry.schemaRepresentations(), ...DISCOVERY_SCHEMAS.map(renderSchema)],
        one: (id) => {
          const found = registry.schemaRepresentation(id);
          if (found !== undefined) return found;
          const discoverySchema = DISCOVERY_SCHEMAS.find(
            (schema) => schema.id.toLowerCase() === id.toLowerCase(),
          );
          return discoverySchema === undefined ? undefined : renderSchema(discoverySchema);
        },
        location: (id) => `${request.baseUrl}/Schemas/${id}`,
        missing: (id) => `Schema "${id}" not found.`,
      });
    }
    case "resourceTypes": {
      if (method !== "GET") return methodNotAllowed(method, ["GET"]);
      return discovery(target.id, {
        all: () => registry.resourceTypeRepresentations(),
        one: (id) => registry.resourceTypeRepresentation(id),
        location: (id) => `${request.baseUrl}/ResourceTypes/${encodeURIComponent(id)}`,
        missing: (id) => `Resource type "${id}" not found.`,
      });
    }
    case "bulk": {
      if (nested) throw badRequest("invalidValue", "A bulk operation cannot target /Bulk.");
      if (method !== "POST") return methodNotAllowed(method, ["POST"]);
      return handleBulk(request, context.options.limits.bulk, dispatchNested);
    }
    case "search": {
      if (method !== "POST") return methodNotAllowed(method, ["POST"]);
      return searchAllTypes(context, request);
    }
    case "me": {
      if (context.options.me === undefined || target.search) {
        throw new ScimError({
          status: 501,
          detail: target.search
            ? "POST /Me/.search is not supported."
            : "/Me is not supported by this service provider.",
          code: "me.not_supported",
        });
      }
      const id = await context.options.me(request);
      if (id === undefined) throw notFound("No resource is associated with these credentials.");
      // RFC 7644 §3.11: /Me is an alias of the authenticated subject's User resource.
      const userType = registry.resourceType("User");
      if (userType === undefined) throw notFound("/Me needs a User resource type.");
      return route(
        context,
        Object.assign({}, request, { path: `${userType.endpoint}/${encodeURIComponent(id)}` }),
        { kind: "resource", type: userType.id, id },
        nested,
        dispatchNested,
      );
    }
    case "collection": {
      const resourceSchema = registry.resourceSchema(target.type);
      if (method === "GET") {
        return listResources(context, request, resourceSchema, {
          kind: "query",
          params: request.query,
        });
      }
      if (method === "POST") return createResource(context, request, resourceSchema);
      return methodNotAllowed(method, ["GET", "POST"]);
    }
    case "collectionSearch": {
      if (method !== "POST") return methodNotAllowed(method, ["POST"]);
      const resourceSchema = registry.resourceSchema(target.type);
      return listResources(context, request, resourceSchema, {
        kind: "search",
        body: request.body,
      });
    }
    case "resource": {
      const resourceSchema = registry.resourceSchema(target.type);
      switch (method) {
        case "GET":
          return getResource(context, request, resourceSchema, target.id);
        case "PUT":
          return replaceResource(context, request, resourceSchema, target.id);
        case "PATCH":
          return patchResource(context, request, resourceSchema, target.id);
        case "DELETE":
          return deleteResource(context, request, resourceSchema, target.id);
        default:
          return methodNotAllowed(method, ["GET", "PUT", "PATCH", "DELETE"]);
      }
    }
    case "notFound":
      throw notFound(`No SCIM endpoint at "${request.path}".`);
  }
}
