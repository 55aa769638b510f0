import { RetryLaterError } from "@scimkit/core";

/**
 * One bounded HTTP POST to a receiver and what its answer means for the change:
 * delivered, retry (with backoff, or after `Retry-After`), give up on this change,
 * or the endpoint is gone. Error messages name the endpoint by origin and path only
 * (a URL's credentials or query may be secrets) and never carry request headers.
 */

/** Thrown when the receiver answered 410 Gone: it wants no more deliveries. */
export class EndpointGoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EndpointGoneError";
  }
}

/**
 * Thrown when retrying cannot help (RFC 8935 §4: a SET the receiver found invalid
 * stays invalid): the change is dead-lettered at once instead of retried.
 */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentDeliveryError";
  }
}

/** A failed attempt that may succeed later (network error, timeout, 5xx, ...). */
export class DeliveryError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "DeliveryError";
    this.status = status;
  }
}

/** The endpoint as error text may show it: origin and path, no credentials, no query. */
export function describeEndpoint(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Validates a receiver URL: http(s) only, and https unless the host is loopback
 * or `allowHttp` says plain HTTP is intended (SETs and webhooks carry personal
 * data; RFC 8935 §5.3 requires TLS).
 */
export function endpointUrl(value: unknown, name: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(value instanceof URL ? value.href : String(value));
  } catch {
    throw new TypeError(`scimkit: \`${name}\` must be an absolute http(s) URL.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`scimkit: \`${name}\` must be an http(s) URL.`);
  }
  if (url.protocol === "http:" && !allowHttp && !LOOPBACK.has(url.hostname)) {
    throw new TypeError(
      `scimkit: \`${name}\` must use https (or set \`allowHttp: true\` for a trusted network).`,
    );
  }
  return url;
}

/** Checks extra request headers: names and values of header form, none the delivery sets itself. */
export function extraHeaders(
  value: unknown,
  reserved: readonly string[],
): Readonly<Record<string, string>> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("scimkit: `headers` must be an object of header names to values.");
  }
  const headers: Record<string, string> = {};
  for (const [name, text] of Object.entries(value)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/.test(name)) {
      throw new TypeError(
        `scimkit: \`headers\` has an invalid header name ${JSON.stringify(name)}.`,
      );
    }
    if (reserved.includes(name.toLowerCase())) {
      throw new TypeError(`scimkit: \`headers\` may not set ${name}: the delivery sets it.`);
    }
    if (typeof text !== "string" || text.length > 8192 || /[\r\n\0]/.test(text)) {
      // The value may be a credential: never echo it.
      throw new TypeError(`scimkit: \`headers.${name}\` must be a single-line string.`);
    }
    headers[name] = text;
  }
  return headers;
}

/**
 * The delay `Retry-After` asks for (delta-seconds or an HTTP date), at most
 * `maxMs`; `undefined` when absent or unreadable.
 */
export function retryAfterMs(value: string | null, now: number, maxMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^[0-9]{1,10}$/.test(text)) return Math.min(maxMs, Number(text) * 1000);
  if (text.length > 64) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.min(maxMs, Math.max(0, date - now));
}

/** A receiver's answer: its status, headers and at most `maxResponseBytes` of its body. */
export interface ReceiverAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface PostOptions {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly fetch: typeof globalThis.fetch;
  /** Aborts the attempt (the consumer is stopping). */
  readonly signal?: AbortSignal;
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    // Whatever is left is not read: the connection is not kept waiting on it.
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString("utf8");
}

/**
 * POSTs once, without following redirects (Standard Webhooks: a 3xx is a
 * failure; the URL should be updated instead), within `timeoutMs` for the whole
 * exchange, and resolves to the answer. Network failures and timeouts reject with
 * `DeliveryError`.
 */
export async function postOnce(options: PostOptions): Promise<ReceiverAnswer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const stop = () => controller.abort();
  options.signal?.addEventListener("abort", stop);
  if (options.signal?.aborted) controller.abort();
  const signal = controller.signal;
  const where = describeEndpoint(options.url);
  try {
    const response = await options.fetch(options.url, {
      method: "POST",
      headers: options.headers,
      body: options.body,
      redirect: "manual",
      signal,
    });
    const text = await readBounded(response, options.maxResponseBytes);
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    if (timedOut) {
      throw new DeliveryError(`no answer from ${where} within ${options.timeoutMs} ms`);
    }
    if (options.signal?.aborted) throw new DeliveryError(`delivery to ${where} was stopped`);
    const reason = error instanceof Error ? (error.cause ?? error) : error;
    const code = (reason as { code?: unknown } | undefined)?.code;
    throw new DeliveryError(
      `cannot reach ${where}${typeof code === "string" ? ` (${code})` : ""}`,
      undefined,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", stop);
  }
}

/** Up to 200 characters of a receiver's text, on one line, for error messages. */
export function snippet(text: string): string {
  const line = text.replace(/\p{Cc}+/gu, " ").trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/**
 * What a non-2xx answer means: throws `EndpointGoneError` for 410,
 * `RetryLaterError` for 429 and 503 with a readable `Retry-After`, and
 * `DeliveryError` (backoff) otherwise.
 */
export function throwForStatus(answer: ReceiverAnswer, url: URL, maxRetryAfterMs: number): never {
  const where = describeEndpoint(url);
  const detail = snippet(answer.text);
  const message = `HTTP ${answer.status} from ${where}${detail === "" ? "" : `: ${detail}`}`;
  if (answer.status === 410) throw new EndpointGoneError(message);
  if (answer.status === 429 || answer.status === 503) {
    const delay = retryAfterMs(answer.headers.get("retry-after"), Date.now(), maxRetryAfterMs);
    if (delay !== undefined) throw new RetryLaterError(delay, message);
  }
  throw new DeliveryError(message, answer.status);
}

export function positiveInteger(
  value: unknown,
  name: string,
  fallback: number,
  max = 2 ** 31,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new TypeError(`scimkit: \`${name}\` must be an integer from 1 to ${max}.`);
  }
  return value;
}
