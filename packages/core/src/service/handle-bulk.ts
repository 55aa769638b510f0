import { badRequest, ScimError } from "../errors";
import { BULK_REQUEST_SCHEMA, BULK_RESPONSE_SCHEMA, PATCH_OP_SCHEMA } from "../schema/urns";
import type { ResolvedLimits } from "./options";
import type { ScimRequest, ScimResponse } from "./types";

const METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const BULK_ID_REFERENCE = /bulkId:([^\s"'[\]()/,]+)/g;

interface BulkOperation {
  readonly method: string;
  readonly bulkId: string | undefined;
  readonly version: string | undefined;
  readonly path: string;
  readonly data: unknown;
  /** bulkIds this operation refers to in its path or data. */
  readonly references: ReadonlySet<string>;
}

interface BulkOperationResult {
  readonly method: string;
  readonly bulkId?: string;
  readonly version?: string;
  readonly location?: string;
  readonly status: string;
  readonly response?: unknown;
}

/**
 * `POST /Bulk` (RFC 7644 §3.7). Each operation runs through `dispatch` as if it
 * were its own request. Operations run in request order, except that one
 * referring to `bulkId:x` waits until the POST that defines `x` has run; a
 * reference to a failed or missing POST fails with 409. Circular references
 * through multi-valued values (groups containing each other) are resolved by
 * creating one side first and adding the values by PATCH; other cycles fail with 409.
 * `failOnErrors` stops processing after that many failures. Exceeding
 * `maxOperations` or `maxPayloadSize` answers 413 (§3.7.4).
 */
export async function handleBulk(
  request: ScimRequest,
  limits: ResolvedLimits["bulk"],
  dispatch: (request: ScimRequest) => Promise<ScimResponse>,
): Promise<ScimResponse> {
  const payloadSize = measurePayload(request);
  if (payloadSize > limits.maxPayloadSize) {
    throw new ScimError({
      status: 413,
      detail: `The size of the bulk request (${payloadSize} bytes) exceeds maxPayloadSize (${limits.maxPayloadSize}).`,
      code: "bulk.payload_too_large",
    });
  }
  const body = request.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("invalidSyntax", "A BulkRequest body must be a JSON object.", "bulk.body");
  }
  const bulkRequest = body as Record<string, unknown>;
  // As for PatchOp: a missing `schemas` is tolerated, one without the BulkRequest URN is not.
  const schemas = bulkRequest.schemas;
  if (
    schemas !== undefined &&
    !(
      Array.isArray(schemas) &&
      schemas.some(
        (urn) => typeof urn === "string" && urn.toLowerCase() === BULK_REQUEST_SCHEMA.toLowerCase(),
      )
    )
  ) {
    throw badRequest(
      "invalidSyntax",
      `A BulkRequest's "schemas" must list ${BULK_REQUEST_SCHEMA}.`,
      "bulk.schemas",
    );
  }
  const rawOperations = bulkRequest.Operations ?? bulkRequest.operations;
  if (!Array.isArray(rawOperations)) {
    throw badRequest(
      "invalidSyntax",
      'A BulkRequest must carry an "Operations" array.',
      "bulk.operations",
    );
  }
  if (rawOperations.length > limits.maxOperations) {
    throw new ScimError({
      status: 413,
      detail: `The bulk request has ${rawOperations.length} operations; maxOperations is ${limits.maxOperations}.`,
      code: "bulk.too_many_operations",
    });
  }
  const failOnErrors = bulkRequest.failOnErrors;
  if (
    failOnErrors !== undefined &&
    (typeof failOnErrors !== "number" || !Number.isSafeInteger(failOnErrors) || failOnErrors < 1)
  ) {
    throw badRequest(
      "invalidValue",
      '"failOnErrors" must be a positive integer.',
      "bulk.fail_on_errors",
    );
  }

  const results = new Array<BulkOperationResult | undefined>(rawOperations.length);
  const operations: (BulkOperation | undefined)[] = [];
  const definedBy = new Map<string, number>();
  for (const [index, raw] of rawOperations.entries()) {
    const parsed = parseOperation(raw);
    if (parsed instanceof ScimError) {
      results[index] = failure(raw, parsed);
      operations.push(undefined);
      continue;
    }
    if (parsed.bulkId !== undefined && parsed.method === "POST") {
      if (definedBy.has(parsed.bulkId)) {
        const error = badRequest(
          "invalidValue",
          `bulkId "${parsed.bulkId}" is used by more than one operation.`,
          "bulk.duplicate_bulk_id",
        );
        results[index] = failure(raw, error);
        operations.push(undefined);
        continue;
      }
      definedBy.set(parsed.bulkId, index);
    }
    operations.push(parsed);
  }

  const resolved = new Map<string, string>();
  const failedBulkIds = new Set<string>();
  let errors = results.filter((result) => result !== undefined).length;
  const limitReached = () => failOnErrors !== undefined && errors >= failOnErrors;
  const pending = new Set<number>();
  operations.forEach((operation, index) => {
    if (operation !== undefined) pending.add(index);
  });

  const settle = (index: number, result: BulkOperationResult) => {
    results[index] = result;
    pending.delete(index);
    const operation = operations[index];
    if (!result.status.startsWith("2")) {
      errors += 1;
      if (operation?.bulkId !== undefined) failedBulkIds.add(operation.bulkId);
    }
  };

  const followUps: FollowUp[] = [];
  /**
   * RFC 7644 §3.7.1: "MUST try to resolve circular cross-references". Creates the
   * first pending POST without the multi-valued values that refer to pending
   * operations (e.g. the members of two groups that contain each other) and
   * adds those values with a PATCH once every operation has run.
   */
  const breakCycle = async (): Promise<boolean> => {
    for (const index of pending) {
      const operation = operations[index]!;
      if (operation.method !== "POST" || operation.bulkId === undefined) continue;
      const split = deferUnresolved(operation.data, resolved);
      if (split === undefined) continue;
      const result = await runOperation(
        Object.assign({}, operation, { data: split.data, references: new Set<string>() }),
        request,
        resolved,
        dispatch,
      );
      settle(index, result);
      if (result.status.startsWith("2") && result.location !== undefined) {
        const id = result.location.slice(result.location.lastIndexOf("/") + 1);
        resolved.set(operation.bulkId, decodeURIComponent(id));
        followUps.push({ index, location: result.location, deferred: split.deferred });
      }
      return true;
    }
    return false;
  };

  while (pending.size > 0 && !limitReached()) {
    let progressed = false;
    for (const index of pending) {
      if (limitReached()) break;
      const operation = operations[index]!;
      const blocked = [...operation.references].filter((bulkId) => !resolved.has(bulkId));
      const unresolvable = blocked.find(
        (bulkId) => failedBulkIds.has(bulkId) || !definedBy.has(bulkId),
      );
      if (unresolvable !== undefined) {
        settle(
          index,
          failure(
            operation,
            new ScimError({
              status: 409,
              detail: `bulkId "${unresolvable}" cannot be resolved: no successful POST in this request defines it.`,
              code: "bulk.unresolved_bulk_id",
            }),
          ),
        );
        progressed = true;
        continue;
      }
      if (blocked.length > 0) continue;
      const result = await runOperation(operation, request, resolved, dispatch);
      settle(index, result);
      if (operation.method === "POST" && operation.bulkId !== undefined && result.location) {
        const id = result.location.slice(result.location.lastIndexOf("/") + 1);
        resolved.set(operation.bulkId, decodeURIComponent(id));
      }
      progressed = true;
      // Restart from the first pending operation so request order is kept.
      break;
    }
    if (!progressed && !(await breakCycle())) {
      // Every pending operation waits on another pending one, and no POST among
      // them can be created first: RFC 7644 §3.7.1 allows 409 after that attempt.
      for (const index of pending) {
        settle(
          index,
          failure(
            operations[index]!,
            new ScimError({
              status: 409,
              detail: "Circular bulkId references between operations cannot be resolved.",
              code: "bulk.circular_reference",
            }),
          ),
        );
      }
    }
  }

  for (const followUp of followUps) {
    const result = await runFollowUp(followUp, request, resolved, dispatch);
    const created = results[followUp.index]!;
    if (result.status.startsWith("2")) {
      results[followUp.index] = Object.assign(
        {},
        created,
        result.version ? { version: result.version } : {},
      );
    } else {
      errors += 1;
      results[followUp.index] = Object.assign(
        {},
        created,
        { status: result.status },
        result.response === undefined ? {} : { response: result.response },
      );
    }
  }

  return {
    status: 200,
    headers: {},
    body: {
      schemas: [BULK_RESPONSE_SCHEMA],
      Operations: results.filter((result) => result !== undefined),
    },
  };
}

function measurePayload(request: ScimRequest): number {
  const header = request.headers["content-length"];
  if (header !== undefined && /^[0-9]+$/.test(header)) return Number(header);
  return new TextEncoder().encode(JSON.stringify(request.body ?? null)).length;
}

function parseOperation(raw: unknown): BulkOperation | ScimError {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return badRequest("invalidSyntax", "Each bulk operation must be an object.", "bulk.operation");
  }
  const operation = raw as Record<string, unknown>;
  const method = typeof operation.method === "string" ? operation.method.toUpperCase() : "";
  if (!METHODS.has(method)) {
    return badRequest(
      "invalidSyntax",
      'A bulk operation\'s "method" must be POST, PUT, PATCH or DELETE.',
      "bulk.method",
    );
  }
  if (typeof operation.path !== "string" || !operation.path.startsWith("/")) {
    return badRequest(
      "invalidSyntax",
      'A bulk operation needs a "path" starting with "/", e.g. "/Users".',
      "bulk.path",
    );
  }
  const bulkId = typeof operation.bulkId === "string" ? operation.bulkId : undefined;
  if (method === "POST" && bulkId === undefined) {
    return badRequest("invalidSyntax", 'A bulk POST needs a "bulkId".', "bulk.bulk_id");
  }
  if (method !== "DELETE" && operation.data === undefined) {
    return badRequest("invalidSyntax", `A bulk ${method} needs "data".`, "bulk.data");
  }
  const references = new Set<string>();
  collectReferences(operation.path, references);
  collectReferences(operation.data, references);
  return {
    method,
    bulkId,
    version: typeof operation.version === "string" ? operation.version : undefined,
    path: operation.path,
    data: operation.data,
    references,
  };
}

