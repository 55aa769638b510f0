import { ScimError } from "../errors";
import { decodeCursor, encodeCursor } from "../repository/cursor";
import type { LogEntry, LogQuery, ScimStore, TenantStore } from "../store/contract";
import { issueToken, TENANT_ID, tokenId } from "../tenants/tokens";
import type { ManagementErrorBody, ManagementHandler, ManagementResponse } from "./types";

/** Options of `createManagementService`. */
export interface ManagementServiceOptions {
  /** A store with `tenants` (and `log`, for the log routes). */
  readonly store: ScimStore;
  /** The time source for timestamps and token expiry. @default () => new Date() */
  readonly clock?: () => Date;
  /** Receives unexpected errors (the client gets a generic 500). @default console.error */
  readonly onError?: (error: unknown) => void;
}

/** The management API: tenants, their tokens and their provisioning log. */
export interface ManagementService {
  /** Serves one request; never rejects. */
  readonly handle: ManagementHandler;
}

const MAX_NAME = 200;
const MAX_DESCRIPTION = 200;
const DEFAULT_LOG_LIMIT = 50;
const MAX_LOG_LIMIT = 500;
const MAX_TENANT_PAGE = 500;
const LOG_CURSOR = "log";

/** An expected failure of a management request: its status, code and message. */
class ManagementError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new ManagementError(400, "invalid_request", message);
const tenantNotFound = (id: string) =>
  new ManagementError(404, "tenant.not_found", `Tenant "${id}" not found.`);

const json = (status: number, body: unknown): ManagementResponse => ({ status, headers: {}, body });
const noContent = (): ManagementResponse => ({ status: 204, headers: {} });
const errorBody = (error: ManagementError): ManagementErrorBody => ({
  error: { status: error.status, code: error.code, message: error.message },
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isRecord(body)) throw invalid("The body must be a JSON object.");
  return body;
}

function text(value: unknown, name: string, max: number, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string" || value.trim() === "" || value.length > max) {
    throw invalid(`"${name}" must be a non-empty string of at most ${max} characters.`);
  }
  return value.trim();
}

function instant(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalid(`"${name}" must be an ISO-8601 date-time.`);
  return new Date(time).toISOString();
}

function limitOf(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]{1,6}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw invalid(`"limit" must be an integer from 1 to ${max}.`);
  }
  return Number(value);
}

const STATUS_CLASS = /^([1-5])xx$/i;

/**
 * Creates the management API over a store's tenants, tokens and log. Routes
 * (below wherever the HTTP adapter mounts it; authorisation is the adapter's):
 *
 * | route | answer |
 * | --- | --- |
 * | `POST /tenants {id, name}` | 201 tenant; 409 if it exists; 400 for a bad id |
 * | `GET /tenants?after=&limit=` | `{ tenants }` in id order |
 * | `GET /tenants/{id}` | the tenant |
 * | `PATCH /tenants/{id} {name}` | the renamed tenant |
 * | `POST /tenants/{id}/disable`, `/enable` | the tenant: its tokens are refused / work again |
 * | `DELETE /tenants/{id}?confirm={id}` | 204: the tenant and ALL its data are gone |
 * | `POST /tenants/{id}/tokens {description?, expiresAt?}` | 201 `{ id, token, ... }`: the token, shown once |
 * | `GET /tenants/{id}/tokens` | `{ tokens }`, never secrets |
 * | `DELETE /tenants/{id}/tokens/{tokenId}` | 204: refused from the next request on |
 * | `GET /tenants/{id}/log?limit=&status=4xx&resourceId=&from=&to=&cursor=` | `{ entries, nextCursor? }`, newest first |
 *
 * Errors are `{ "error": { status, code, message } }`.
 */
