import { ScimError } from "@scimkit/core";
import type { AdapterBody, RequestHeaders } from "./adapter-types";

export type BodyOutcome =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly error: ScimError }
  /** The client went away; nothing can be answered. */
  | { readonly ok: false; readonly error: undefined };

const UTF8_CHARSETS = new Set(["utf-8", "utf8"]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

const NO_BODY: BodyOutcome = { ok: true, body: undefined };

const refuse = (status: number, detail: string, scimType?: "invalidSyntax"): BodyOutcome => ({
  ok: false,
  error: new ScimError({ status, scimType, detail }),
});

const tooLarge = (limit: number) =>
  refuse(413, `The request body exceeds the limit of ${limit} bytes.`);

export const firstHeader = (value: string | readonly string[] | undefined): string | undefined =>
  typeof value === "string" || value === undefined ? value : value[0];

/**
 * Checks a Content-Type header against the media types an endpoint accepts,
 * optionally with a UTF-8 charset. A missing header is accepted (lenient).
 */
export function checkContentType(
  header: string | undefined,
  mediaTypes: ReadonlySet<string>,
  mediaTypesText: string,
): BodyOutcome | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const [mediaType = "", ...parameters] = header.split(";");
  if (!mediaTypes.has(mediaType.trim().toLowerCase())) {
    return refuse(415, `Unsupported Content-Type: send ${mediaTypesText}.`);
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
      return refuse(415, "Unsupported charset: SCIM bodies are UTF-8.");
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
    return refuse(400, "The request body is not valid UTF-8.", "invalidSyntax");
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim().length === 0) return NO_BODY;
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return refuse(400, "The request body is not valid JSON.", "invalidSyntax");
  }
}

/** What a JSON endpoint accepts; see `readBody`. */
export interface BodyPolicy {
  readonly limit: number;
  /** Lower-case media types without parameters, e.g. `application/scim+json`. */
  readonly mediaTypes: ReadonlySet<string>;
  /** The same for messages: "application/scim+json or application/json". */
  readonly mediaTypesText: string;
}

/**
 * Reads and parses a JSON request body, refusing (415, 413) from the headers
 * before reading and never buffering more than `policy.limit` bytes. A body an
 * app-level parser already parsed is taken as parsed.
 */
export async function readBody(
  headers: RequestHeaders,
  body: AdapterBody,
  policy: BodyPolicy,
): Promise<BodyOutcome> {
  const contentType = firstHeader(headers["content-type"]);
  switch (body.kind) {
    case "none":
      return NO_BODY;
    case "parsed":
      if (body.value === undefined || body.value === null) return NO_BODY;
      // An object parsed by an app-level parser has no bytes left to check; trust its limit.
      return (
        checkContentType(contentType, policy.mediaTypes, policy.mediaTypesText) ?? {
          ok: true,
          body: body.value,
        }
      );
    case "bytes":
      if (body.bytes.length === 0) return NO_BODY;
      return (
        checkContentType(contentType, policy.mediaTypes, policy.mediaTypesText) ??
        (body.bytes.length > policy.limit ? tooLarge(policy.limit) : parseJsonBody(body.bytes))
      );
    case "stream": {
      const encoding = firstHeader(headers["content-encoding"])?.trim().toLowerCase();
      if (encoding !== undefined && encoding !== "" && encoding !== "identity") {
        return refuse(415, "Unsupported Content-Encoding: send identity.");
      }
      const refused = checkContentType(contentType, policy.mediaTypes, policy.mediaTypesText);
      if (refused !== undefined) return refused;
      const declared = Number(firstHeader(headers["content-length"]));
      if (Number.isFinite(declared) && declared > policy.limit) return tooLarge(policy.limit);
      const read = await body.read(policy.limit);
      if (read.ok) return parseJsonBody(read.bytes);
      return read.reason === "tooLarge" ? tooLarge(policy.limit) : { ok: false, error: undefined };
    }
  }
}
