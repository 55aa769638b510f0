import { ScimError, type ScimService } from "@scimkit/core";
import type { AdapterBody, AdapterReply, AdapterRequest, StreamRead } from "./adapter-types";
import { createScimHttp } from "./create-scim-http";
import {
  createManagementHttp,
  type ManagementHttpOptions,
  managementErrorBody,
} from "./management-endpoint";
import type { HandlerSource, OptionsOwner, ScimHttpOptions, StoreSource } from "./options";
import { errorReply, type Pipeline } from "./pipeline";
import { SCIM_CONTENT_TYPE } from "./scim-endpoint";

/** A Web-standard handler: what Hono, Next.js route handlers, Bun, Deno and Workers call. */
export type ScimFetchHandler = (request: Request) => Promise<Response>;

/** Where the handler is mounted. */
export interface FetchMountOptions {
  /**
   * The path the SCIM endpoint is served under, as the client sends it:
   * `"/scim/v2"` for Hono's `app.all("/scim/v2/*", ...)` or a Next.js route at
   * `app/scim/v2/[...path]/route.ts`. The handler serves the path below it and
   * builds `meta.location` from the request's origin plus this path; requests
   * outside it answer 404.
   * @default "" (the root)
   */
  readonly basePath?: string;
}

export type ScimFetchHandlerOptions = (HandlerSource | StoreSource) &
  ScimHttpOptions<Request> &
  FetchMountOptions;

