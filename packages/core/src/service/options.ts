import { SCIMKIT_LIMITS_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA } from "../schema/urns";
import type { ScimStore } from "../store/contract";
import { STORE_SPECIFICATION_VERSION } from "../store/contract";
import type { ScimEventName } from "./events";
import type { ScimRequest } from "./types";

/** An authentication scheme advertised in `/ServiceProviderConfig` (RFC 7643 §5). */
export interface AuthenticationScheme {
  /** e.g. `oauthbearertoken`, `httpbasic`. */
  readonly type: string;
  readonly name: string;
  readonly description: string;
  readonly specUri?: string;
  readonly documentationUri?: string;
  readonly primary?: boolean;
}

/**
 * What the host adds to `/ServiceProviderConfig`: capabilities the service itself
 * does not render, such as RFC 9967's `securityEvents` (a package that delivers
 * security events advertises them here), or data of an extension schema.
 */
export interface ServiceProviderConfigExtension {
  /**
   * Top-level attributes, rendered after the service's own. They may not replace
   * an attribute the service renders (`patch`, `bulk`, `filter`, `changePassword`,
   * `sort`, `etag`, `pagination`, `authenticationSchemes`, `documentationUri`,
   * `schemas`, `meta`, ...); names compare case-insensitively, as SCIM attribute
   * names do. An attribute named by a schema URN (extension data) needs that URN in
   * `schemas`. Values must be JSON; they are copied when the service is created.
   */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** Extension schema URNs appended to the config's `schemas`. */
  readonly schemas?: readonly string[];
}

/** Input bounds; every one is advertised in `/ServiceProviderConfig`. */
export interface ScimServiceLimits {
  /** Operations accepted in one PATCH request (400 `tooMany` beyond). @default 1000 */
  readonly maxPatchOperations?: number;
  /**
   * Most resources one list response returns, whatever `count` asks
   * (`filter.maxResults` and `pagination.maxPageSize`). @default 1000
   */
  readonly maxPageSize?: number;
  /** Page size when the request names no `count`. @default 100 */
  readonly defaultPageSize?: number;
  readonly filter?: {
    /** Characters accepted in one filter (400 `invalidFilter` beyond). @default 4096 */
    readonly maxLength?: number;
    /** Nesting depth accepted in one filter. @default 32 */
    readonly maxDepth?: number;
  };
  readonly bulk?: {
    /** Operations accepted in one `/Bulk` request (413 beyond, RFC 7644 §3.7.4). @default 1000 */
    readonly maxOperations?: number;
    /** Bytes of JSON accepted in one `/Bulk` request (413 beyond). @default 1048576 */
    readonly maxPayloadSize?: number;
  };
}

/** Context passed to `onError` with every unexpected failure. */
export interface ScimErrorContext {
  /** The request being served, when the failure happened inside one. */
  readonly request?: ScimRequest;
  /** The event whose listener threw, when a listener failed. */
  readonly event?: ScimEventName;
}

/**
 * What `DELETE /{type}/{id}` does. Either way the resource answers 404 from then
 * on, leaves every query, group and member list, and frees its unique keys, so
 * the IdP can create it again (as a new resource with a new id).
 * - `hard`: the record and its memberships are removed at once.
 * - `soft`: the record and its memberships move to the store's trash and are
 *   removed for good by `service.purgeExpired()` once `retentionDays` have
 *   passed (Entra waits 30 days between its soft and hard delete); until then
 *   `service.restoreDeleted()` can bring them back. Needs a store with
 *   `softDelete` and `purgeDeleted`.
 */
export type DeletionOptions =
  | { readonly mode: "hard" }
  | {
      readonly mode: "soft";
      /** Days a deleted resource stays in the trash; 0 purges it on the next `purgeExpired`. */
      readonly retentionDays: number;
    };

/** Longest retention accepted, so `purgeAfter` stays a valid date. */
const MAX_RETENTION_DAYS = 36_500;

