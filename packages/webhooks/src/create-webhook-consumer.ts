import type { ChangeConsumer, FeedChange } from "@scimkit/core";
import { changeId } from "./change-id";
import { createDeliveryConsumer, type DeliveryConsumerOptions } from "./delivery-consumer";
import {
  endpointUrl,
  extraHeaders,
  positiveInteger,
  postOnce,
  throwForStatus,
} from "./http-delivery";
import { signWebhook, webhookSecretKeys } from "./standard-webhooks";
import { webhookBody } from "./webhook-payload";

/** Options of `createWebhookSender`. */
export interface WebhookSenderOptions {
  /** The receiver's endpoint. https, unless the host is loopback or `allowHttp` is set. */
  readonly url: string | URL;
  /**
   * The endpoint's `whsec_` secret, or several while rotating: every delivery is
   * signed with each (current first), so the receiver may verify with either.
   */
  readonly secrets: string | readonly string[];
  /** Allow plain `http:` to a non-loopback host (a trusted private network). @default false */
  readonly allowHttp?: boolean;
  /** Milliseconds for one attempt, answer included (Standard Webhooks: 15 to 30 s). @default 15000 */
  readonly timeoutMs?: number;
  /**
   * Extra request headers (e.g. `authorization` for a receiver behind a gateway).
   * Never logged or put in error text. May not set the `webhook-*` headers or
   * `content-type`.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Largest body sent. A larger event (a group created with 100 000 members) is
   * sent thin: `data` with `tenant`, `resourceType`, `id` and `thin: true` only.
   * @default 1048576 (1 MiB)
   */
  readonly maxPayloadBytes?: number;
  /** Bytes of a failed answer read for the error text (the rest is not read). @default 4096 */
  readonly maxResponseBytes?: number;
  /** Only changes for which this returns true are sent; the others are skipped (done). */
  readonly filter?: (change: FeedChange) => boolean;
  /** The fetch to use, e.g. one that goes through an egress proxy. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** The clock for `webhook-timestamp`, in milliseconds; for tests. @default Date.now */
  readonly now?: () => number;
}

/** Options of `createWebhookConsumer`: where to send, and how to consume the feed. */
export interface WebhookConsumerOptions extends WebhookSenderOptions, DeliveryConsumerOptions {}

const RESERVED = ["content-type", "webhook-id", "webhook-timestamp", "webhook-signature"];
/** Longest `Retry-After` honoured; the consumer caps it further at `retry.maxDelayMs`. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * A `handle(change)` for `createChangeConsumer` that POSTs the change as a
 * Standard Webhook: body `{"type", "timestamp", "data"}`, headers `webhook-id`
 * (`msg_` and `changeId(change)`: the same on every retry and redelivery),
 * `webhook-timestamp` (this attempt) and `webhook-signature` (`v1,<base64>` per
 * secret). Resolves on a 2xx answer. Rejects otherwise: `RetryLaterError` for 429
 * and 503 with `Retry-After`, `EndpointGoneError` for 410, `DeliveryError` for
 * other statuses, timeouts and network failures. Redirects are not followed.
 */
export function createWebhookSender(
  options: WebhookSenderOptions,
): (change: FeedChange, signal?: AbortSignal) => Promise<void> {
  if (options === null || typeof options !== "object") {
    throw new TypeError("scimkit: createWebhookSender needs options with `url` and `secrets`.");
  }
  const url = endpointUrl(options.url, "url", options.allowHttp === true);
  const keys = webhookSecretKeys(options.secrets, "secrets");
  const timeoutMs = positiveInteger(options.timeoutMs, "timeoutMs", 15_000, 300_000);
  const maxPayloadBytes = positiveInteger(options.maxPayloadBytes, "maxPayloadBytes", 1_048_576);
  const maxResponseBytes = positiveInteger(options.maxResponseBytes, "maxResponseBytes", 4096);
  const headers = extraHeaders(options.headers, RESERVED);
  const fetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const filter = options.filter;
  if (filter !== undefined && typeof filter !== "function") {
    throw new TypeError("scimkit: `filter` must be a function.");
  }

  return async (change, signal) => {
    if (filter !== undefined && !filter(change)) return;
    const id = `msg_${changeId(change)}`;
    const body = webhookBody(change, maxPayloadBytes);
    const timestamp = Math.floor(now() / 1000);
    const answer = await postOnce({
      url,
      headers: Object.assign({}, headers, {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signWebhook({ id, timestamp, body, keys }),
      }),
      body,
      timeoutMs,
      maxResponseBytes,
      fetch,
      ...(signal === undefined ? {} : { signal }),
    });
    if (answer.status >= 200 && answer.status < 300) return;
    throwForStatus(answer, url, MAX_RETRY_AFTER_MS);
  };
}

/**
 * Delivers the store's change feed to one endpoint as Standard Webhooks: at least
 * once per change, in order per resource, resuming from its checkpoint after a
 * restart, one active sender per `name` across instances. Failed attempts retry
 * with exponential backoff and jitter (`Retry-After` honoured on 429 and 503);
 * after `retry.maxAttempts` a change is dead-lettered (`store.feed.deadLetters(name)`).
 * A 410 Gone stops the consumer with a `gone` report and keeps the checkpoint.
 *
 * ```ts
 * const webhooks = createWebhookConsumer({
 *   store, wakeOn: service, url: process.env.WEBHOOK_URL, secrets: process.env.WEBHOOK_SECRET,
 * });
 * webhooks.start();
 * ```
 */
export function createWebhookConsumer(options: WebhookConsumerOptions): ChangeConsumer {
  const send = createWebhookSender(options);
  return createDeliveryConsumer(options, "webhooks", send);
}
