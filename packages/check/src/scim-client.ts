/** A JSON object as the server sent it. */
export type JsonObject = Record<string, unknown>;

/** One answer from the server, body parsed when it is JSON. */
export interface HttpAnswer {
  readonly method: string;
  /** The path below the base URL, with its query, as requested. */
  readonly path: string;
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body; `undefined` when the body is empty or not JSON. */
  readonly body: unknown;
  readonly text: string;
  readonly durationMs: number;
}

export interface RequestOptions {
  readonly body?: unknown;
  /** A raw body sent as is (for malformed-JSON checks). */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  /** Query parameters, percent-encoded with encodeURIComponent (spaces as %20). */
  readonly query?: Record<string, string | number>;
  /** Send no Authorization header at all. */
  readonly anonymous?: boolean;
}

export interface ScimClient {
  request(method: string, path: string, options?: RequestOptions): Promise<HttpAnswer>;
}

export interface ScimClientOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly fetch: typeof globalThis.fetch;
  readonly timeoutMs: number;
  /** Aborts every request still running (the run's overall stop). */
  readonly signal?: AbortSignal;
}

export const SCIM_CONTENT_TYPE = "application/scim+json";

/** Encodes a query the way RFC 3986 clients do: `%20` for spaces, `%22` for quotes. */
export function encodeQuery(query: Record<string, string | number>): string {
  return Object.entries(query)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join("&");
}

/**
 * A small SCIM HTTP client: bearer auth, `application/scim+json`, a time limit
 * per request. The token goes into the Authorization header only; no answer,
 * message or error it produces contains it.
 */
export function createScimClient(options: ScimClientOptions): ScimClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  return {
    async request(method, path, requestOptions = {}) {
      const query = requestOptions.query === undefined ? "" : encodeQuery(requestOptions.query);
      const fullPath = query === "" ? path : `${path}${path.includes("?") ? "&" : "?"}${query}`;
      const headers: Record<string, string> = { accept: SCIM_CONTENT_TYPE };
      if (requestOptions.anonymous !== true) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (requestOptions.rawBody !== undefined) body = requestOptions.rawBody;
      else if (requestOptions.body !== undefined) body = JSON.stringify(requestOptions.body);
      if (body !== undefined) headers["content-type"] = SCIM_CONTENT_TYPE;
      Object.assign(headers, requestOptions.headers);
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal =
        options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
      const started = performance.now();
      let response: Response;
      let text: string;
      try {
        response = await options.fetch(`${base}${fullPath}`, { method, headers, body, signal });
        text = await response.text();
      } catch (error) {
        throw new RequestError(method, fullPath, describeFetchError(error, options.timeoutMs));
      }
      return {
        method,
        path: fullPath,
        status: response.status,
        headers: response.headers,
        body: parseJson(text),
        text,
        durationMs: Math.round(performance.now() - started),
      };
    },
  };
}

/** A request that got no HTTP answer (refused, reset, timed out). */
export class RequestError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    reason: string,
  ) {
    super(`${method} ${path} got no answer: ${reason}`);
    this.name = "RequestError";
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
    if (error.name === "AbortError") return "the run was stopped";
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
