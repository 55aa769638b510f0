import type { RepositoryQuery, SortOrder } from "@scimkit/core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { UserKey } from "../data-set";
import { type ConformanceHarness, newTenant } from "../harness";

/** The "sorting" area of the store conformance suite. */
export function defineSortingConformance(harness: ConformanceHarness): void {
  const { test, repositoryOf, prepare, finish, bound, sortPath, seed, keysOf } = harness;
  describe("sorting", () => {
    const tenant = newTenant("sorting");
    beforeAll(async () => {
      await prepare();
      await seed(tenant);
    });
    afterAll(finish);

    const sortCases: [string, SortOrder, string | undefined, UserKey[]][] = [
      ["userName", "ascending", undefined, ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"]],
      ["userName", "descending", undefined, ["u8", "u7", "u6", "u5", "u4", "u3", "u2", "u1"]],
      ["name.givenName", "ascending", undefined, ["u1", "u2", "u3", "u5", "u6", "u7", "u8", "u4"]],
      ["name.givenName", "descending", undefined, ["u4", "u8", "u7", "u6", "u5", "u3", "u2", "u1"]],
      [
        "urn:example:params:scim:schemas:extension:conformance:2.0:User:level",
        "ascending",
        undefined,
        ["u6", "u2", "u4", "u1", "u8", "u3", "u5", "u7"],
      ],
      [
        "urn:example:params:scim:schemas:extension:conformance:2.0:User:hiredAt",
        "ascending",
        undefined,
        ["u7", "u5", "u3", "u1", "u2", "u4", "u8", "u6"],
      ],
      ["emails.value", "ascending", undefined, ["u1", "u2", "u5", "u6", "u7", "u3", "u4", "u8"]],
      ["userType", "ascending", undefined, ["u2", "u8", "u1", "u3", "u4", "u5", "u7", "u6"]],
      ["userType", "descending", undefined, ["u6", "u1", "u3", "u4", "u5", "u7", "u2", "u8"]],
      [
        "meta.lastModified",
        "descending",
        undefined,
        ["u3", "u8", "u7", "u6", "u5", "u4", "u2", "u1"],
      ],
      [
        "urn:example:params:scim:schemas:extension:conformance:2.0:User:level",
        "descending",
        "active eq true",
        ["u7", "u5", "u3", "u8", "u1", "u4"],
      ],
    ];
    for (const [path, order, filter, expected] of sortCases) {
      const name = `sort by ${path} ${order}${filter === undefined ? "" : ` where ${filter}`}`;
      test(name, async () => {
        const query: RepositoryQuery = {
          resourceType: "User",
          ...(filter === undefined ? {} : { filter: bound("User", filter) }),
          sort: { path: sortPath("User", path), order },
          page: { kind: "index", startIndex: 1, count: 100 },
        };
        const result = await repositoryOf().query(tenant, query);
        expect(keysOf(result.records)).toEqual(expected);
      });
    }
  });
}
