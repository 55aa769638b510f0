import { createHash, randomBytes } from "node:crypto";

/** Prefix of tokens made by {@link generateToken}, so leaked tokens are recognisable by secret scanners. */
export const TOKEN_PREFIX = "scim_";

/**
 * The SHA-256 of a bearer token as 64 lower-case hex characters: the form to store
 * in your database and pass to `scimRouter({ auth: { tokenHashes } })`.
 */
export function hashToken(token: string): string {
  return tokenDigest(token).toString("hex");
}

/** The raw 32-byte SHA-256 of a token, compared with `timingSafeEqual`. */
export function tokenDigest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/**
 * A new bearer token: `scim_` followed by 32 random bytes in base64url (43 characters).
 * Show it to the administrator once, store only {@link hashToken} of it.
 */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}
