import type { Result, ScimType } from "../errors";
import { describeFound, syntaxError } from "../filter/messages";
import type { AttributePath } from "./ast";

/** Longest attribute path accepted; real ones (with an extension URN) stay under 100. */
export const MAX_ATTRIBUTE_PATH_LENGTH = 1024;

const isAlpha = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
const isDigit = (code: number) => code >= 48 && code <= 57;
const isNameChar = (code: number) => isAlpha(code) || isDigit(code) || code === 45 || code === 95;
const isWhitespace = (code: number) => code === 32 || code === 9 || code === 10 || code === 13;
/** RFC 8141 URN characters (pchar, "/" and "?" left out as they never occur in SCIM schema ids). */
const URN_PUNCTUATION = new Set("-._~%!$&'()*+,;=:@");
const isUrnChar = (character: string, code: number) =>
  isAlpha(code) || isDigit(code) || URN_PUNCTUATION.has(character);

/**
 * Parses an attribute path (RFC 7644 §3.10, RFC 7643 §2.1):
 * `userName`, `name.givenName`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
 *
 * The schema URN is everything up to the last colon; attribute and sub-attribute
 * names follow `ATTRNAME = ALPHA *(nameChar)` (nameChar `-`, `_`, digit, letter),
 * plus `$ref`. Surrounding whitespace is ignored. Names keep the casing written;
 * binding to a schema canonicalises them.
 *
 * Fails with 400 `invalidPath`, `code` `path.expected` or `path.too_long`, and the
 * 0-based `position` of the offending character.
 */
export function parseAttributePath(text: string): Result<AttributePath> {
  if (text.length > MAX_ATTRIBUTE_PATH_LENGTH) {
    return {
      ok: false,
      error: syntaxError("invalidPath", "path.too_long", MAX_ATTRIBUTE_PATH_LENGTH, {
        limit: MAX_ATTRIBUTE_PATH_LENGTH,
        length: text.length,
      }),
    };
  }
  let start = 0;
  let end = text.length;
  while (start < end && isWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
  return scanAttributePath(text, start, end, "invalidPath", "path.expected");
}

/**
 * Parses `text.slice(start, end)` as an attribute path, reporting positions in
 * `text`. Shared by the filter and PATCH path parsers (which pass their own
 * `scimType` and error code). Internal.
 */
export function scanAttributePath(
  text: string,
  start: number,
  end: number,
  scimType: ScimType,
  code: "path.expected" | "filter.expected",
): Result<AttributePath> {
  let schema: string | undefined;
  let nameStart = start;
  // Bounded to this token: lastIndexOf would rescan the whole filter before it (quadratic).
  let lastColon = -1;
  for (let index = end - 1; index >= start; index--) {
    if (text.charCodeAt(index) === 58 /* : */) {
      lastColon = index;
      break;
    }
  }
  if (lastColon >= start) {
    if (lastColon === start) return failure(text, end, scimType, code, "schema URN", start);
    for (let index = start; index < lastColon; index++) {
      if (!isUrnChar(text[index] as string, text.charCodeAt(index))) {
        return failure(text, end, scimType, code, "schema URN character", index);
      }
    }
    schema = text.slice(start, lastColon);
    nameStart = lastColon + 1;
  }

  const attributeEnd = scanName(text, nameStart, end);
  if (attributeEnd === nameStart)
    return failure(text, end, scimType, code, "attribute name", nameStart);
  const attribute = text.slice(nameStart, attributeEnd);
  if (attributeEnd === end) {
    return { ok: true, value: buildPath(schema, attribute, undefined) };
  }
  if (text.charCodeAt(attributeEnd) !== 46 /* . */) {
    return failure(text, end, scimType, code, '"." or end of path', attributeEnd);
  }
  const subStart = attributeEnd + 1;
  const subEnd = scanName(text, subStart, end);
  if (subEnd === subStart)
    return failure(text, end, scimType, code, "sub-attribute name", subStart);
  if (subEnd !== end) return failure(text, end, scimType, code, "end of path", subEnd);
  return { ok: true, value: buildPath(schema, attribute, text.slice(subStart, subEnd)) };
}

function failure(
  text: string,
  end: number,
  scimType: ScimType,
  code: "path.expected" | "filter.expected",
  expected: string,
  position: number,
): Result<never> {
  return {
    ok: false,
    error: syntaxError(scimType, code, position, {
      expected,
      found: describeFound(position < end ? text[position] : undefined),
    }),
  };
}

/** End offset of the ATTRNAME (or `$ref`) starting at `start`; `start` when there is none. */
function scanName(text: string, start: number, end: number): number {
  if (start >= end) return start;
  if (text.charCodeAt(start) === 36 /* $ */) {
    const candidate = text.slice(start, start + 4);
    if (start + 4 <= end && candidate.toLowerCase() === "$ref") {
      const next = start + 4;
      return next === end || !isNameChar(text.charCodeAt(next)) ? next : start;
    }
    return start;
  }
  if (!isAlpha(text.charCodeAt(start))) return start;
  let index = start + 1;
  while (index < end && isNameChar(text.charCodeAt(index))) index++;
  return index;
}

function buildPath(
  schema: string | undefined,
  attribute: string,
  subAttribute: string | undefined,
): AttributePath {
  if (schema === undefined) {
    return subAttribute === undefined
      ? { kind: "AttributePath", attribute }
      : { kind: "AttributePath", attribute, subAttribute };
  }
  return subAttribute === undefined
    ? { kind: "AttributePath", schema, attribute }
    : { kind: "AttributePath", schema, attribute, subAttribute };
}
