/**
 * Bearer tokens: issued from the CSPRNG with a prefix secret scanners can
 * recognise, kept only as SHA-256, compared in constant time. Web Crypto only,
 * so core stays runnable outside Node.
 */

/** Every issued token starts with this, so a leaked one is easy to spot and revoke. */
export const TOKEN_PREFIX = "scimkit_";

/** Random bytes per token (256 bits). */
const TOKEN_BYTES = 32;

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

/** SHA-256 of a token as 64 lower-case hex characters. */
export async function tokenSha256(token: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return hex(new Uint8Array(digest));
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
  const token = `${TOKEN_PREFIX}${base64Url(globalThis.crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)))}`;
  return { token, sha256: await tokenSha256(token), hint: `${TOKEN_PREFIX}…${token.slice(-4)}` };
}

/** A short random id for a token record (not secret). */
export function tokenId(): string {
  return `tok_${base64Url(globalThis.crypto.getRandomValues(new Uint8Array(12)))}`;
}

/** Equal-length strings compared without an early exit (for hex digests). */
export function constantTimeEqual(left: string, right: string): boolean {
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let index = 0; index < left.length; index += 1) {
    difference |= left.charCodeAt(index) ^ right.charCodeAt(index);
  }
  return difference === 0;
}

/** Tenant ids: lower-case letters, digits, `-` and `_`, 1-64 characters. */
export const TENANT_ID = /^[a-z0-9_-]{1,64}$/;
