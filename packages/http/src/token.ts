/**
 * The token format and digest are core's (one owner); the layer re-exports them
 * under the names its users already know.
 */
export { digestsEqual, digestToken, generateToken, TOKEN_PREFIX } from "@scimkit/core";

import { tokenSha256 } from "@scimkit/core";

/**
 * The SHA-256 of a bearer token as 64 lower-case hex characters: the form to store
 * in your database and pass as `auth: { tokenHashes: [{ sha256, tenant }] }`.
 * Works on every runtime; `@scimkit/express` also offers a synchronous
 * `hashToken` with the same result.
 */
export const hashToken = (token: string): Promise<string> => tokenSha256(token);
