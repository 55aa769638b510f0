import type { ScimService } from "@scimkit/core";
import type { HandlerSource, StoreSource } from "@scimkit/http";
import {
  type AdapterBody,
  type AdapterReply,
  type AdapterRequest,
  createScimHttp,
  nodeRequestBody,
  type Pipeline,
} from "@scimkit/http/adapter";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { ScimHttpOptions, ScimRouterOptions } from "./options";

const OWNER = { factory: "scimRouter", packageName: "@scimkit/express" } as const;

/**
 * Express middleware serving a SCIM 2.0 endpoint; mount it under any path:
 *
 * ```ts
 * app.use("/scim/v2", scimRouter({ handler: service.handle, auth: { tokens: [{ token }] } }));
 * ```
 *
 * It authenticates the bearer token, reads the JSON body, translates the request into
 * a `ScimRequest` for `handler` and writes the `ScimResponse` back (through
 * `@scimkit/http`, the layer every scimkit adapter shares). Every method and path
 * below the mount point reaches the handler (which answers 404 for unknown routes).
 * Works with Express 4 and 5, with or without an app-level body parser.
 *
 * @throws TypeError when the options are invalid, at once rather than on the first request.
 */
export function scimRouter(options: HandlerSource & ScimHttpOptions): RequestHandler;
/**
 * With `store` instead of `handler`, the router creates the protocol service itself
 * (`app.use("/scim/v2", scimRouter({ store: memoryStore(), auth }))`) and exposes it
 * as `service`, e.g. `router.service.on("user.deactivated", ...)`.
 */
export function scimRouter(
  options: StoreSource & ScimHttpOptions,
): RequestHandler & { readonly service: ScimService };
export function scimRouter(
  options: ScimRouterOptions,
): RequestHandler & { readonly service?: ScimService };
export function scimRouter(
  options: ScimRouterOptions,
): RequestHandler & { readonly service?: ScimService } {
  const http = createScimHttp<Request>(options, OWNER);
  const router = expressHandler(http.serve);
  return http.service === undefined ? router : Object.assign(router, { service: http.service });
}

/** Express middleware over one pipeline of the shared layer (SCIM, management API). */
export function expressHandler(serve: Pipeline<Request>): RequestHandler {
  return (request: Request, response: Response, _next: NextFunction) => {
    void serve(adapt(request)).then((reply) => write(response, reply));
  };
}

function adapt(request: Request): AdapterRequest<Request> {
  const { baseUrl } = request;
  return {
    raw: request,
    method: request.method,
    target: request.url,
    mountPath: baseUrl.endsWith("/") ? baseUrl.replace(/\/+$/, "") : baseUrl,
    headers: request.headers,
    protocol: (request.socket as { encrypted?: boolean }).encrypted === true ? "https" : "http",
    host: request.headers.host,
    trustsProxy: () => appTrustsProxy(request),
    body: body(request),
  };
}

/** The stream, or what an app-level body parser (`express.json()`, `express.raw()`) left. */
function body(request: Request): AdapterBody {
  const consumed =
    request.readableEnded || (request as Request & { _body?: unknown })._body === true;
  if (!consumed) return nodeRequestBody(request, request.headers);
  const value: unknown = request.body;
  if (typeof value === "string") return { kind: "bytes", bytes: Buffer.from(value, "utf8") };
  if (Buffer.isBuffer(value)) return { kind: "bytes", bytes: value };
  return { kind: "parsed", value };
}

/** Express's compiled `trust proxy` setting, asked about the direct peer as Express itself does. */
function appTrustsProxy(request: Request): boolean {
  const trust: unknown = request.app?.get?.("trust proxy fn");
  return typeof trust === "function" && trust(request.socket.remoteAddress, 0) === true;
}

/** Writes with Node's own response API in one `writeHead`, so Express 4 and 5 behave alike. */
function write(response: Response, reply: AdapterReply | undefined): void {
  if (reply === undefined) return; // The client went away mid-body.
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const { body } = reply;
  response.writeHead(
    reply.status,
    body === undefined
      ? (reply.headers as string[])
      : [...reply.headers, "Content-Length", String(Buffer.byteLength(body))],
  );
  response.end(body);
}
