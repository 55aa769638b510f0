import { errorsFromTable } from "../errors";
import { SEARCH_REQUEST_SCHEMA } from "../schema/urns";

/** Human wording of every list-query error, keyed by machine code. */
const MESSAGES = {
  "query.body_not_object": () => "The SearchRequest body must be a JSON object.",
  "query.missing_schema": () =>
    `A SearchRequest must list "${SEARCH_REQUEST_SCHEMA}" in "schemas".`,
  "query.wrong_type": (parameter: string, expected: string) =>
    `"${parameter}" must be ${expected}.`,
  "query.not_integer": (parameter: string, value: string) =>
    `"${parameter}" must be an integer, found "${value}".`,
  "query.sort_order": (value: string) =>
    `"sortOrder" must be "ascending" or "descending", found "${value}".`,
  "query.sort_complex": (path: string) =>
    `"sortBy" names the complex attribute "${path}"; name one of its sub-attributes.`,
  "query.too_many_attributes": (parameter: string, limit: number) =>
    `"${parameter}" lists more than ${limit} attributes.`,
  "query.cursor_and_index": () =>
    'Use either "startIndex" (index paging) or "cursor" (cursor paging), not both.',
  "query.cursor_unsupported": () => "Cursor pagination is not supported for this resource type.",
  "query.cursor_invalid": () =>
    'The "cursor" value is invalid: send an empty cursor for the first page, then a "nextCursor" or "previousCursor" value.',
  "query.count_invalid": (maxCount: number) =>
    `With cursor pagination "count" must be an integer between 1 and ${maxCount}.`,
} as const;

export type QueryErrorCode = keyof typeof MESSAGES;

/** A 400 ScimError for a list-query failure, worded from the table above. */
export const queryError = errorsFromTable(MESSAGES);
