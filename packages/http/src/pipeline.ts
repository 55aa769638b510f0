import { ScimError } from "@scimkit/core";
import type { AdapterReply, AdapterRequest } from "./adapter-types";
import { type BodyPolicy, firstHeader, readBody } from "./read-body";

/** What a JSON handler answers: status, extra headers, a JSON-serialisable body. */
export interface JsonResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** An authentication outcome: who is calling, or the error to answer (401, 403, ...). */
export type Authentication<Principal> =
  | { readonly ok: true; readonly principal: Principal }
  | {
      readonly ok: false;
      readonly error: ScimError;
      /** Extra headers for the refusal, e.g. `WWW-Authenticate`. */
      readonly headers?: readonly string[];
    };

/** Everything the handler of an endpoint gets, after authentication and body parsing. */
export interface EndpointCall<Raw, Principal> {
  readonly request: AdapterRequest<Raw>;
  readonly principal: Principal;
  readonly body: unknown;
  /** Absolute URL of the mount point without a trailing slash. */
  readonly baseUrl: string;
}

/**
 * One JSON API over HTTP: the SCIM service is one, a management API can be
 * another. The pipeline owns what they share (body limits and parsing, base URL,
 * error bodies, the 500 path); an endpoint brings its auth, media types and handler.
 */
export interface JsonEndpoint<Raw, Principal> {
  /** Content-Type of every answer with a body, e.g. `application/scim+json; charset=utf-8`. */
  readonly contentType: string;
  /**
   * The body of a refusal or failure the pipeline answers itself (401, 413, 415,
   * bad JSON, 500). @default the SCIM error body, `error.toJSON()`
   */
  readonly errorBody?: (error: ScimError) => unknown;
  readonly bodyPolicy: BodyPolicy;
  readonly trustProxy: boolean | undefined;
  readonly onError: (error: unknown, request: Raw) => void;
  /** Runs before the body is read. Throwing (anything) answers 500 through `onError`. */
  authenticate(
    request: AdapterRequest<Raw>,
  ): Authentication<Principal> | Promise<Authentication<Principal>>;
  handle(call: EndpointCall<Raw, Principal>): Promise<JsonResponse>;
}

/** Serves one request; resolves `undefined` only when the client went away mid-body. */
export type Pipeline<Raw> = (request: AdapterRequest<Raw>) => Promise<AdapterReply | undefined>;

const INTERNAL_ERROR_DETAIL = "An internal error occurred.";
const HOST = /^(?:[A-Za-z0-9._-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;
/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Field-value characters: no CR, LF or NUL (what Node's `setHeader` refuses too). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const OWN_HEADER = /^content-(?:type|length)$/i;
/** Statuses that never carry a body (RFC 9110 §15.3.5, §15.4.5). */
const BODYLESS_STATUSES = new Set([204, 304]);

/** A reply carrying the endpoint's error body: by default `error.toJSON()`, the one SCIM error body. */
export function errorReply(
  error: ScimError,
  contentType: string,
  headers: readonly string[] = [],
  errorBody: (error: ScimError) => unknown = (scimError) => scimError.toJSON(),
): AdapterReply {
  return {
    status: error.status,
    headers: [...headers, "Content-Type", contentType],
    body: JSON.stringify(errorBody(error)),
  };
}

/**
 * Turns a handler's response into a reply, validating status and headers and
 * serialising the body first, so a bad response throws before anything is written.
 */
export function toReply(response: JsonResponse, contentType: string): AdapterReply {
  const { status } = response;
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new TypeError(`The handler returned an invalid status: ${String(status)}`);
  }
  const headers: string[] = [];
  const extra = response.headers;
  for (const name in extra) {
    if (OWN_HEADER.test(name)) continue;
    const value = extra[name];
    if (!HEADER_NAME.test(name) || typeof value !== "string" || !HEADER_VALUE.test(value)) {
      throw new TypeError(`The handler returned an invalid header: ${JSON.stringify(name)}`);
    }
    headers.push(name, value);
  }
  if (response.body === undefined || BODYLESS_STATUSES.has(status)) {
    return { status, headers, body: undefined };
  }
  const body = JSON.stringify(response.body);
  if (typeof body !== "string")
    throw new TypeError("The handler returned a body that is not JSON.");
  headers.push("Content-Type", contentType);
  return { status, headers, body };
}

function firstValue(header: string | readonly string[] | undefined): string | undefined {
  const value = firstHeader(header);
  if (value === undefined) return undefined;
  const comma = value.indexOf(",");
  const first = (comma === -1 ? value : value.slice(0, comma)).trim();
  return first === "" ? undefined : first;
}

/** Absolute URL of the mount point without a trailing slash, or undefined for a bad host. */
export function resolveBaseUrl<Raw>(
  request: AdapterRequest<Raw>,
  trustProxy: boolean | undefined,
): string | undefined {
  const trusted = trustProxy ?? request.trustsProxy?.() ?? false;
  let protocol: string = request.protocol;
  let host = request.host;
  if (trusted) {
    const forwardedProto = firstValue(request.headers["x-forwarded-proto"])?.toLowerCase();
    if (forwardedProto === "http" || forwardedProto === "https") protocol = forwardedProto;
    host = firstValue(request.headers["x-forwarded-host"]) ?? host;
  }
  if (host === undefined || !HOST.test(host)) return undefined;
  return `${protocol}://${host}${request.mountPath}`;
}

/** The shared path of every JSON endpoint: authenticate, base URL, body, handler, reply. */
export function createPipeline<Raw, Principal>(
  endpoint: JsonEndpoint<Raw, Principal>,
): Pipeline<Raw> {
  const { contentType, errorBody } = endpoint;
  const refuse = (error: ScimError, headers?: readonly string[]) =>
    errorReply(error, contentType, headers, errorBody);
  const internalError = refuse(new ScimError({ status: 500, detail: INTERNAL_ERROR_DETAIL }));
  const badHost = refuse(
    new ScimError({ status: 400, detail: "The Host header is missing or malformed." }),
  );
  return async (request) => {
    try {
      const authentication = await endpoint.authenticate(request);
      if (!authentication.ok) return refuse(authentication.error, authentication.headers);
      const baseUrl = resolveBaseUrl(request, endpoint.trustProxy);
      if (baseUrl === undefined) return badHost;
      const body = await readBody(request.headers, request.body, endpoint.bodyPolicy);
      if (!body.ok) return body.error === undefined ? undefined : refuse(body.error);
      let response: JsonResponse;
      try {
        response = await endpoint.handle({
          request,
          principal: authentication.principal,
          body: body.body,
          baseUrl,
        });
      } catch (error) {
        if (!ScimError.is(error) || !(error.status >= 400 && error.status <= 599)) throw error;
        return refuse(error);
      }
      return toReply(response, contentType);
    } catch (error) {
      try {
        endpoint.onError(error, request.raw);
      } catch {
        // A failing error hook must not stop the client from getting its 500.
      }
      return internalError;
    }
  };
}
