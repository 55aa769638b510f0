import { ScimError, type ScimRequest } from "@scimkit/core";
import type { AdapterRequest, RequestHeaders } from "./adapter-types";
import type { HashEntry, ResolvedAuth, ResolvedOptions } from "./options";
import { decodePath, parseQuery } from "./parse-query";
import type { Authentication, JsonEndpoint } from "./pipeline";
import { firstHeader } from "./read-body";
import { digestsEqual, digestToken } from "./token";

export const SCIM_CONTENT_TYPE = "application/scim+json; charset=utf-8";
const SCIM_MEDIA_TYPES = new Set(["application/scim+json", "application/json"]);

/** Who a SCIM request is served as. */
export interface ScimPrincipal {
  readonly tenant: string;
  readonly tokenId: string | undefined;
}

/** Why a request was refused; each maps to a fixed message that never contains the token. */
export type AuthFailure = "missing" | "scheme" | "invalid";

export const AUTH_FAILURE_DETAIL: Readonly<Record<AuthFailure, string>> = {
  missing: "Authentication required: send an Authorization: Bearer <token> header.",
  scheme: "Unsupported authorization scheme: use Bearer.",
  invalid: "The bearer token is not valid.",
};

const CHALLENGE = ["WWW-Authenticate", 'Bearer realm="SCIM"'];
const MAX_AUTHORIZATION_LENGTH = 8192;
const BEARER = /^bearer[ \t]+([^ \t]+)[ \t]*$/i;

const refusal = (failure: AuthFailure): Authentication<never> => ({
  ok: false,
  error: new ScimError({ status: 401, detail: AUTH_FAILURE_DETAIL[failure] }),
  headers: CHALLENGE,
});
const refusals: Record<AuthFailure, Authentication<never>> = {
  missing: refusal("missing"),
  scheme: refusal("scheme"),
  invalid: refusal("invalid"),
};

/** Extracts the token from an Authorization header; the scheme is case-insensitive. */
export function readBearerToken(
  header: string | undefined,
): { ok: true; token: string } | { ok: false; failure: AuthFailure } {
  const value = header?.trim() ?? "";
  if (value.length === 0) return { ok: false, failure: "missing" };
  if (value.length > MAX_AUTHORIZATION_LENGTH) return { ok: false, failure: "invalid" };
  const match = BEARER.exec(value);
  if (match?.[1] === undefined) {
    return { ok: false, failure: /^bearer$/i.test(value) ? "missing" : "scheme" };
  }
  return { ok: true, token: match[1] };
}

/**
 * Finds the entry of a token's digest. Every digest is compared without stopping
 * at the first match, so the response time reveals neither which entry matched
 * nor how much of a digest did.
 */
export function findEntry(
  presented: Uint8Array,
  entries: readonly HashEntry[],
): HashEntry | undefined {
  let found: HashEntry | undefined;
  for (const entry of entries) {
    const equal = digestsEqual(presented, entry.digest);
    if (equal && found === undefined) found = entry;
  }
  return found;
}

const matched = (entry: HashEntry | undefined): Authentication<ScimPrincipal> =>
  entry === undefined
    ? refusals.invalid
    : { ok: true, principal: { tenant: entry.tenant, tokenId: entry.tokenId } };

/** Authenticates one SCIM request; rejects only when a custom `verify` throws something else than a 4xx ScimError. */
export async function authenticate<Raw>(
  auth: ResolvedAuth<Raw>,
  request: AdapterRequest<Raw>,
): Promise<Authentication<ScimPrincipal>> {
  if (auth.kind === "none")
    return { ok: true, principal: { tenant: auth.tenant, tokenId: undefined } };
  const bearer = readBearerToken(firstHeader(request.headers.authorization));
  if (!bearer.ok) return refusals[bearer.failure];
  if (auth.kind === "hashes") {
    const digest = digestToken(bearer.token);
    const entries = auth.entries;
    return matched(
      findEntry(
        digest instanceof Uint8Array ? digest : await digest,
        Array.isArray(entries) ? entries : await entries,
      ),
    );
  }
  let verified: Awaited<ReturnType<typeof auth.verify>>;
  try {
    verified = await auth.verify(bearer.token, request.raw);
  } catch (error) {
    if (ScimError.is(error) && error.status >= 400 && error.status <= 499) {
      return { ok: false, error, ...(error.status === 401 ? { headers: CHALLENGE } : {}) };
    }
    throw error;
  }
  if (verified === null || verified === undefined) return refusals.invalid;
  const { tenant, tokenId } = verified;
  if (typeof tenant !== "string" || tenant.length === 0) {
    throw new TypeError("auth.verify resolved without a non-empty string tenant");
  }
  if (tokenId !== undefined && typeof tokenId !== "string") {
    throw new TypeError("auth.verify resolved a tokenId that is not a string");
  }
  return { ok: true, principal: { tenant, tokenId } };
}

/** Request headers for the handler; `authorization` is left out, it has been consumed here. */
export function handlerHeaders(headers: RequestHeaders): Record<string, string | undefined> {
  const copy: Record<string, string | undefined> = {};
  for (const name in headers) {
    if (name === "authorization") continue;
    const value = headers[name];
    copy[name] = typeof value === "string" || value === undefined ? value : value.join(", ");
  }
  return copy;
}

/** The SCIM service as a JSON endpoint: bearer tokens, SCIM media types, `ScimRequest`s. */
export function scimEndpoint<Raw>(options: ResolvedOptions<Raw>): JsonEndpoint<Raw, ScimPrincipal> {
  const { handler, auth } = options;
  return {
    contentType: SCIM_CONTENT_TYPE,
    bodyPolicy: {
      limit: options.bodyLimit,
      mediaTypes: SCIM_MEDIA_TYPES,
      mediaTypesText: "application/scim+json or application/json",
    },
    trustProxy: options.trustProxy,
    onError: options.onError,
    authenticate: (request) => authenticate(auth, request),
    handle: ({ request, principal, body, baseUrl }) => {
      const method = request.method.toUpperCase();
      const scimRequest: ScimRequest = {
        method: method === "HEAD" ? "GET" : method,
        path: decodePath(request.target),
        query: parseQuery(request.target),
        headers: handlerHeaders(request.headers),
        body,
        tenant: principal.tenant,
        ...(principal.tokenId === undefined ? {} : { tokenId: principal.tokenId }),
        baseUrl,
      };
      return handler(scimRequest);
    },
  };
}
