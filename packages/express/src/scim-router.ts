import { ScimError, type ScimRequest, type ScimService } from "@scimkit/core";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { AUTH_FAILURE_DETAIL, authenticate } from "./authenticate";
import {
  type HandlerSource,
  type ResolvedOptions,
  resolveOptions,
  type ScimHttpOptions,
  type ScimRouterOptions,
  type StoreSource,
} from "./options";
import { decodePath, parseQuery } from "./parse-query";
import { readBody } from "./read-body";
import { writeError, writeResponse } from "./write-response";

const WWW_AUTHENTICATE = 'Bearer realm="SCIM"';
const INTERNAL_ERROR_DETAIL = "An internal error occurred.";
const HOST = /^(?:[A-Za-z0-9._-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * Express middleware serving a SCIM 2.0 endpoint; mount it under any path:
 *
 * ```ts
 * app.use("/scim/v2", scimRouter({ handler: service.handle, auth: { tokens: [{ token }] } }));
 * ```
 *
 * It authenticates the bearer token, reads the JSON body, translates the request into
 * a `ScimRequest` for `handler` and writes the `ScimResponse` back. Every method and
 * path below the mount point reaches the handler (which answers 404 for unknown
 * routes). Works with Express 4 and 5, with or without an app-level body parser.
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
  const resolved = resolveOptions(options);
  const router = (request: Request, response: Response, _next: NextFunction) => {
    void serve(resolved, request, response);
  };
  return resolved.service === undefined
    ? router
    : Object.assign(router, { service: resolved.service });
}

async function serve(options: ResolvedOptions, request: Request, response: Response) {
  try {
    const auth = await authenticate(options.auth, request);
    if (!auth.ok) {
      writeError(response, 401, AUTH_FAILURE_DETAIL[auth.failure], {
        headers: { "WWW-Authenticate": WWW_AUTHENTICATE },
      });
      return;
    }
    const baseUrl = resolveBaseUrl(request, options.trustProxy);
    if (baseUrl === undefined) {
      writeError(response, 400, "The Host header is missing or malformed.");
      return;
    }
    const body = await readBody(request, options.bodyLimit);
    if (!body.ok) {
      const { rejection } = body;
      if (rejection === undefined) return;
      writeError(response, rejection.status, rejection.detail, { scimType: rejection.scimType });
      return;
    }
    const scimRequest: ScimRequest = {
      method: request.method === "HEAD" ? "GET" : request.method.toUpperCase(),
      path: decodePath(request.url),
      query: parseQuery(request.originalUrl ?? request.url),
      headers: collectHeaders(request),
      body: body.body,
      tenant: auth.tenant,
      baseUrl,
    };
    let scimResponse: Awaited<ReturnType<ResolvedOptions["handler"]>>;
    try {
      scimResponse = await options.handler(scimRequest);
    } catch (error) {
      if (!ScimError.is(error) || !(error.status >= 400 && error.status <= 599)) throw error;
      writeError(response, error.status, error.detail, { scimType: error.scimType });
      return;
    }
    writeResponse(response, scimResponse);
  } catch (error) {
    try {
      options.onError(error, request);
    } catch {
      // A failing error hook must not stop the client from getting its 500.
    }
    writeError(response, 500, INTERNAL_ERROR_DETAIL);
  }
}

/** Request headers for the handler; `authorization` is left out, it has been consumed here. */
function collectHeaders(request: Request): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(request.headers)
      .filter(([name]) => name.toLowerCase() !== "authorization")
      .map(([name, value]) => [
        name.toLowerCase(),
        Array.isArray(value) ? value.join(", ") : value,
      ]),
  );
}

const firstValue = (header: string | string[] | undefined): string | undefined => {
  const value = Array.isArray(header) ? header[0] : header;
  const first = value?.split(",")[0]?.trim();
  return first === "" ? undefined : first;
};

/** Express's compiled `trust proxy` setting, asked about the direct peer as Express itself does. */
function appTrustsProxy(request: Request): boolean {
  const trust: unknown = request.app?.get?.("trust proxy fn");
  return typeof trust === "function" && trust(request.socket.remoteAddress, 0) === true;
}

/** Absolute URL of the mount point without a trailing slash, or undefined for a bad Host. */
function resolveBaseUrl(request: Request, trustProxy: boolean | undefined): string | undefined {
  const trusted = trustProxy ?? appTrustsProxy(request);
  const forwardedProto = trusted
    ? firstValue(request.headers["x-forwarded-proto"])?.toLowerCase()
    : undefined;
  const encrypted = (request.socket as { encrypted?: boolean }).encrypted === true;
  const protocol =
    forwardedProto === "http" || forwardedProto === "https"
      ? forwardedProto
      : encrypted
        ? "https"
        : "http";
  const host =
    (trusted ? firstValue(request.headers["x-forwarded-host"]) : undefined) ?? request.headers.host;
  if (host === undefined || !HOST.test(host)) return undefined;
  return `${protocol}://${host}${request.baseUrl.replace(/\/+$/, "")}`;
}
