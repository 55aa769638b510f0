/** Prefix of tokens made by {@link generateToken}, so leaked tokens are recognisable by secret scanners. */
export const TOKEN_PREFIX = "scim_";

interface NodeCrypto {
  createHash(algorithm: "sha256"): {
    update(data: string, encoding: "utf8"): { digest(): Uint8Array };
  };
  hash?: (algorithm: "sha256", data: string, outputEncoding: "buffer") => Uint8Array;
}

// node:crypto hashes a short token in about 1 µs where Web Crypto's digest takes tens
// (a thread-pool round trip), so the layer uses it where the runtime offers it
// without a static import (Node 20.16+, Bun, Deno); elsewhere Web Crypto.
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;
const nodeHash = nodeCrypto?.hash;

const encoder = new TextEncoder();

/**
 * The 32-byte SHA-256 of a token's UTF-8 bytes: synchronous where node:crypto is
 * available, a promise on runtimes with only Web Crypto.
 */
export function digestToken(token: string): Uint8Array | Promise<Uint8Array> {
  if (nodeHash !== undefined) return nodeHash("sha256", token, "buffer");
  if (nodeCrypto !== undefined)
    return nodeCrypto.createHash("sha256").update(token, "utf8").digest();
  return crypto.subtle
    .digest("SHA-256", encoder.encode(token))
    .then((buffer) => new Uint8Array(buffer));
}

/**
 * Compares two digests without an early exit, so the time taken does not reveal
 * how many leading bytes matched.
 */
export function digestsEqual(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let index = 0; index < left.length; index++) {
    difference |= (left[index] as number) ^ (right[index] as number);
  }
  return difference === 0;
}

const toHex = (bytes: Uint8Array) =>
  Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");

/**
 * The SHA-256 of a bearer token as 64 lower-case hex characters: the form to store
 * in your database and pass as `auth: { tokenHashes: [{ sha256, tenant }] }`.
 * Works on every runtime (Web Crypto); `@scimkit/express` also offers a synchronous
 * `hashToken` with the same result.
 */
export async function hashToken(token: string): Promise<string> {
  return toHex(await digestToken(token));
}

/**
 * A new bearer token: `scim_` followed by 32 random bytes in base64url (43 characters).
 * Show it to the administrator once, store only {@link hashToken} of it.
 */
export function generateToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return TOKEN_PREFIX + base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