function collectReferences(value: unknown, into: Set<string>, depth = 0): void {
  if (depth > 64) return;
  if (typeof value === "string") {
    for (const match of value.matchAll(BULK_ID_REFERENCE)) into.add(match[1]!);
  } else if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, into, depth + 1);
  } else if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) collectReferences(item, into, depth + 1);
  }
}

function substitute(value: unknown, resolved: ReadonlyMap<string, string>): unknown {
  if (typeof value === "string") {
    return value.replace(BULK_ID_REFERENCE, (text, bulkId: string) => resolved.get(bulkId) ?? text);
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, resolved));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substitute(item, resolved)]),
    );
  }
  return value;
}

async function runOperation(
  operation: BulkOperation,
  outer: ScimRequest,
  resolved: ReadonlyMap<string, string>,
  dispatch: (request: ScimRequest) => Promise<ScimResponse>,
): Promise<BulkOperationResult> {
  const path = substitute(operation.path, resolved) as string;
  const headers: Record<string, string | undefined> = {
    "content-type": "application/scim+json",
  };
  if (operation.version !== undefined) headers["if-match"] = operation.version;
  let response: ScimResponse;
  try {
    response = await dispatch({
      method: operation.method,
      path,
      query: {},
      headers,
      body: operation.data === undefined ? undefined : substitute(operation.data, resolved),
      tenant: outer.tenant,
      baseUrl: outer.baseUrl,
    });
  } catch (error) {
    if (!ScimError.is(error)) throw error;
    return failure(operation, error);
  }
  const body = response.body as { meta?: { location?: unknown } } | undefined;
  const location =
    response.headers.Location ??
    (typeof body?.meta?.location === "string" ? body.meta.location : undefined) ??
    (operation.method === "POST" ? undefined : `${outer.baseUrl}${path}`);
  const succeeded = response.status >= 200 && response.status < 300;
  return {
    method: operation.method,
    ...(operation.bulkId === undefined ? {} : { bulkId: operation.bulkId }),
    ...(response.headers.ETag === undefined ? {} : { version: response.headers.ETag }),
    ...(location === undefined || !succeeded ? {} : { location }),
    status: String(response.status),
    ...(succeeded ? {} : { response: response.body }),
  };
}

