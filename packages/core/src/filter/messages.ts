/**
 * The one table of wording for path and filter syntax errors. Codes are stable
 * (tests and logs match on them); wording may improve.
 */

import { badRequest, type ScimError, type ScimType } from "../errors";

/** Machine codes of path and filter syntax errors (`ScimError.code`). */
export type SyntaxErrorCode =
  | "path.expected"
  | "path.too_long"
  | "filter.expected"
  | "filter.too_long"
  | "filter.too_deep"
  | "filter.unterminated_string"
  | "filter.invalid_escape"
  | "filter.number_out_of_range"
  | "filter.unquoted_value"
  | "filter.value_path_subattribute";

/** Machine codes of errors binding a filter to a schema (`ScimError.code`); all 400 `invalidFilter`. */
export type BindErrorCode =
  | "filter.unknown_attribute"
  | "filter.not_complex"
  | "filter.no_value_subattribute"
  | "filter.operator_not_supported"
  | "filter.value_type";

export interface BindErrorDetails {
  /** The path as written in canonical form, e.g. `emails.value`. */
  readonly path: string;
  readonly operator?: string;
  /** The attribute's SCIM type. */
  readonly type?: string;
  /** The literal as JSON text. */
  readonly value?: string;
}

const bindMessages: Record<BindErrorCode, (details: BindErrorDetails) => string> = {
  "filter.unknown_attribute": (details) => `unknown attribute "${details.path}" in filter`,
  "filter.not_complex": (details) =>
    `"${details.path}" is not a complex attribute, so it cannot carry a value filter in brackets`,
  "filter.no_value_subattribute": (details) =>
    `"${details.path}" is complex and has no "value" sub-attribute; compare one of its sub-attributes instead`,
  "filter.operator_not_supported": (details) =>
    `operator "${details.operator}" is not supported for "${details.path}" (type ${details.type})`,
  "filter.value_type": (details) =>
    `${details.value} is not a valid ${details.type} value for "${details.path}"`,
};

/** Builds the 400 `invalidFilter` ScimError for a filter that does not fit the schema. */
export function bindError(code: BindErrorCode, details: BindErrorDetails): ScimError {
  return badRequest("invalidFilter", bindMessages[code](details), code);
}

export interface SyntaxErrorDetails {
  /** What the parser could accept here, already phrased (`attribute name`, `")"`). */
  readonly expected?: string;
  /** The text found instead, already described (see `describeFound`). */
  readonly found?: string;
  readonly limit?: number;
  readonly length?: number;
}

const messages: Record<SyntaxErrorCode, (details: SyntaxErrorDetails, position: number) => string> =
  {
    "path.expected": (details, position) =>
      `expected ${details.expected}, found ${details.found} at position ${position}`,
    "path.too_long": (details) =>
      `attribute path is ${details.length} characters long; the limit is ${details.limit}`,
    "filter.expected": (details, position) =>
      `expected ${details.expected}, found ${details.found} at position ${position}`,
    "filter.too_long": (details) =>
      `filter is ${details.length} characters long; the limit is ${details.limit}`,
    "filter.too_deep": (details, position) =>
      `filter nests deeper than ${details.limit} levels at position ${position}`,
    "filter.unterminated_string": (_details, position) =>
      `expected closing quote, found end of input for the string starting at position ${position}`,
    "filter.invalid_escape": (details, position) =>
      `expected JSON escape sequence, found ${details.found} at position ${position}`,
    "filter.number_out_of_range": (details, position) =>
      `expected finite number, found ${details.found} at position ${position}`,
    "filter.unquoted_value": (details, position) =>
      `expected quoted string, number, true, false or null, found ${details.found} at position ${position}`,
    "filter.value_path_subattribute": (details, position) =>
      `expected "and", "or" or end of filter, found ${details.found} at position ${position} (a sub-attribute after "]" is accepted only in lenient mode)`,
  };

/** Builds the 400 ScimError for a syntax error; `position` is a 0-based offset into the text. */
export function syntaxError(
  scimType: ScimType,
  code: SyntaxErrorCode,
  position: number,
  details: SyntaxErrorDetails = {},
): ScimError {
  return badRequest(scimType, messages[code](details, position), code, position);
}

/** How error messages show a piece of input: quoted JSON text, or `end of input`. */
export function describeFound(text: string | undefined): string {
  if (text === undefined || text.length === 0) return "end of input";
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}
