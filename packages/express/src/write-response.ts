import { validateHeaderName, validateHeaderValue } from "node:http";
import { ERROR_SCHEMA, type ScimResponse, type ScimType } from "@scimkit/core";
import type { Response } from "express";

export const SCIM_CONTENT_TYPE = "application/scim+json; charset=utf-8";

/** Statuses that never carry a body (RFC 9110 §15.3.5, §15.4.5). */
const BODYLESS_STATUSES = new Set([204, 304]);

/** The RFC 7644 §3.12 error body; `status` is a string. */
export function errorBody(status: number, detail: string, scimType?: ScimType) {
  return {
    schemas: [ERROR_SCHEMA],
    status: String(status),
    ...(scimType === undefined ? {} : { scimType }),
    detail,
  };
}

/**
 * Writes a ScimResponse with Node's own response API, so Express 4 and 5 behave alike.
 * Validates and serialises before touching the response, so a bad status, header or
 * body throws while a clean 500 can still be written.
 */
export function writeResponse(response: Response, scim: ScimResponse): void {
  const { status } = scim;
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new TypeError(`ScimHandler returned an invalid status: ${String(status)}`);
  }
  const hasBody = scim.body !== undefined && !BODYLESS_STATUSES.has(status);
  const payload = hasBody ? Buffer.from(JSON.stringify(scim.body), "utf8") : undefined;
  const headers = Object.entries(scim.headers ?? {}).filter(
    ([name]) => !/^content-(type|length)$/i.test(name),
  );
  for (const [name, value] of headers) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
  }
  for (const [name, value] of headers) response.setHeader(name, value);
  response.statusCode = status;
  if (payload === undefined) {
    response.end();
    return;
  }
  response.setHeader("Content-Type", SCIM_CONTENT_TYPE);
  response.setHeader("Content-Length", payload.length);
  response.end(payload);
}

/** Writes a SCIM error the adapter itself produces (401, 413, 415, 400, 500). */
export function writeError(
  response: Response,
  status: number,
  detail: string,
  options: { scimType?: ScimType | undefined; headers?: Record<string, string> } = {},
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    response.setHeader(name, value);
  }
  writeResponse(response, {
    status,
    headers: {},
    body: errorBody(status, detail, options.scimType),
  });
}
