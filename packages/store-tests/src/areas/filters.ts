import { afterAll, beforeAll, describe, expect } from "vitest";
import { filterCorpus } from "../filter-corpus";
import { type ConformanceHarness, newTenant, sorted } from "../harness";

/** The "filters" area of the store conformance suite. */
export function defineFiltersConformance(harness: ConformanceHarness): void {
  const { test, repositoryOf, prepare, finish, bound, seed, keysOf } = harness;
  describe("filters", () => {
    const tenant = newTenant("filters");
    beforeAll(async () => {
      await prepare();
      await seed(tenant);
    });
    afterAll(finish);

    for (const entry of filterCorpus) {
      test(`filter ${entry.resourceType}: ${entry.filter}`, async () => {
        const result = await repositoryOf().query(tenant, {
          resourceType: entry.resourceType,
          filter: bound(entry.resourceType, entry.filter),
          page: { kind: "index", startIndex: 1, count: 100 },
        });
        expect(sorted(keysOf(result.records))).toEqual(sorted(entry.expected));
        expect(result.totalResults).toBe(entry.expected.length);
      });
    }
  });
}
