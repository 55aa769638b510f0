import type { RepositoryQuery } from "@scimkit/core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { type ConformanceHarness, expectScimError, newTenant, sorted } from "../harness";

/** The "paging" area of the store conformance suite. */
export function definePagingConformance(harness: ConformanceHarness): void {
  const { test, repositoryOf, prepare, finish, bound, sortPath, seedMany } = harness;
  describe("paging", () => {
    const tenant = newTenant("paging");
    let created: string[] = [];
    beforeAll(async () => {
      await prepare();
      created = await seedMany(tenant, 23);
    });
    afterAll(finish);

    const byName = () => ({ path: sortPath("User", "userName"), order: "ascending" as const });

    const walkIndex = async (query: Omit<RepositoryQuery, "page">, count: number) => {
      const seen: string[] = [];
      for (let startIndex = 1; startIndex <= 30; startIndex += count) {
        const page = await repositoryOf().query(tenant, {
          ...query,
          page: { kind: "index", startIndex, count },
        });
        expect(page.totalResults).toBe(query.filter === undefined ? 23 : page.totalResults);
        expect(page.records.length).toBeLessThanOrEqual(count);
        seen.push(...page.records.map((record) => record.id));
      }
      return seen;
    };

    test("index paging neither repeats nor skips, with totalResults on every page", async () => {
      const seen = await walkIndex({ resourceType: "User" }, 5);
      expect(seen).toHaveLength(23);
      expect(sorted(seen)).toEqual(sorted(created));
    });

    test("index paging follows the sort order", async () => {
      const seen = await walkIndex({ resourceType: "User", sort: byName() }, 4);
      // userName user-001 belongs to the last created record.
      expect(seen).toEqual([...created].reverse());
    });

    test("index paging over a filter counts only matches", async () => {
      const filter = bound("User", "active eq true");
      const all = await repositoryOf().query(tenant, {
        resourceType: "User",
        filter,
        page: { kind: "all" },
      });
      expect(all.totalResults).toBe(15);
      const seen: string[] = [];
      for (let startIndex = 1; startIndex <= 15; startIndex += 4) {
        const page = await repositoryOf().query(tenant, {
          resourceType: "User",
          filter,
          page: { kind: "index", startIndex, count: 4 },
        });
        expect(page.totalResults).toBe(15);
        seen.push(...page.records.map((record) => record.id));
      }
      expect(sorted(seen)).toEqual(sorted(all.records.map((record) => record.id)));
    });

    test("count 0 and a startIndex past the end return no records but the total", async () => {
      const empty = await repositoryOf().query(tenant, {
        resourceType: "User",
        page: { kind: "index", startIndex: 1, count: 0 },
      });
      expect(empty).toMatchObject({ records: [], totalResults: 23 });
      const past = await repositoryOf().query(tenant, {
        resourceType: "User",
        page: { kind: "index", startIndex: 24, count: 5 },
      });
      expect(past).toMatchObject({ records: [], totalResults: 23 });
    });

    const walkCursor = async (query: Omit<RepositoryQuery, "page">, count: number) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 50; guard += 1) {
        const page = await repositoryOf().query(tenant, {
          ...query,
          page: { kind: "cursor", count, ...(cursor === undefined ? {} : { cursor }) },
        });
        expect(page.records.length).toBeLessThanOrEqual(count);
        seen.push(...page.records.map((record) => record.id));
        if (page.nextCursor === undefined) return seen;
        expect(page.records).toHaveLength(count);
        cursor = page.nextCursor;
      }
      throw new Error("cursor paging did not end");
    };

    test("cursor paging visits every record once and ends without a nextCursor", async () => {
      const seen = await walkCursor({ resourceType: "User" }, 5);
      expect(seen).toHaveLength(23);
      expect(sorted(seen)).toEqual(sorted(created));
    });

    test("cursor paging follows the sort order", async () => {
      const seen = await walkCursor({ resourceType: "User", sort: byName() }, 6);
      expect(seen).toEqual([...created].reverse());
      const descending = await walkCursor(
        { resourceType: "User", sort: { ...byName(), order: "descending" } },
        7,
      );
      expect(descending).toEqual(created);
    });

    test("a cursor survives the deletion of the last record it returned", async () => {
      const tenantOwn = newTenant("cursor-delete");
      const own = await seedMany(tenantOwn, 10);
      const repository = repositoryOf();
      const first = await repository.query(tenantOwn, {
        resourceType: "User",
        sort: byName(),
        page: { kind: "cursor", count: 4 },
      });
      const last = first.records.at(-1);
      expect(last).toBeDefined();
      await repository.delete(tenantOwn, "User", last!.id);
      const second = await repository.query(tenantOwn, {
        resourceType: "User",
        sort: byName(),
        page: { kind: "cursor", count: 4, cursor: first.nextCursor! },
      });
      expect(second.records.map((record) => record.id)).toEqual([...own].reverse().slice(4, 8));
    });

    test("an invalid cursor is a 400 invalidCursor", async () => {
      await expectScimError(
        repositoryOf().query(tenant, {
          resourceType: "User",
          page: { kind: "cursor", count: 5, cursor: "not-a-cursor" },
        }),
        400,
        { scimType: "invalidCursor" },
      );
    });
  });
}