const OWNER = { factory: "scimFetchHandler", packageName: "@scimkit/http" } as const;
const BASE_PATH = /^(?:\/[^/?#\s]+)*$/;

/**
 * A SCIM 2.0 endpoint as one fetch handler, `(request: Request) => Promise<Response>`:
 *
 * ```ts
 * const scim = scimFetchHandler({ store: memoryStore(), basePath: "/scim/v2", auth });
 * app.all("/scim/v2/*", (c) => scim(c.req.raw)); // Hono
 * ```
 *
 * It authenticates the bearer token, reads the JSON body within `bodyLimit`,
 * calls the protocol handler and answers SCIM JSON; refusals and failures are
 * SCIM error bodies. Every method and path below `basePath` reaches the handler.
 *
 * @throws TypeError when the options are invalid, at once rather than on the first request.
 */
export function scimFetchHandler(
  options: HandlerSource & ScimHttpOptions<Request> & FetchMountOptions,
): ScimFetchHandler;
/** With `store`, the handler creates the service and exposes it as `service` (events). */
export function scimFetchHandler(
  options: StoreSource & ScimHttpOptions<Request> & FetchMountOptions,
): ScimFetchHandler & { readonly service: ScimService };
export function scimFetchHandler(
  options: ScimFetchHandlerOptions,
): ScimFetchHandler & { readonly service?: ScimService };
export function scimFetchHandler(
  options: ScimFetchHandlerOptions,
): ScimFetchHandler & { readonly service?: ScimService } {
  const basePath = resolveBasePath(
    (options as { basePath?: unknown } | undefined)?.basePath,
    OWNER,
  );
  const http = createScimHttp<Request>(options, OWNER);
  const handler = fetchHandlerOver(http.serve, basePath, "SCIM", (error) =>
    errorReply(error, SCIM_CONTENT_TYPE),
  );
  return http.service === undefined ? handler : Object.assign(handler, { service: http.service });
}

/** Options of `managementFetchHandler`: the management API's, plus where it is mounted. */
export type ManagementFetchHandlerOptions = ManagementHttpOptions<Request> & FetchMountOptions;

const MANAGEMENT_OWNER = {
  factory: "managementFetchHandler",
  packageName: "@scimkit/http",
} as const;

/**
 * The management API (tenants, tokens, provisioning log; see `createManagementService`)
 * as one fetch handler, guarded by an admin token or your `authorize(request)`:
 *
 * ```ts
 * const admin = managementFetchHandler({ store, basePath: "/admin/api", auth: { token } });
 * app.all("/admin/api/*", (c) => admin(c.req.raw)); // Hono
 * ```
 */
export function managementFetchHandler(
  options: ManagementFetchHandlerOptions,
): (request: Request) => Promise<Response> {
  const basePath = resolveBasePath(
    (options as { basePath?: unknown } | undefined)?.basePath,
    MANAGEMENT_OWNER,
  );
  const http = createManagementHttp<Request>(options, MANAGEMENT_OWNER);
  return fetchHandlerOver(http.serve, basePath, "management API", (error) =>
    errorReply(error, "application/json; charset=utf-8", [], managementErrorBody),
  );
}

/** A fetch handler over one pipeline, mounted at `basePath`. */
function fetchHandlerOver(
  serve: Pipeline<Request>,
  basePath: string,
  what: string,
  refuse: (error: ScimError) => AdapterReply,
): (request: Request) => Promise<Response> {
  const notBelow = refuse(
    new ScimError({
      status: 404,
      detail: `No ${what} endpoint here: it is served below "${basePath || "/"}".`,
      code: "not_found",
    }),
  );
  const unreadable = refuse(
    new ScimError({ status: 400, detail: "The request body could not be read." }),
  );
  return async (request) => {
    const adapted = adaptRequest(request, basePath);
    if (adapted === undefined) return toResponse(notBelow);
    return toResponse((await serve(adapted)) ?? unreadable);
  };
}

function resolveBasePath(value: unknown, owner: OptionsOwner): string {
  if (value === undefined) return "";
  if (typeof value !== "string") {
    throw new TypeError(`${owner.factory}: options.basePath must be a string such as "/scim/v2"`);
  }
  const trimmed = value.replace(/\/+$/, "");
  if (!BASE_PATH.test(trimmed)) {
    throw new TypeError(
      `${owner.factory}: options.basePath must be a path such as "/scim/v2" (starting with /, without query or spaces)`,
    );
  }
  return trimmed;
}

/** The request as the layer sees it, or undefined when its path is outside `basePath`. */
function adaptRequest(request: Request, basePath: string): AdapterRequest<Request> | undefined {
  // A Request's url is always absolute and serialised: scheme "://" host path.
  const { url } = request;
  const hostStart = url.indexOf("://") + 3;
  let pathStart = url.indexOf("/", hostStart);
  if (pathStart === -1) pathStart = url.length;
  const path = url.slice(pathStart);
  if (!path.startsWith(basePath)) return undefined;
  const rest = path.slice(basePath.length);
  if (rest !== "" && rest[0] !== "/" && rest[0] !== "?" && rest[0] !== "#") return undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) headers[name] = value;
  return {
    raw: request,
    method: request.method,
    target: rest[0] === "/" ? rest : `/${rest}`,
    mountPath: basePath,
    headers,
    protocol: url.startsWith("https:") ? "https" : "http",
    host: url.slice(hostStart, pathStart),
    body: requestBody(request, headers["content-length"]),
  };
}

function requestBody(request: Request, contentLength: string | undefined): AdapterBody {
  // GET and HEAD never have a body (Fetch), and not asking spares runtimes that
  // build the body stream lazily (@hono/node-server) a full Request per request.
  if (request.method === "GET" || request.method === "HEAD") return { kind: "none" };
  const stream = request.body;
  if (stream === null || contentLength === "0") return { kind: "none" };
  return { kind: "stream", read: (limit) => readWebStream(stream, limit) };
}

/** Reads a body stream, never buffering more than `limit` bytes. */
async function readWebStream(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<StreamRead> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.length;
      if (received > limit) {
        void reader.cancel().catch(() => {});
        return { ok: false, reason: "tooLarge" };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: "aborted" };
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { ok: true, bytes };
}

function toResponse(reply: AdapterReply): Response {
  // A plain record (a reply names each header once): runtimes such as
  // @hono/node-server take it without building a Headers object.
  const headers: Record<string, string> = {};
  for (let index = 0; index < reply.headers.length; index += 2) {
    headers[reply.headers[index] as string] = reply.headers[index + 1] as string;
  }
  return new Response(reply.body ?? null, { status: reply.status, headers });
}
