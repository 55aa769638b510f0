import { badRequest, type Result } from "@scimkit/core";
import type { KeysetPosition, SortKey } from "./compile-query";

const CURSOR_VERSION = 1;
const MAX_CURSOR_LENGTH = 4096;
const NUMERIC = /^-?\d+(\.\d+)?$/;

const invalid = (): Result<never> => ({
  ok: false,
  error: badRequest("invalidCursor", "The cursor is not valid for this query.", "cursor.invalid"),
});

/**
 * An opaque RFC 9865 cursor: base64url of the last row's sort key and id, bound to
 * the sort it was issued for, so it survives inserts and deletes between pages.
 */
export function encodeCursor(sortId: string, position: KeysetPosition): string {
  const payload = [CURSOR_VERSION, sortId, position.value, position.id];
  return Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
}

/**
 * Decodes a cursor of `encodeCursor` issued for the same sort; anything else
 * (foreign, tampered, another sort's) is a 400 `invalidCursor`. The sort value is
 * checked against the key's type so it never reaches SQL as a failing cast.
 */
export function decodeCursor(
  cursor: string,
  sortId: string,
  kind: SortKey["kind"] | undefined,
): Result<KeysetPosition> {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[\w-]+$/.test(cursor)) {
    return invalid();
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return invalid();
  }
  if (!Array.isArray(payload) || payload.length !== 4) return invalid();
  const [version, cursorSort, value, id] = payload as unknown[];
  if (
    version !== CURSOR_VERSION ||
    cursorSort !== sortId ||
    typeof id !== "string" ||
    id.includes("\u0000") ||
    (typeof value === "string" && value.includes("\u0000"))
  ) {
    return invalid();
  }
  if (value !== null) {
    if (typeof value !== "string" || kind === undefined) return invalid();
    if (kind === "numeric" && !NUMERIC.test(value)) return invalid();
    if (kind === "boolean" && value !== "true" && value !== "false") return invalid();
  }
  return { ok: true, value: { value: value as string | null, id } };
}
