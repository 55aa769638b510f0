import {
  type CheckContext,
  type CheckDefinition,
  check,
  describe,
  expectEqual,
  expectError,
  expectList,
  fail,
  LIST_RESPONSE_SCHEMA,
  pick,
  show,
} from "../check";
import type { JsonObject } from "../scim-client";
import { type FixtureName, query, search, type UserSet, userSet } from "./fixtures";

const PAGING = "RFC 7644 §3.4.2.4";
const SORT = "RFC 7644 §3.4.2.3";
const ALL: FixtureName[] = ["alice", "bob", "carol", "dave"];

const scopeFilter = (set: UserSet) => `userName sw "${set.scope}"`;

/** A page of the four users; sorted by userName when the server can sort. */
async function page(context: CheckContext, extra: Record<string, string | number>) {
  const set = await userSet(context);
  const sorted: Record<string, string> = context.capabilities.offered.sort
    ? { sortBy: "userName" }
    : {};
  const { answer, resources } = await query(context, scopeFilter(set), { ...sorted, ...extra });
  return { set, answer, resources, names: resources.map((resource) => set.nameOf(resource.id)) };
}

const paging = (
  id: string,
  title: string,
  expected: string,
  run: CheckDefinition["run"],
  ref = PAGING,
): CheckDefinition =>
  check({ id: `paging.${id}`, area: "paging", requires: ["filter"], title, ref, expected, run });

export const pagingChecks: CheckDefinition[] = [
  paging(
    "list-response",
    "A list answer is a ListResponse with integer totalResults, itemsPerPage and startIndex.",
    `schemas ["${LIST_RESPONSE_SCHEMA}"]; totalResults, itemsPerPage, startIndex are JSON integers`,
    async (context) => {
      const { answer } = await page(context, { count: 2 });
      for (const key of ["totalResults", "itemsPerPage", "startIndex"]) {
        if (!Number.isInteger(pick(answer.body, key)))
          fail(`${key} is ${show(pick(answer.body, key))}`);
      }
    },
    "RFC 7644 §3.4.2; Okta SCIM 2.0 protocol reference (integers)",
  ),
  paging(
    "total-results",
    "totalResults counts every match, not the page.",
    "count=2 over four matches: totalResults 4, two Resources, itemsPerPage 2",
    async (context) => {
      const { answer, resources } = await page(context, { count: 2 });
      expectEqual("totalResults", pick(answer.body, "totalResults"), 4);
      expectEqual("Resources length", resources.length, 2);
      expectEqual("itemsPerPage", pick(answer.body, "itemsPerPage"), 2);
    },
  ),
  paging(
    "start-index",
    "startIndex selects the 1-based position of the first result.",
    "startIndex=3&count=2 answers startIndex 3 and the third and fourth users",
    async (context) => {
      const { answer, names } = await page(context, { startIndex: 3, count: 2 });
      expectEqual("startIndex", pick(answer.body, "startIndex"), 3);
      if (context.capabilities.offered.sort) expectEqual("users", names, ["carol", "dave"]);
      else expectEqual("Resources length", names.length, 2);
    },
  ),
  paging(
    "pages-disjoint",
    "Pages of one cover every match exactly once (stable order across pages).",
    "startIndex 1..4 with count=1 answer the four users, none twice",
    async (context) => {
      const seen: string[] = [];
      for (let index = 1; index <= 4; index += 1) {
        const { names } = await page(context, { startIndex: index, count: 1 });
        if (names.length !== 1)
          fail(`startIndex=${index}&count=1 answered ${names.length} resources`);
        seen.push(names[0] as string);
      }
      expectEqual("users seen", [...seen].sort(), ALL);
    },
    "RFC 7644 §3.4.2.4; Okta SCIM 2.0 protocol reference (stable ordering)",
  ),
  paging(
    "count-zero",
    "count=0 answers only totalResults.",
    "totalResults 4 and no resources",
    async (context) => {
      const { answer, resources } = await page(context, { count: 0 });
      expectEqual("totalResults", pick(answer.body, "totalResults"), 4);
      expectEqual("Resources length", resources.length, 0);
    },
  ),
  paging(
    "count-negative",
    "A negative count is treated as 0.",
    "200, totalResults 4 and no resources",
    async (context) => {
      const { answer, resources } = await page(context, { count: -1 });
      expectEqual("totalResults", pick(answer.body, "totalResults"), 4);
      expectEqual("Resources length", resources.length, 0);
    },
  ),
  paging(
    "start-index-below-one",
    "A startIndex below 1 is treated as 1.",
    "startIndex=0 answers from the first result, startIndex 1",
    async (context) => {
      const { answer, resources } = await page(context, { startIndex: 0, count: 10 });
      expectEqual("startIndex", pick(answer.body, "startIndex"), 1);
      expectEqual("Resources length", resources.length, 4);
    },
  ),
  paging(
    "beyond-end",
    "A startIndex past the last match answers an empty page, not an error.",
    "200, totalResults 4, no resources",
    async (context) => {
      const { answer, resources } = await page(context, { startIndex: 50, count: 10 });
      expectEqual("totalResults", pick(answer.body, "totalResults"), 4);
      expectEqual("Resources length", resources.length, 0);
    },
  ),
  paging(
    "never-more-than-count",
    "A page never holds more than count resources.",
    "count=3 answers at most 3 resources and itemsPerPage equal to their number",
    async (context) => {
      const { answer, resources } = await page(context, { count: 3 });
      if (resources.length > 3) fail(`${resources.length} resources`);
      expectEqual("itemsPerPage", pick(answer.body, "itemsPerPage"), resources.length);
    },
  ),
  paging(
    "large-count",
    "A count above the server's maximum is answered (clamped), not refused.",
    "count=100000 answers 200 with at most filter.maxResults resources",
    async (context) => {
      const { resources } = await page(context, { count: 100000 });
      const max = context.capabilities.maxResults;
      if (max !== undefined && resources.length > max)
        fail(`${resources.length} > maxResults ${max}`);
    },
  ),
  paging(
    "search-post",
    "POST .search honours startIndex and count.",
    "startIndex 2, count 2 in the SearchRequest: totalResults 4, two resources, startIndex 2",
    async (context) => {
      const set = await userSet(context);
      const { answer, resources } = await search(context, {
        filter: scopeFilter(set),
        startIndex: 2,
        count: 2,
      });
      expectEqual("totalResults", pick(answer.body, "totalResults"), 4);
      expectEqual("Resources length", resources.length, 2);
      expectEqual("startIndex", pick(answer.body, "startIndex"), 2);
    },
    "RFC 7644 §3.4.3",
  ),
];

