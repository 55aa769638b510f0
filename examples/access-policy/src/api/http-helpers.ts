import { digestsEqual, digestToken } from "@scimkit/core";
import type { NextFunction, Request, Response } from "express";

/** Every error of `/api` is this body, shaped like the management API's. */
export interface ApiErrorBody {
  readonly error: { readonly status: number; readonly code: string; readonly message: string };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const sendError = (response: Response, status: number, code: string, message: string) => {
  const body: ApiErrorBody = { error: { status, code, message } };
  response.status(status).json(body);
};

/** Wraps an async route so a rejection becomes a JSON error, never Express's HTML page. */
export const route =
  (handler: (request: Request, response: Response) => Promise<void>) =>
  (request: Request, response: Response, next: NextFunction) => {
    handler(request, response).catch(next);
  };

/** The last handler of `/api`: JSON for every error, a generic 500 for unexpected ones. */
export function apiErrorHandler(
  error: unknown,
  _request: Request,
  response: Response,
  _next: NextFunction,
) {
  if (error instanceof ApiError)
    return sendError(response, error.status, error.code, error.message);
  const type = (error as { type?: unknown } | null)?.type;
  if (type === "entity.too.large") {
    return sendError(response, 413, "too_large", "The body is larger than the limit.");
  }
  if (type === "entity.parse.failed") {
    return sendError(response, 400, "invalid_json", "The body is not valid JSON.");
  }
  if (type === "charset.unsupported" || type === "encoding.unsupported") {
    return sendError(response, 415, "unsupported_media_type", "Send UTF-8 JSON, uncompressed.");
  }
  console.error("access-policy: unexpected error in /api", error);
  return sendError(response, 500, "internal", "An internal error occurred.");
}

/** One query parameter as a bounded string: 400 when missing, repeated or too long. */
export function queryText(
  request: Request,
  name: string,
  options: { readonly max: number; readonly required: true },
): string;
export function queryText(
  request: Request,
  name: string,
  options: { readonly max: number; readonly required?: false },
): string | undefined;
export function queryText(
  request: Request,
  name: string,
  options: { readonly max: number; readonly required?: boolean },
): string | undefined {
  const value = (request.query as Record<string, unknown>)[name];
  if (value === undefined || value === "") {
    if (options.required === true) {
      throw new ApiError(400, "invalid_request", `The query parameter "${name}" is required.`);
    }
    return undefined;
  }
  if (typeof value !== "string") {
    throw new ApiError(400, "invalid_request", `Give the query parameter "${name}" once.`);
  }
  if (value.length > options.max) {
    throw new ApiError(
      400,
      "invalid_request",
      `The query parameter "${name}" is longer than ${options.max} characters.`,
    );
  }
  return value;
}

/** `offset` and `limit` for list routes, bounded. */
export function pageOf(request: Request, defaultLimit = 100, maxLimit = 500) {
  const number = (name: string, fallback: number, max: number, min: number) => {
    const value = queryText(request, name, { max: 7 });
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^[0-9]+$/.test(value) || parsed < min || parsed > max) {
      throw new ApiError(
        400,
        "invalid_request",
        `"${name}" must be an integer from ${min} to ${max}.`,
      );
    }
    return parsed;
  };
  return {
    offset: number("offset", 0, 1_000_000, 0),
    limit: number("limit", defaultLimit, maxLimit, 1),
  };
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/** Whether the request comes from this machine itself, not through a proxy. */
export function fromLoopback(request: Request): boolean {
  const address = request.socket.remoteAddress ?? "";
  // A proxy on this machine would make every client look local: it says so in these headers.
  const proxied =
    request.headers["x-forwarded-for"] !== undefined || request.headers.forwarded !== undefined;
  return LOOPBACK.test(address) && !proxied;
}

/** Checks `Authorization: Bearer <ADMIN_TOKEN>` in constant time. */
export function adminTokenCheck(adminToken: string) {
  const expected = digestToken(adminToken);
  return async (request: Request): Promise<boolean> => {
    const header = request.headers.authorization;
    const match = typeof header === "string" ? /^Bearer +(\S+) *$/i.exec(header) : null;
    if (match === null) return false;
    return digestsEqual(await digestToken(match[1]!), await expected);
  };
}