interface ServiceOptionsBase {
  /** Where resources live: `memoryStore()`, `postgresStore(...)`, or your own. */
  readonly store: ScimStore;
  /**
   * Reject what lenient mode tolerates from real IdPs (unquoted filter values,
   * data under unknown schema URNs, complex values sent as strings, ...).
   * @default false
   */
  readonly strict?: boolean;
  /**
   * What a successful PATCH answers (RFC 7644 §3.5.2 allows 200 with the resource
   * or 204): `"resource"` = 200 with the resource (honouring `attributes`),
   * `"noContent"` = 204 with no body, `"auto"` = 204 for resource types with a
   * membership relation (Groups) unless the request names `attributes` or
   * `excludedAttributes`, 200 with the resource otherwise. Entra expects 204 for
   * group PATCHes and advises against echoing members: a 100 000-member group's
   * body is megabytes per one-member change.
   * @default "auto"
   */
  readonly patchResponse?: "auto" | "resource" | "noContent";
  readonly limits?: ScimServiceLimits;
  /** Hard or soft delete; see `DeletionOptions`. @default { mode: "hard" } */
  readonly deletion?: DeletionOptions;
  readonly pagination?: {
    /**
     * Offer RFC 9865 cursor pagination (`cursor`, `nextCursor`); needs a store with
     * `capabilities.cursor`. @default store.capabilities.cursor === true
     */
    readonly cursor?: boolean;
    /** Seconds a cursor stays valid, as advertised. @default 3600 */
    readonly cursorTimeout?: number;
  };
  /** Advertised in `/ServiceProviderConfig`. @default one `oauthbearertoken` scheme */
  readonly authenticationSchemes?: readonly AuthenticationScheme[];
  /**
   * Resolves `/Me` (RFC 7644 §3.11) to the id of the User the credentials belong
   * to; `undefined` answers 404. Without it `/Me` answers 501.
   */
  readonly me?: (request: ScimRequest) => string | undefined | Promise<string | undefined>;
  /**
   * Receives every unexpected error (a 500's cause, a throwing event listener).
   * The client only ever sees a generic 500 body. @default console.error
   */
  readonly onError?: (error: unknown, context: ScimErrorContext) => void;
  /** The time source for `meta.created`/`lastModified`; for tests. @default () => new Date() */
  readonly clock?: () => Date;
  /** Link served as `documentationUri` in `/ServiceProviderConfig`. */
  readonly documentationUri?: string;
  /** Attributes and schemas added to `/ServiceProviderConfig`; see the type. @default none */
  readonly serviceProviderConfig?: ServiceProviderConfigExtension;
  /**
   * Record every committed change in the store's durable change feed
   * (`store.feed`), in the write's own transaction, for consumers and webhooks
   * (`createChangeConsumer`). `false` records nothing (in-process events still
   * fire). Changes older than `retentionDays` are pruned in bounded batches.
   * @default on, with `retentionDays: 30`, when the store has a feed
   */
  readonly changeFeed?: boolean | { readonly retentionDays?: number };
  /**
   * Keep the provisioning log (`store.log`): one entry per request with its
   * status, resource, changed attribute names (never values), duration and the
   * IdP guessed from the User-Agent. Entries are written in batches after the
   * response, so the log never fails or delays a request. `false` keeps none.
   * @default on, with `retentionDays: 30`, when the store has a log
   */
  readonly log?: boolean | { readonly retentionDays?: number };
  /**
   * Requests per second each token (or each tenant, for credentials without a
   * token id) may make; beyond it the answer is 429 with `Retry-After`, which
   * Entra honours. Counted per process. @default off
   */
  readonly rateLimit?: { readonly requestsPerSecond: number; readonly burst?: number };
}

export const DEFAULT_AUTHENTICATION_SCHEME: AuthenticationScheme = {
  type: "oauthbearertoken",
  name: "OAuth Bearer Token",
  description: "Authentication with a bearer token in the Authorization header.",
  specUri: "https://www.rfc-editor.org/info/rfc6750",
  primary: true,
};

/** The limits with every default filled in. */
export interface ResolvedLimits {
  readonly maxPatchOperations: number;
  readonly maxPageSize: number;
  readonly defaultPageSize: number;
  readonly filter: { readonly maxLength: number; readonly maxDepth: number };
  readonly bulk: { readonly maxOperations: number; readonly maxPayloadSize: number };
}

