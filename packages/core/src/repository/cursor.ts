import { badRequest, ok, type Result } from "../errors";

/** A position in a sorted result: the last record of a page. */
export interface CursorPosition {
  /** Identifies the sort the position belongs to (path and order). */
  readonly sort: string;
  /** Whether the record had a value for the sort attribute. */
  readonly hasValue: boolean;
  /** The record's sort value (JSON), `null` when it had none. */
  readonly value: unknown;
  readonly id: string;
}

/** Cursors longer than this are rejected before decoding. */
const MAX_CURSOR_LENGTH = 2048;
const CURSOR_VERSION = 1;

// btoa/atob rather than Buffer: core must also run outside Node (edge runtimes).
function toBase64Url(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  const bytes = Uint8Array.from(binary, (character) => character.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** An opaque RFC 9865 cursor: base64url of the position, so it survives deletes. */
export function encodeCursor(position: CursorPosition): string {
  const payload = [
    CURSOR_VERSION,
    position.sort,
    position.hasValue ? 1 : 0,
    position.value,
    position.id,
  ];
  return toBase64Url(JSON.stringify(payload));
}

const invalid = () =>
  badRequest("invalidCursor", "The cursor is not valid for this query.", "cursor.invalid");

/** Decodes a cursor from `encodeCursor`; anything else is a 400 `invalidCursor`. */
export function decodeCursor(cursor: string, sort: string): Result<CursorPosition> {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[\w-]+$/.test(cursor)) {
    return { ok: false, error: invalid() };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(fromBase64Url(cursor));
  } catch {
    return { ok: false, error: invalid() };
  }
  if (!Array.isArray(payload) || payload.length !== 5) return { ok: false, error: invalid() };
  const [version, cursorSort, hasValue, value, id] = payload as unknown[];
  if (
    version !== CURSOR_VERSION ||
    cursorSort !== sort ||
    (hasValue !== 0 && hasValue !== 1) ||
    typeof id !== "string" ||
    (value !== null &&
      typeof value !== "string" &&
      typeof value !== "number" &&
      typeof value !== "boolean")
  ) {
    return { ok: false, error: invalid() };
  }
  return ok({ sort, hasValue: hasValue === 1, value, id });
}
