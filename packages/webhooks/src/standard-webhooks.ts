import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The Standard Webhooks signature scheme (standardwebhooks.com, spec 1.0.0):
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one
 * entry per secret (space-separated) so secrets can rotate without downtime, and
 * `whsec_<base64 key>` secrets.
 */

/** The prefix of a Standard Webhooks symmetric secret. */
export const WEBHOOK_SECRET_PREFIX = "whsec_";

const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** A v1 signature: 32 bytes of HMAC-SHA256 in padded base64. */
const V1_SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;

/**
 * A new random secret, `whsec_` and 32 random bytes in base64. Show it to the
 * receiver once; store it like a password.
 */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString("base64")}`;
}

/**
 * The HMAC key of a `whsec_` secret. Throws a TypeError that never includes the
 * secret (error text ends up in logs and dead letters).
 */
export function webhookSecretKey(secret: string): Buffer {
  if (typeof secret !== "string" || !secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new TypeError("scimkit: a webhook secret is `whsec_` followed by base64.");
  }
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (encoded.length > 200 || !BASE64.test(encoded)) {
    throw new TypeError("scimkit: a webhook secret is `whsec_` followed by base64.");
  }
  const key = Buffer.from(encoded, "base64");
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    throw new TypeError(
      `scimkit: a webhook secret's key must be ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes (use generateWebhookSecret()).`,
    );
  }
  return key;
}

/** The keys of one or several secrets; at least one, at most 10. */
export function webhookSecretKeys(secrets: string | readonly string[], name: string): Buffer[] {
  const list = typeof secrets === "string" ? [secrets] : secrets;
  if (!Array.isArray(list) || list.length === 0 || list.length > 10) {
    throw new TypeError(`scimkit: \`${name}\` must be one secret or a list of 1 to 10.`);
  }
  return list.map((secret) => webhookSecretKey(secret));
}

const hmac = (key: Buffer, id: string, timestamp: number, body: string | Uint8Array) =>
  createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();

/**
 * The `webhook-signature` value for a message: `v1,<base64>` per key, space
 * separated, in the order given (the current secret first during a rotation).
 */
export function signWebhook(input: {
  readonly id: string;
  /** Unix seconds of this attempt. */
  readonly timestamp: number;
  readonly body: string;
  readonly keys: readonly Buffer[];
}): string {
  return input.keys
    .map((key) => `v1,${hmac(key, input.id, input.timestamp, input.body).toString("base64")}`)
    .join(" ");
}

/** Why `verifyWebhook` refused a message. */
export type VerifyWebhookError =
  /** `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent. */
  | "missingHeaders"
  /** A header is repeated, too long, or not of its form. */
  | "invalidHeaders"
  /** No `v1` signature matches any of the secrets. */
  | "invalidSignature"
  /** `webhook-timestamp` is further from now than the tolerance (a replay, or a skewed clock). */
  | "timestampOutOfRange";

/** What `verifyWebhook` found. */
export type VerifyWebhookResult =
  | { readonly ok: true; readonly id: string; readonly timestamp: number }
  | { readonly ok: false; readonly error: VerifyWebhookError; readonly message: string };

/** Request headers as fetch (`Headers`) or Node (`IncomingHttpHeaders`) give them. */
export type WebhookRequestHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Options of `verifyWebhook`. */
export interface VerifyWebhookOptions {
  readonly headers: WebhookRequestHeaders;
  /** The raw body exactly as received: verify before parsing it (re-serialized JSON differs). */
  readonly body: string | Uint8Array;
  /** The endpoint's secret, or several during a rotation (any one may match). */
  readonly secrets: string | readonly string[];
  /** Largest accepted distance between `webhook-timestamp` and now. @default 300 */
  readonly toleranceSeconds?: number;
  /** The current time in milliseconds; for tests. @default Date.now */
  readonly now?: () => number;
}

const MAX_ID_LENGTH = 256;
const MAX_SIGNATURE_HEADER = 4096;
const MAX_SIGNATURES = 16;

function header(headers: WebhookRequestHeaders, name: string): string | undefined | null {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  let found: string | readonly string[] | undefined = record[name];
  if (found === undefined) {
    let seen = 0;
    for (const key in record) {
      seen += 1;
      if (seen > 256) break;
      if (key.toLowerCase() === name) {
        found = record[key];
        break;
      }
    }
  }
  if (Array.isArray(found)) return null; // A repeated header is never valid here.
  return found as string | undefined;
}

const refused = (error: VerifyWebhookError, message: string): VerifyWebhookResult => ({
  ok: false,
  error,
  message,
});

/**
 * Verifies a Standard Webhooks message on the receiving side: one of the `v1`
 * signatures must match one of the secrets (compared in constant time) and the
 * timestamp must be within the tolerance. Use `id` as the idempotency key: the
 * same change arrives with the same id on every retry and redelivery.
 *
 * ```ts
 * const result = verifyWebhook({ headers: request.headers, body: rawBody, secrets: process.env.WEBHOOK_SECRET });
 * if (!result.ok) return response.status(401).end();
 * if (await seen(result.id)) return response.status(204).end();
 * ```
 */
export function verifyWebhook(options: VerifyWebhookOptions): VerifyWebhookResult {
  const keys = webhookSecretKeys(options.secrets, "secrets");
  const tolerance = options.toleranceSeconds ?? 300;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new TypeError("scimkit: `toleranceSeconds` must be a number of seconds, 0 or more.");
  }
  const id = header(options.headers, "webhook-id");
  const timestampText = header(options.headers, "webhook-timestamp");
  const signatures = header(options.headers, "webhook-signature");
  if (id === null || timestampText === null || signatures === null) {
    return refused("invalidHeaders", "A webhook header is repeated.");
  }
  if (id === undefined || timestampText === undefined || signatures === undefined) {
    return refused(
      "missingHeaders",
      "webhook-id, webhook-timestamp and webhook-signature are required.",
    );
  }
  if (id.length === 0 || id.length > MAX_ID_LENGTH || !/^[\x21-\x7e]+$/.test(id)) {
    return refused("invalidHeaders", "webhook-id is empty, too long or not printable ASCII.");
  }
  if (!/^[0-9]{1,12}$/.test(timestampText)) {
    return refused("invalidHeaders", "webhook-timestamp is not Unix seconds.");
  }
  if (signatures.length > MAX_SIGNATURE_HEADER) {
    return refused("invalidHeaders", "webhook-signature is too long.");
  }
  const entries = signatures.split(" ").filter((entry) => entry !== "");
  if (entries.length > MAX_SIGNATURES) {
    return refused("invalidHeaders", "webhook-signature lists too many signatures.");
  }
  const timestamp = Number(timestampText);
  const expected = keys.map((key) => hmac(key, id, timestamp, options.body));
  let matched = false;
  for (const entry of entries) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue; // Other schemes (v1a) are not ours.
    const encoded = entry.slice(comma + 1);
    if (!V1_SIGNATURE.test(encoded)) continue;
    const given = Buffer.from(encoded, "base64");
    for (const digest of expected) if (timingSafeEqual(digest, given)) matched = true;
  }
  if (!matched) return refused("invalidSignature", "No signature matches the secret.");
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  if (Math.abs(now - timestamp) > tolerance) {
    return refused("timestampOutOfRange", "webhook-timestamp is outside the tolerance.");
  }
  return { ok: true, id, timestamp };
}