const sorting = (
  id: string,
  title: string,
  expected: string,
  run: CheckDefinition["run"],
  level?: "should",
) =>
  check({
    id: `sort.${id}`,
    area: "sort",
    requires: ["filter", "sort"],
    title,
    ref: SORT,
    expected,
    run,
    ...(level ? { level } : {}),
  });

async function sorted(context: CheckContext, extra: Record<string, string | number>) {
  const set = await userSet(context);
  const { resources } = await query(context, scopeFilter(set), extra);
  return resources.map((resource: JsonObject) => set.nameOf(resource.id));
}

export const sortChecks: CheckDefinition[] = [
  sorting(
    "ascending-default",
    "sortBy alone sorts ascending.",
    "alice, bob, carol, dave",
    async (context) => expectEqual("order", await sorted(context, { sortBy: "userName" }), ALL),
  ),
  sorting(
    "descending",
    "sortOrder=descending reverses the order.",
    "dave, carol, bob, alice",
    async (context) =>
      expectEqual(
        "order",
        await sorted(context, { sortBy: "userName", sortOrder: "descending" }),
        [...ALL].reverse(),
      ),
  ),
  sorting(
    "by-display-name",
    "Sorting by another attribute (displayName).",
    "Alice, Bob, Carol, Dave by displayName",
    async (context) => expectEqual("order", await sorted(context, { sortBy: "displayName" }), ALL),
  ),
  sorting(
    "sub-attribute",
    "sortBy accepts a sub-attribute path (name.familyName).",
    "alice (Anders) before bob (Brown)",
    async (context) => {
      const order = (await sorted(context, { sortBy: "name.familyName" })).filter(
        (name) => name === "alice" || name === "bob",
      );
      expectEqual("order of the users with a familyName", order, ["alice", "bob"]);
    },
  ),
  sorting(
    "missing-last",
    "Resources without the sort attribute come last when ascending.",
    "dave (no title) after the users with a title",
    async (context) => {
      const order = await sorted(context, { sortBy: "title" });
      if (order[order.length - 1] !== "dave") fail(`order is ${order.join(", ")}`);
    },
    "should",
  ),
  sorting(
    "with-paging",
    "Sorting applies before paging.",
    "startIndex=2&count=2 descending: carol, bob",
    async (context) =>
      expectEqual(
        "order",
        await sorted(context, {
          sortBy: "userName",
          sortOrder: "descending",
          startIndex: 2,
          count: 2,
        }),
        ["carol", "bob"],
      ),
  ),
  sorting(
    "search-post",
    "POST .search honours sortBy and sortOrder.",
    "dave, carol, bob, alice",
    async (context) => {
      const set = await userSet(context);
      const { resources } = await search(context, {
        filter: scopeFilter(set),
        sortBy: "userName",
        sortOrder: "descending",
      });
      expectEqual(
        "order",
        resources.map((resource) => set.nameOf(resource.id)),
        [...ALL].reverse(),
      );
    },
  ),
];

