import type { ChangeConsumer, FeedChange } from "@scimkit/core";
import { createDeliveryConsumer, type DeliveryConsumerOptions } from "../delivery-consumer";
import {
  DeliveryError,
  describeEndpoint,
  endpointUrl,
  extraHeaders,
  PermanentDeliveryError,
  positiveInteger,
  postOnce,
  snippet,
  throwForStatus,
} from "../http-delivery";
import {
  createSecurityEventIssuer,
  type SecurityEventIssuerOptions,
} from "./create-security-event-issuer";

/** Options of `createSetPushSender`. */
export interface SetPushSenderOptions extends SecurityEventIssuerOptions {
  /** The SET Recipient's endpoint (RFC 8935 §2.1). https unless loopback or `allowHttp`. */
  readonly url: string | URL;
  /** Allow plain `http:` to a non-loopback host. RFC 8935 requires TLS. @default false */
  readonly allowHttp?: boolean;
  /**
   * Extra request headers, typically `authorization` (RFC 8935 §3: standard HTTP
   * authentication). Never logged. May not set `content-type` or `accept`.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** Milliseconds for one attempt, answer included. @default 15000 */
  readonly timeoutMs?: number;
  /** Bytes of an error answer read (RFC 8935 §2.3 JSON error). @default 16384 */
  readonly maxResponseBytes?: number;
  /** Only changes for which this returns true are sent. */
  readonly filter?: (change: FeedChange) => boolean;
  /** @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
}

/** Options of `createSetPushConsumer`. */
export interface SetPushConsumerOptions extends SetPushSenderOptions, DeliveryConsumerOptions {}

/**
 * RFC 8935 §2.4 codes that may pass on a later attempt (§4: credentials can be
 * refreshed). Every other 400 (`invalid_request`, `invalid_key`, `invalid_issuer`,
 * `invalid_audience`, codes registered later, no code) rejects the SET itself,
 * and §4 warns that retransmitting it is "extremely unlikely to be successful".
 */
const RETRYABLE_ERRORS = new Set(["authentication_failed", "access_denied"]);
const MAX_RETRY_AFTER_MS = 3_600_000;

function setError(text: string): { err: string; description: string } | undefined {
  try {
    const body = JSON.parse(text) as { err?: unknown; description?: unknown };
    if (typeof body?.err !== "string") return undefined;
    return {
      err: snippet(body.err).slice(0, 64),
      description: typeof body.description === "string" ? snippet(body.description) : "",
    };
  } catch {
    return undefined;
  }
}

/**
 * A `handle(change)` that pushes the change as a SET (RFC 8935): `POST` with
 * `Content-Type: application/secevent+jwt`, `Accept: application/json`, the SET
 * as body. 202 (or any 2xx) is delivered. A 400 is the recipient rejecting the
 * SET: `invalid_request`, `invalid_key`, `invalid_issuer`, `invalid_audience`, an
 * unknown code or no code reject with `PermanentDeliveryError` (dead-lettered at
 * once: the same SET would be rejected again); `authentication_failed` and
 * `access_denied` retry. Other statuses behave as for webhooks (429/503 with
 * `Retry-After`, 410 stops, the rest back off).
 */
export function createSetPushSender(
  options: SetPushSenderOptions,
): (change: FeedChange, signal?: AbortSignal) => Promise<void> {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      "scimkit: createSetPushSender needs options with `url`, `issuer` and `signing`.",
    );
  }
  const url = endpointUrl(options.url, "url", options.allowHttp === true);
  const issuer = createSecurityEventIssuer(options);
  const headers = extraHeaders(options.headers, ["content-type", "accept"]);
  const timeoutMs = positiveInteger(options.timeoutMs, "timeoutMs", 15_000, 300_000);
  const maxResponseBytes = positiveInteger(options.maxResponseBytes, "maxResponseBytes", 16_384);
  const fetch = options.fetch ?? globalThis.fetch;
  const filter = options.filter;
  if (filter !== undefined && typeof filter !== "function") {
    throw new TypeError("scimkit: `filter` must be a function.");
  }

  return async (change, signal) => {
    if (filter !== undefined && !filter(change)) return;
    const issued = issuer.issue(change);
    if (issued === undefined) return; // RFC 9967 has no event for it.
    const answer = await postOnce({
      url,
      headers: Object.assign({}, headers, {
        "content-type": "application/secevent+jwt",
        accept: "application/json",
      }),
      body: issued.token,
      timeoutMs,
      maxResponseBytes,
      fetch,
      ...(signal === undefined ? {} : { signal }),
    });
    if (answer.status >= 200 && answer.status < 300) return;
    if (answer.status === 400) {
      const error = setError(answer.text);
      const where = describeEndpoint(url);
      const text =
        error === undefined
          ? "no error code"
          : `${error.err}${error.description ? `: ${error.description}` : ""}`;
      const message = `SET ${issued.jti} rejected by ${where} (${text})`;
      if (error !== undefined && RETRYABLE_ERRORS.has(error.err))
        throw new DeliveryError(message, 400);
      throw new PermanentDeliveryError(message);
    }
    throwForStatus(answer, url, MAX_RETRY_AFTER_MS);
  };
}

/**
 * Pushes the store's change feed to one SET Recipient (RFC 8935) as RFC 9967
 * SETs, with the consumer's guarantees: at least once per change (the same `jti`
 * on every retransmission), in order per resource, resuming after restarts, one
 * active transmitter per `name` across instances, retries with backoff, dead
 * letters in `store.feed.deadLetters(name)`.
 */
export function createSetPushConsumer(options: SetPushConsumerOptions): ChangeConsumer {
  const push = createSetPushSender(options);
  return createDeliveryConsumer(options, "security-events", push);
}
