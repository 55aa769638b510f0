import { badRequest, decodeCursor, encodeCursor, type Result } from "@scimkit/core/store";
import type { KeysetPosition, SortKey } from "./compile-query";

const NUMERIC = /^-?\d+(\.\d+)?$/;

const invalid = (): Result<never> => ({
  ok: false,
  error: badRequest("invalidCursor", "The cursor is not valid for this query.", "cursor.invalid"),
});

/**
 * An opaque RFC 9865 cursor in core's format (one codec for every store): the
 * last row's sort key as text and its id, bound to the sort it was issued for,
 * so it survives inserts and deletes between pages.
 */
export function encodeKeysetCursor(sortId: string, position: KeysetPosition): string {
  return encodeCursor({
    sort: sortId,
    hasValue: position.value !== null,
    value: position.value,
    id: position.id,
  });
}

/**
 * Decodes a cursor of `encodeKeysetCursor` issued for the same sort; anything
 * else is a 400 `invalidCursor`. The sort value is checked against the key's type
 * so it never reaches SQL as a failing cast.
 */
export function decodeKeysetCursor(
  cursor: string,
  sortId: string,
  kind: SortKey["kind"] | undefined,
): Result<KeysetPosition> {
  const decoded = decodeCursor(cursor, sortId);
  if (!decoded.ok) return decoded;
  const { value, id } = decoded.value;
  if (id.includes("\u0000")) return invalid();
  if (value !== null) {
    if (typeof value !== "string" || value.includes("\u0000") || kind === undefined) {
      return invalid();
    }
    if (kind === "numeric" && !NUMERIC.test(value)) return invalid();
    if (kind === "boolean" && value !== "true" && value !== "false") return invalid();
  }
  return { ok: true, value: { value: value as string | null, id } };
}
