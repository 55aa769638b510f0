import { timingSafeEqual } from "node:crypto";
import type { Request } from "express";
import { tokenDigest } from "./hash-token";
import type { HashEntry, ResolvedOptions } from "./options";

/** Why a request was refused; each maps to a fixed message that never contains the token. */
export type AuthFailure = "missing" | "scheme" | "invalid";

export type AuthOutcome =
  | { readonly ok: true; readonly tenant: string }
  | { readonly ok: false; readonly failure: AuthFailure };

export const AUTH_FAILURE_DETAIL: Readonly<Record<AuthFailure, string>> = {
  missing: "Authentication required: send an Authorization: Bearer <token> header.",
  scheme: "Unsupported authorization scheme: use Bearer.",
  invalid: "The bearer token is not valid.",
};

const MAX_AUTHORIZATION_LENGTH = 8192;
const BEARER = /^bearer[ \t]+([^ \t]+)[ \t]*$/i;

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
 * Finds the tenant of a token among stored SHA-256 digests. Every digest is compared
 * with `timingSafeEqual`, without stopping at the first match, so the response time
 * reveals neither which entry matched nor how much of a digest did.
 */
export function findTenant(token: string, entries: readonly HashEntry[]): string | undefined {
  const presented = tokenDigest(token);
  let tenant: string | undefined;
  for (const entry of entries) {
    const equal = timingSafeEqual(presented, entry.digest);
    if (equal && tenant === undefined) tenant = entry.tenant;
  }
  return tenant;
}

/** Authenticates one request; rejects only when a custom `verify` throws. */
export async function authenticate(
  auth: ResolvedOptions["auth"],
  request: Request,
): Promise<AuthOutcome> {
  if (auth.kind === "none") return { ok: true, tenant: auth.tenant };
  const bearer = readBearerToken(request.headers.authorization);
  if (!bearer.ok) return bearer;
  if (auth.kind === "hashes") {
    const tenant = findTenant(bearer.token, auth.entries);
    return tenant === undefined ? { ok: false, failure: "invalid" } : { ok: true, tenant };
  }
  const verified = await auth.verify(bearer.token, request);
  if (verified === null || verified === undefined) return { ok: false, failure: "invalid" };
  if (typeof verified.tenant !== "string" || verified.tenant.length === 0) {
    throw new TypeError("scimRouter: auth.verify resolved without a non-empty string tenant");
  }
  return { ok: true, tenant: verified.tenant };
}