export interface ResolvedBaseOptions {
  readonly store: ScimStore;
  readonly strict: boolean;
  readonly patchResponse: "auto" | "resource" | "noContent";
  readonly limits: ResolvedLimits;
  readonly deletion: DeletionOptions;
  readonly pagination: { readonly cursor: boolean; readonly cursorTimeout: number };
  readonly authenticationSchemes: readonly AuthenticationScheme[];
  readonly me: ServiceOptionsBase["me"];
  readonly onError: (error: unknown, context: ScimErrorContext) => void;
  readonly clock: () => Date;
  readonly documentationUri: string | undefined;
  /** Added to `/ServiceProviderConfig` (validated, copied). */
  readonly serviceProviderConfig: {
    readonly attributes: Readonly<Record<string, unknown>>;
    readonly schemas: readonly string[];
  };
  /** Whether writes record their changes in `store.feed`. */
  readonly changeFeed: boolean;
  readonly changeRetentionDays: number;
  /** Whether requests are logged to `store.log`. */
  readonly log: boolean;
  readonly logRetentionDays: number;
  readonly rateLimit: { readonly requestsPerSecond: number; readonly burst: number } | undefined;
}

const DEFAULT_RETENTION_DAYS = 30;

/** A feature switch that may carry `{ retentionDays }`; fails when the store lacks the feature. */
function resolveRetained(
  value: unknown,
  name: string,
  available: boolean,
  feature: string,
): { readonly on: boolean; readonly retentionDays: number } {
  if (value === undefined) return { on: available, retentionDays: DEFAULT_RETENTION_DAYS };
  if (value === false) return { on: false, retentionDays: DEFAULT_RETENTION_DAYS };
  const settings = value === true ? {} : optionalObject(value, name);
  if (!available) fail(`${name} needs a store with \`${feature}\`.`);
  const days = settings.retentionDays ?? DEFAULT_RETENTION_DAYS;
  if (
    typeof days !== "number" ||
    !Number.isFinite(days) ||
    days <= 0 ||
    days > MAX_RETENTION_DAYS
  ) {
    fail(
      `${name}.retentionDays must be a number of days above 0 and at most ${MAX_RETENTION_DAYS}, got ${describe(days)}.`,
    );
  }
  return { on: true, retentionDays: days as number };
}

/** Attributes `/ServiceProviderConfig` renders itself, lower-cased. */
const RENDERED_CONFIG_ATTRIBUTES = new Set(
  [
    "schemas",
    "id",
    "externalId",
    "meta",
    "documentationUri",
    "patch",
    "bulk",
    "filter",
    "changePassword",
    "sort",
    "etag",
    "pagination",
    "authenticationSchemes",
    SERVICE_PROVIDER_CONFIG_SCHEMA,
    SCIMKIT_LIMITS_SCHEMA,
  ].map((name) => name.toLowerCase()),
);

function resolveServiceProviderConfig(
  value: unknown,
): ResolvedBaseOptions["serviceProviderConfig"] {
  const extension = optionalObject(value, "`serviceProviderConfig`");
  const schemasInput = extension.schemas ?? [];
  if (!Array.isArray(schemasInput)) {
    fail(
      `\`serviceProviderConfig.schemas\` must be an array of schema URNs, got ${describe(schemasInput)}.`,
    );
  }
  const schemas: string[] = [];
  for (const [index, urn] of (schemasInput as unknown[]).entries()) {
    if (typeof urn !== "string" || !/^urn:\S{1,500}$/i.test(urn)) {
      fail(
        `\`serviceProviderConfig.schemas[${index}]\` must be a schema URN (urn:...), got ${describe(urn)}.`,
      );
    }
    const known = [SERVICE_PROVIDER_CONFIG_SCHEMA, SCIMKIT_LIMITS_SCHEMA, ...schemas];
    if (!known.some((other) => other.toLowerCase() === (urn as string).toLowerCase())) {
      schemas.push(urn as string);
    }
  }
  const attributesInput = optionalObject(
    extension.attributes,
    "`serviceProviderConfig.attributes`",
  );
  const seen = new Set<string>();
  for (const key of Object.keys(attributesInput)) {
    const lower = key.toLowerCase();
    if (key === "" || RENDERED_CONFIG_ATTRIBUTES.has(lower)) {
      fail(
        `\`serviceProviderConfig.attributes\` may not set ${JSON.stringify(key)}: the service renders it.`,
      );
    }
    if (seen.has(lower)) {
      fail(`\`serviceProviderConfig.attributes\` names ${JSON.stringify(key)} twice.`);
    }
    seen.add(lower);
    if (lower.startsWith("urn:") && !schemas.some((urn) => urn.toLowerCase() === lower)) {
      fail(
        `\`serviceProviderConfig.attributes\` has extension data under ${JSON.stringify(key)}: list that URN in \`serviceProviderConfig.schemas\`.`,
      );
    }
  }
  try {
    return {
      attributes: JSON.parse(JSON.stringify(attributesInput)) as Record<string, unknown>,
      schemas,
    };
  } catch {
    return fail("`serviceProviderConfig.attributes` must be JSON (no cycles, no BigInt).");
  }
}

