/**
 * Bearer tokens: issued from the CSPRNG with a prefix secret scanners can
 * recognise, kept only as SHA-256, compared in constant time. The one owner of
 * the token format and its digest, for the HTTP layer's static tokens and the
 * store's tokens alike. No static import of a Node module, so core stays
 * runnable outside Node.
 */

/** Every generated token starts with this, so a leaked one is easy to spot and revoke. */
export const TOKEN_PREFIX = "scimkit_";

/** Random bytes per token (256 bits). */
const TOKEN_BYTES = 32;

interface NodeCrypto {
  createHash(algorithm: "sha256"): {
    update(data: string, encoding: "utf8"): { digest(): Uint8Array };
  };
  hash?: (algorithm: "sha256", data: string, outputEncoding: "buffer") => Uint8Array;
}

// node:crypto hashes a short token in about 1 µs where Web Crypto's digest takes tens
// (a thread-pool round trip): use it where the runtime offers it without a static
// import (Node 20.16+, Bun, Deno), Web Crypto elsewhere.
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;
const nodeHash = nodeCrypto?.hash;
const encoder = new TextEncoder();

const base64Url = (bytes: Uint8Array): string => {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
};

const hex = (bytes: Uint8Array): string => {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
};

/**
 * The 32-byte SHA-256 of a token's UTF-8 bytes: synchronous where node:crypto is
 * available, a promise on runtimes with only Web Crypto.
 */
export function digestToken(token: string): Uint8Array | Promise<Uint8Array> {
  if (nodeHash !== undefined) return nodeHash("sha256", token, "buffer");
  if (nodeCrypto !== undefined) {
    return nodeCrypto.createHash("sha256").update(token, "utf8").digest();
  }
  return globalThis.crypto.subtle
    .digest("SHA-256", encoder.encode(token))
    .then((buffer) => new Uint8Array(buffer));
}

/** SHA-256 of a token as 64 lower-case hex characters: the form stores keep. */
export async function tokenSha256(token: string): Promise<string> {
  return hex(await digestToken(token));
}

/** Compares two digests without an early exit, so timing reveals no matching prefix. */
export function digestsEqual(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let index = 0; index < left.length; index++) {
    difference |= (left[index] as number) ^ (right[index] as number);
  }
  return difference === 0;
}

/** The bytes of a 64-character hex digest. */
export function digestFromHex(sha256: string): Uint8Array {
  const bytes = new Uint8Array(sha256.length / 2);
  for (let index = 0; index < bytes.length; index += 1) {
    bytes[index] = Number.parseInt(sha256.slice(index * 2, index * 2 + 2), 16);
  }
  return bytes;
}

/**
 * A new bearer token: `scimkit_` and 32 random bytes in base64url (43 characters).
 * Show it once; keep only its `tokenSha256`.
 */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${base64Url(globalThis.crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)))}`;
}

/** A new token, its hash (what is stored) and its hint (what is shown later). */
export interface IssuedToken {
  /** Shown once, never stored. */
  readonly token: string;
  readonly sha256: string;
  /** `scimkit_…` plus the last four characters: enough to tell tokens apart. */
  readonly hint: string;
}

export async function issueToken(): Promise<IssuedToken> {
  const token = generateToken();
  return { token, sha256: await tokenSha256(token), hint: `${TOKEN_PREFIX}…${token.slice(-4)}` };
}

/** A short random id for a token record (not secret). */
export function tokenId(): string {
  return `tok_${base64Url(globalThis.crypto.getRandomValues(new Uint8Array(12)))}`;
}

/** Tenant ids: lower-case letters, digits, `-` and `_`, 1-64 characters. */
export const TENANT_ID = /^[a-z0-9_-]{1,64}$/;
