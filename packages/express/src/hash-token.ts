import { createHash } from "node:crypto";

export { generateToken, TOKEN_PREFIX } from "@scimkit/http";

/**
 * The SHA-256 of a bearer token as 64 lower-case hex characters: the form to store
 * in your database and pass to `scimRouter({ auth: { tokenHashes } })`. The same
 * value as `@scimkit/http`'s `hashToken`, synchronously (Express runs on Node).
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