function resolveRateLimit(value: unknown): ResolvedBaseOptions["rateLimit"] {
  if (value === undefined) return undefined;
  const settings = optionalObject(value, "`rateLimit`");
  const rate = settings.requestsPerSecond;
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate <= 0) {
    return fail(
      `\`rateLimit.requestsPerSecond\` must be a positive number, got ${describe(rate)}.`,
    );
  }
  const burst = positiveInteger(settings.burst, "`rateLimit.burst`", Math.max(1, Math.ceil(rate)));
  return { requestsPerSecond: rate, burst };
}

const fail = (message: string): never => {
  throw new TypeError(`scimkit: ${message}`);
};

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    return fail(`${name} must be a positive integer, got ${describe(value)}.`);
  }
  return value;
}

function optionalObject(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(`${name} must be an object, got ${describe(value)}.`);
  }
  return value as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return `a ${typeof value}`;
}

function optionalFunction<T>(value: unknown, name: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function")
    return fail(`${name} must be a function, got ${describe(value)}.`);
  return value as T;
}

function resolveDeletion(value: unknown, store: ScimStore): DeletionOptions {
  const deletion = optionalObject(value, "`deletion`");
  const mode = deletion.mode ?? "hard";
  if (mode === "hard") {
    if (deletion.retentionDays !== undefined) {
      fail('`deletion.retentionDays` applies only to `deletion.mode` "soft".');
    }
    return { mode: "hard" };
  }
  if (mode !== "soft") {
    return fail(`\`deletion.mode\` must be "hard" or "soft", got ${describe(mode)}.`);
  }
  const retentionDays = deletion.retentionDays;
  if (
    typeof retentionDays !== "number" ||
    !Number.isFinite(retentionDays) ||
    retentionDays < 0 ||
    retentionDays > MAX_RETENTION_DAYS
  ) {
    return fail(
      `\`deletion.retentionDays\` must be a number of days from 0 to ${MAX_RETENTION_DAYS}, got ${describe(retentionDays)}.`,
    );
  }
  const methods = store as unknown as Record<string, unknown>;
  const missing = ["softDelete", "purgeDeleted"].filter(
    (method) => typeof methods[method] !== "function",
  );
  if (missing.length > 0) {
    fail(
      `\`deletion.mode\` "soft" needs a store that implements ${missing.map((method) => `\`${method}\``).join(" and ")}.`,
    );
  }
  return { mode: "soft", retentionDays };
}

const defaultOnError = (error: unknown, context: ScimErrorContext) => {
  const where = context.request ? ` (${context.request.method} ${context.request.path})` : "";
  const event = context.event ? ` (listener of ${context.event})` : "";
  console.error(`scimkit: unexpected error${where}${event}`, error);
};

/**
 * Validates the options that do not depend on the schema registry and fills in
 * defaults. Throws TypeError naming the offending option.
 */
export function resolveBaseOptions(options: unknown): ResolvedBaseOptions {
  const input = optionalObject(options, "createScimService options");
  if (options === undefined) fail("createScimService needs options with a `store`.");
  const store = input.store as ScimStore | undefined;
  if (typeof store !== "object" || store === null) {
    fail("`store` is required: pass memoryStore(), postgresStore(...) or your own ScimStore.");
  }
  const storeObject = store as ScimStore;
  if (storeObject.specificationVersion !== STORE_SPECIFICATION_VERSION) {
    fail(
      `\`store\` implements ${describe(storeObject.specificationVersion)}, this version of @scimkit/core needs "${STORE_SPECIFICATION_VERSION}".`,
    );
  }
  for (const method of [
    "create",
    "get",
    "query",
    "update",
    "delete",
    "memberOf",
    "resourceTypesOf",
  ]) {
    if (typeof (storeObject as unknown as Record<string, unknown>)[method] !== "function") {
      fail(`\`store.${method}\` must be a function.`);
    }
  }
  if (input.strict !== undefined && typeof input.strict !== "boolean") {
    fail(`\`strict\` must be a boolean, got ${describe(input.strict)}.`);
  }
  const patchResponse = (input.patchResponse ?? "auto") as "auto" | "resource" | "noContent";
  if (patchResponse !== "auto" && patchResponse !== "resource" && patchResponse !== "noContent") {
    fail(
      `\`patchResponse\` must be "auto", "resource" or "noContent", got ${describe(patchResponse)}.`,
    );
  }

  const limits = optionalObject(input.limits, "`limits`");
  const filterLimits = optionalObject(limits.filter, "`limits.filter`");
  const bulkLimits = optionalObject(limits.bulk, "`limits.bulk`");
  const maxPageSize = positiveInteger(limits.maxPageSize, "`limits.maxPageSize`", 1000);
  const defaultPageSize = positiveInteger(
    limits.defaultPageSize,
    "`limits.defaultPageSize`",
    Math.min(100, maxPageSize),
  );
  if (defaultPageSize > maxPageSize) {
    fail(
      `\`limits.defaultPageSize\` (${defaultPageSize}) must not exceed \`limits.maxPageSize\` (${maxPageSize}).`,
    );
  }

  const deletion = resolveDeletion(input.deletion, storeObject);

  const pagination = optionalObject(input.pagination, "`pagination`");
  const storeCursor = storeObject.capabilities?.cursor === true;
  if (pagination.cursor !== undefined && typeof pagination.cursor !== "boolean") {
    fail(`\`pagination.cursor\` must be a boolean, got ${describe(pagination.cursor)}.`);
  }
  if (pagination.cursor === true && !storeCursor) {
    fail("`pagination.cursor` is true but the store does not declare `capabilities.cursor`.");
  }

  const changeFeed = resolveRetained(
    input.changeFeed,
    "`changeFeed`",
    storeObject.feed !== undefined,
    "feed",
  );
  const log = resolveRetained(input.log, "`log`", storeObject.log !== undefined, "log");

  const schemes = input.authenticationSchemes ?? [DEFAULT_AUTHENTICATION_SCHEME];
  if (!Array.isArray(schemes)) {
    fail(`\`authenticationSchemes\` must be an array, got ${describe(schemes)}.`);
  }
  for (const [index, scheme] of (schemes as unknown[]).entries()) {
    const entry = optionalObject(scheme, `\`authenticationSchemes[${index}]\``);
    for (const key of ["type", "name", "description"]) {
      if (typeof entry[key] !== "string" || entry[key] === "") {
        fail(`\`authenticationSchemes[${index}].${key}\` must be a non-empty string.`);
      }
    }
  }
  if (input.documentationUri !== undefined && typeof input.documentationUri !== "string") {
    fail(`\`documentationUri\` must be a string, got ${describe(input.documentationUri)}.`);
  }

  return {
    store: storeObject,
    strict: input.strict === true,
    patchResponse,
    limits: {
      maxPatchOperations: positiveInteger(
        limits.maxPatchOperations,
        "`limits.maxPatchOperations`",
        1000,
      ),
      maxPageSize,
      defaultPageSize,
      filter: {
        maxLength: positiveInteger(filterLimits.maxLength, "`limits.filter.maxLength`", 4096),
        maxDepth: positiveInteger(filterLimits.maxDepth, "`limits.filter.maxDepth`", 32),
      },
      bulk: {
        maxOperations: positiveInteger(
          bulkLimits.maxOperations,
          "`limits.bulk.maxOperations`",
          1000,
        ),
        maxPayloadSize: positiveInteger(
          bulkLimits.maxPayloadSize,
          "`limits.bulk.maxPayloadSize`",
          1_048_576,
        ),
      },
    },
    deletion,
    pagination: {
      cursor: (pagination.cursor as boolean | undefined) ?? storeCursor,
      cursorTimeout: positiveInteger(pagination.cursorTimeout, "`pagination.cursorTimeout`", 3600),
    },
    authenticationSchemes: schemes as readonly AuthenticationScheme[],
    changeFeed: changeFeed.on,
    changeRetentionDays: changeFeed.retentionDays,
    log: log.on,
    logRetentionDays: log.retentionDays,
    rateLimit: resolveRateLimit(input.rateLimit),
    me: optionalFunction(input.me, "`me`"),
    onError: optionalFunction(input.onError, "`onError`") ?? defaultOnError,
    clock: optionalFunction(input.clock, "`clock`") ?? (() => new Date()),
    documentationUri: input.documentationUri as string | undefined,
    serviceProviderConfig: resolveServiceProviderConfig(input.serviceProviderConfig),
  };
}

export type { ServiceOptionsBase };