function failure(operation: unknown, error: ScimError): BulkOperationResult {
  const source = (typeof operation === "object" && operation !== null ? operation : {}) as {
    method?: unknown;
    bulkId?: unknown;
  };
  return {
    method: typeof source.method === "string" ? source.method.toUpperCase() : "",
    ...(typeof source.bulkId === "string" ? { bulkId: source.bulkId } : {}),
    status: String(error.status),
    response: error.toJSON(),
  };
}

interface FollowUp {
  /** The operation that was created without its deferred values. */
  readonly index: number;
  readonly location: string;
  /** Top-level multi-valued attribute -> the values left out of the POST. */
  readonly deferred: Readonly<Record<string, unknown[]>>;
}

const hasUnresolved = (value: unknown, resolved: ReadonlyMap<string, string>): boolean => {
  const references = new Set<string>();
  collectReferences(value, references);
  return [...references].some((bulkId) => !resolved.has(bulkId));
};

/**
 * Splits POST data into what can be created now and the multi-valued values
 * that refer to operations not yet run; `undefined` when a reference sits
 * anywhere else (a single value cannot be added later without a second meaning).
 */
function deferUnresolved(
  data: unknown,
  resolved: ReadonlyMap<string, string>,
): { data: Record<string, unknown>; deferred: Record<string, unknown[]> } | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
  const kept: Record<string, unknown> = {};
  const deferred: Record<string, unknown[]> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!hasUnresolved(value, resolved)) {
      kept[key] = value;
      continue;
    }
    if (!Array.isArray(value)) return undefined;
    kept[key] = value.filter((item) => !hasUnresolved(item, resolved));
    deferred[key] = value.filter((item) => hasUnresolved(item, resolved));
  }
  return Object.keys(deferred).length === 0 ? undefined : { data: kept, deferred };
}

/** Adds the values a cycle-breaking POST left out, now that their bulkIds resolve. */
async function runFollowUp(
  followUp: FollowUp,
  outer: ScimRequest,
  resolved: ReadonlyMap<string, string>,
  dispatch: (request: ScimRequest) => Promise<ScimResponse>,
): Promise<BulkOperationResult> {
  const values = Object.values(followUp.deferred).flat();
  if (hasUnresolved(values, resolved)) {
    const error = new ScimError({
      status: 409,
      detail: "Circular bulkId references between operations cannot be resolved.",
      code: "bulk.circular_reference",
    });
    return { method: "PATCH", status: "409", response: error.toJSON() };
  }
  const path = followUp.location.startsWith(outer.baseUrl)
    ? followUp.location.slice(outer.baseUrl.length)
    : new URL(followUp.location).pathname;
  return runOperation(
    {
      method: "PATCH",
      bulkId: undefined,
      version: undefined,
      path,
      data: {
        schemas: [PATCH_OP_SCHEMA],
        Operations: Object.entries(followUp.deferred).map(([attribute, value]) => ({
          op: "add",
          path: attribute,
          value,
        })),
      },
      references: new Set(),
    },
    outer,
    resolved,
    dispatch,
  );
}