const CURSOR = "RFC 9865 §2";

const cursorCheck = (
  id: string,
  title: string,
  expected: string,
  run: CheckDefinition["run"],
  ref = CURSOR,
) =>
  check({
    id: `cursor.${id}`,
    area: "cursor",
    requires: ["filter", "cursor"],
    title,
    ref,
    expected,
    run,
  });

/** Follows nextCursor from an empty cursor; returns the pages' fixture names. */
async function followCursor(context: CheckContext, count: number) {
  const set = await userSet(context);
  const pages: string[][] = [];
  let cursor = "";
  for (let step = 0; step < 10; step += 1) {
    const { answer, resources } = await query(context, scopeFilter(set), { cursor, count });
    pages.push(resources.map((resource) => set.nameOf(resource.id)));
    const next = pick(answer.body, "nextCursor");
    if (next === undefined || next === null || next === "") return pages;
    if (typeof next !== "string") fail(`nextCursor is ${show(next)}`);
    cursor = next as string;
  }
  fail("nextCursor still present after 10 pages of a 4-user result");
  return pages;
}

export const cursorChecks: CheckDefinition[] = [
  cursorCheck(
    "first-page",
    "cursor= (empty) starts cursor paging with a nextCursor.",
    "count=2 answers 2 resources and a string nextCursor",
    async (context) => {
      const set = await userSet(context);
      const { answer, resources } = await query(context, scopeFilter(set), {
        cursor: "",
        count: 2,
      });
      expectEqual("Resources length", resources.length, 2);
      if (typeof pick(answer.body, "nextCursor") !== "string")
        fail(`nextCursor is ${show(pick(answer.body, "nextCursor"))}`);
    },
  ),
  cursorCheck(
    "follow",
    "Following nextCursor visits every match once; the last page has no nextCursor.",
    "pages of 2 answer the four users exactly once, then stop",
    async (context) => {
      const pages = await followCursor(context, 2);
      expectEqual("users seen", pages.flat().sort(), ALL);
    },
  ),
  cursorCheck(
    "invalid",
    "An unknown cursor is refused with 400 invalidCursor.",
    '400 with scimType "invalidCursor"',
    async (context) => {
      const set = await userSet(context);
      const answer = await context.request("GET", context.users, {
        query: { filter: scopeFilter(set), cursor: "scimkit-check-not-a-cursor", count: 2 },
      });
      expectError(answer, 400, ["invalidCursor"]);
    },
  ),
  cursorCheck(
    "search-post",
    "POST .search accepts cursor and count.",
    "an empty cursor in the SearchRequest answers a nextCursor",
    async (context) => {
      const set = await userSet(context);
      const { answer } = await search(context, { filter: scopeFilter(set), cursor: "", count: 2 });
      if (typeof pick(answer.body, "nextCursor") !== "string")
        fail(`${describe(answer)}; nextCursor ${show(pick(answer.body, "nextCursor"))}`);
    },
    "RFC 9865 §3",
  ),
  cursorCheck(
    "list-shape",
    "A cursor page is a ListResponse with itemsPerPage.",
    "itemsPerPage equals the number of resources",
    async (context) => {
      const set = await userSet(context);
      const { answer, resources } = await query(context, scopeFilter(set), {
        cursor: "",
        count: 3,
      });
      expectList(answer);
      expectEqual("itemsPerPage", pick(answer.body, "itemsPerPage"), resources.length);
    },
  ),
];
