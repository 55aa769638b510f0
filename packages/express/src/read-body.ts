import type { ScimType } from "@scimkit/core";
import type { Request } from "express";

/** A request the adapter refuses before the handler sees it. */
export interface HttpRejection {
  readonly status: number;
  readonly scimType?: ScimType;
  readonly detail: string;
}

export type BodyOutcome =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly rejection: HttpRejection }
  /** The client went away; nothing can be answered. */
  | { readonly ok: false; readonly rejection: undefined };

const JSON_MEDIA_TYPES = new Set(["application/scim+json", "application/json"]);
const UTF8_CHARSETS = new Set(["utf-8", "utf8"]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

const unsupportedMediaType = (detail: string): BodyOutcome => ({
  ok: false,
  rejection: { status: 415, detail },
});

const tooLarge = (limit: number): BodyOutcome => ({
  ok: false,
  rejection: { status: 413, detail: `The request body exceeds the limit of ${limit} bytes.` },
});

/**
 * Checks a Content-Type header: `application/scim+json` or `application/json`,
 * optionally with a UTF-8 charset. A missing header is accepted (lenient).
 */
export function checkContentType(header: string | undefined): BodyOutcome | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const [mediaType = "", ...parameters] = header.split(";");
  if (!JSON_MEDIA_TYPES.has(mediaType.trim().toLowerCase())) {
    return unsupportedMediaType(
      "Unsupported Content-Type: send application/scim+json or application/json.",
    );
  }
  for (const parameter of parameters) {
    const equals = parameter.indexOf("=");
    if (parameter.slice(0, equals).trim().toLowerCase() !== "charset") continue;
    const charset = parameter
      .slice(equals + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .toLowerCase();
    if (!UTF8_CHARSETS.has(charset)) {
      return unsupportedMediaType("Unsupported charset: SCIM bodies are UTF-8.");
    }
  }
  return undefined;
}

/** Decodes and parses body bytes; an empty body is no body. */
export function parseJsonBody(bytes: Uint8Array): BodyOutcome {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return {
      ok: false,
      rejection: {
        status: 400,
        scimType: "invalidSyntax",
        detail: "The request body is not valid UTF-8.",
      },
    };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim().length === 0) return { ok: true, body: undefined };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return {
      ok: false,
      rejection: {
        status: 400,
        scimType: "invalidSyntax",
        detail: "The request body is not valid JSON.",
      },
    };
  }
}

function declaresBody(request: Request): boolean {
  const length = request.headers["content-length"];
  return (
    request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0")
  );
}

/**
 * Reads and parses a JSON request body, never buffering more than `limit` bytes.
 * Reads the stream itself so Express 4 and 5 behave alike; when an app-level body
 * parser already consumed the stream, its `req.body` is used instead (a Buffer or
 * string is parsed here, an object is taken as parsed).
 */
export function readBody(request: Request, limit: number): Promise<BodyOutcome> {
  const consumed =
    request.readableEnded || (request as Request & { _body?: unknown })._body === true;
  if (consumed) return Promise.resolve(fromParsedBody(request, limit));
  if (!declaresBody(request)) return Promise.resolve({ ok: true, body: undefined });

  const encoding = request.headers["content-encoding"]?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== "" && encoding !== "identity") {
    return Promise.resolve(unsupportedMediaType("Unsupported Content-Encoding: send identity."));
  }
  const rejected = checkContentType(request.headers["content-type"]);
  if (rejected !== undefined) return Promise.resolve(rejected);
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(tooLarge(limit));

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (outcome: BodyOutcome) => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onAbort);
      request.off("close", onAbort);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        // Keep draining in the background so the client can read the 413.
        request.resume();
        finish(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(parseJsonBody(Buffer.concat(chunks, received)));
    const onAbort = () => finish({ ok: false, rejection: undefined });
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onAbort);
    request.on("close", onAbort);
  });
}

function fromParsedBody(request: Request, limit: number): BodyOutcome {
  const body: unknown = request.body;
  if (body === undefined || body === null) return { ok: true, body: undefined };
  const isRaw = typeof body === "string" || Buffer.isBuffer(body);
  // An object parsed by an app-level parser has no bytes left to check; trust its limit.
  if (!isRaw) return checkContentType(request.headers["content-type"]) ?? { ok: true, body };
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  if (bytes.length === 0) return { ok: true, body: undefined };
  const rejected = checkContentType(request.headers["content-type"]);
  if (rejected !== undefined) return rejected;
  if (bytes.length > limit) return tooLarge(limit);
  return parseJsonBody(bytes);
}