export function createManagementService(options: ManagementServiceOptions): ManagementService {
  const tenants: TenantStore | undefined = options?.store?.tenants;
  if (tenants === undefined) {
    throw new TypeError("createManagementService: `store` must have tenants (`store.tenants`).");
  }
  const { store } = options;
  const clock = options.clock ?? (() => new Date());
  const onError =
    options.onError ?? ((error: unknown) => console.error("scimkit: management API error", error));
  const now = () => clock().toISOString();

  const tenantOf = async (id: string) => {
    const tenant = TENANT_ID.test(id) ? await tenants.get(id) : undefined;
    if (tenant === undefined) throw tenantNotFound(id);
    return tenant;
  };

  const routes = async (
    method: string,
    segments: readonly string[],
    query: Readonly<Record<string, string>>,
    body: unknown,
  ): Promise<ManagementResponse> => {
    const [root, id, sub, subId, ...rest] = segments;
    if (root !== "tenants" || rest.length > 0) {
      throw new ManagementError(404, "not_found", "No such management route.");
    }
    const allow = (...methods: string[]) => {
      if (!methods.includes(method)) {
        throw new ManagementError(405, "method_not_allowed", `Use ${methods.join(", ")}.`);
      }
    };

    if (id === undefined) {
      allow("GET", "POST");
      if (method === "GET") {
        const limit = limitOf(query.limit, MAX_TENANT_PAGE, MAX_TENANT_PAGE);
        const page = await tenants.list({
          limit,
          ...(query.after === undefined ? {} : { after: query.after }),
        });
        return json(200, { tenants: page });
      }
      const input = bodyObject(body);
      if (typeof input.id !== "string" || !TENANT_ID.test(input.id)) {
        throw invalid('"id" must be 1-64 lower-case letters, digits, "-" or "_".');
      }
      const name = text(input.name, "name", MAX_NAME, true)!;
      try {
        return json(201, await tenants.create({ id: input.id, name, createdAt: now() }));
      } catch (error) {
        if (ScimError.is(error) && error.status === 409) {
          throw new ManagementError(409, "tenant.exists", `Tenant "${input.id}" already exists.`);
        }
        throw error;
      }
    }

    if (sub === undefined) {
      allow("GET", "PATCH", "DELETE");
      if (method === "GET") return json(200, await tenantOf(id));
      if (method === "PATCH") {
        await tenantOf(id);
        const name = text(bodyObject(body).name, "name", MAX_NAME, true)!;
        return json(200, await tenants.update(id, { name, updatedAt: now() }));
      }
      await tenantOf(id);
      if (query.confirm !== id) {
        throw invalid(`Deleting a tenant deletes all its data: confirm with ?confirm=${id}.`);
      }
      await tenants.delete(id);
      return noContent();
    }

    if ((sub === "disable" || sub === "enable") && subId === undefined) {
      allow("POST");
      await tenantOf(id);
      return json(200, await tenants.update(id, { disabled: sub === "disable", updatedAt: now() }));
    }

    if (sub === "tokens") {
      await tenantOf(id);
      if (subId !== undefined) {
        allow("DELETE");
        if (!(await tenants.revokeToken(id, subId))) {
          throw new ManagementError(404, "token.not_found", `Token "${subId}" not found.`);
        }
        return noContent();
      }
      allow("GET", "POST");
      if (method === "GET") return json(200, { tokens: await tenants.listTokens(id) });
      const input = bodyObject(body);
      const description = text(input.description, "description", MAX_DESCRIPTION, false) ?? "";
      if (input.expiresAt !== undefined && typeof input.expiresAt !== "string") {
        throw invalid('"expiresAt" must be an ISO-8601 date-time.');
      }
      const expiresAt = instant(input.expiresAt as string | undefined, "expiresAt");
      if (expiresAt !== undefined && Date.parse(expiresAt) <= clock().getTime()) {
        throw invalid('"expiresAt" must be in the future.');
      }
      const issued = await issueToken();
      const record = await tenants.createToken({
        id: tokenId(),
        tenant: id,
        description,
        hint: issued.hint,
        createdAt: now(),
        sha256: issued.sha256,
        ...(expiresAt === undefined ? {} : { expiresAt }),
      });
      return json(201, Object.assign({}, record, { token: issued.token }));
    }

    if (sub === "log" && subId === undefined) {
      allow("GET");
      await tenantOf(id);
      if (store.log === undefined) {
        throw new ManagementError(404, "log.not_kept", "This store keeps no provisioning log.");
      }
      return json(200, await readLog(store.log, id, query));
    }
    throw new ManagementError(404, "not_found", "No such management route.");
  };

  const handle: ManagementHandler = async (request) => {
    try {
      const path = typeof request.path === "string" ? request.path : "";
      const segments = path.split("/").filter((segment) => segment !== "");
      return await routes(
        request.method.toUpperCase(),
        segments,
        request.query ?? {},
        request.body,
      );
    } catch (error) {
      if (error instanceof ManagementError) return json(error.status, errorBody(error));
      try {
        onError(error);
      } catch {
        // A failing error hook must not turn a 500 into a rejected promise.
      }
      return json(
        500,
        errorBody(new ManagementError(500, "internal", "An internal error occurred.")),
      );
    }
  };
  return { handle };
}

async function readLog(
  log: NonNullable<ScimStore["log"]>,
  tenant: string,
  query: Readonly<Record<string, string>>,
): Promise<{ entries: readonly LogEntry[]; nextCursor?: string }> {
  const limit = limitOf(query.limit, DEFAULT_LOG_LIMIT, MAX_LOG_LIMIT);
  let statusClass: number | undefined;
  if (query.status !== undefined) {
    const match = STATUS_CLASS.exec(query.status);
    if (match === null) throw invalid('"status" must be a status class such as 2xx or 4xx.');
    statusClass = Number(match[1]);
  }
  let before: LogQuery["before"];
  if (query.cursor !== undefined) {
    const decoded = decodeCursor(query.cursor, LOG_CURSOR);
    if (!decoded.ok || typeof decoded.value.value !== "string")
      throw invalid('"cursor" is not valid.');
    before = { time: decoded.value.value, id: decoded.value.id };
  }
  const from = instant(query.from, "from");
  const to = instant(query.to, "to");
  const entries = await log.query(tenant, {
    limit,
    ...(before === undefined ? {} : { before }),
    ...(statusClass === undefined ? {} : { statusClass }),
    ...(query.resourceId === undefined ? {} : { resourceId: query.resourceId }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  });
  const last = entries.at(-1);
  return entries.length === limit && last !== undefined
    ? {
        entries,
        nextCursor: encodeCursor({
          sort: LOG_CURSOR,
          hasValue: true,
          value: last.time,
          id: last.id,
        }),
      }
    : { entries };
}
