import type { ScimObject } from "../schema/types";
import { LIST_RESPONSE_SCHEMA } from "../schema/urns";
import type { ListPage } from "./parse-list-query";

/** The RFC 7644 §3.4.2 ListResponse body, with RFC 9865 cursor attributes. */
export interface ListResponseBody {
  readonly schemas: readonly [typeof LIST_RESPONSE_SCHEMA];
  /** Matches over all pages; omitted only under cursor paging when unknown (RFC 9865 §2). */
  readonly totalResults?: number;
  /** The number of resources in this page. */
  readonly itemsPerPage: number;
  /** 1-based index of the first resource of this page; index paging only. */
  readonly startIndex?: number;
  readonly nextCursor?: string;
  readonly previousCursor?: string;
  /** Always present, `[]` when empty (RFC 7644 lets it be omitted at 0; clients cope better with it). */
  readonly Resources: readonly ScimObject[];
}

export interface ListResponseInput {
  /** The page's resources, already projected. */
  readonly resources: readonly ScimObject[];
  /** Matches over all pages; `undefined` only under cursor paging when the store cannot count. */
  readonly totalResults: number | undefined;
  /** The page that was asked for (`ListQuery.page`). */
  readonly page: ListPage;
  /** Cursor paging: the next page's cursor; absent on the last page. */
  readonly nextCursor?: string;
  readonly previousCursor?: string;
}

/**
 * Builds a ListResponse (RFC 7644 §3.4.2, RFC 9865 §2): integer `totalResults`,
 * `itemsPerPage` equal to the number of resources returned, `startIndex` under index
 * paging, `nextCursor`/`previousCursor` under cursor paging, and `Resources` always
 * present (an empty array for an empty page).
 */
export function listResponse(input: ListResponseInput): ListResponseBody {
  const { page, resources } = input;
  const totalResults = Math.max(0, Math.trunc(input.totalResults ?? resources.length));
  // One literal per paging method, keys in the order clients see: every lookup builds one.
  if (page.kind === "index") {
    return {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults,
      itemsPerPage: resources.length,
      startIndex: page.startIndex,
      Resources: resources,
    };
  }
  const { nextCursor, previousCursor } = input;
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    ...(input.totalResults === undefined ? {} : { totalResults }),
    itemsPerPage: resources.length,
    ...(nextCursor === undefined ? {} : { nextCursor }),
    ...(previousCursor === undefined ? {} : { previousCursor }),
    Resources: resources,
  };
}
