import type { LogEntry, ScimStore } from "@scimkit/core";
import { afterAll, beforeEach, describe, expect } from "vitest";
import { type ConformanceHarness, newTenant } from "../harness";

const logOf = (store: ScimStore) => {
  if (store.log === undefined) throw new Error("conformance: the store has no log");
  return store.log;
};
const minute = (value: number) => `2024-07-01T10:${String(value).padStart(2, "0")}:00.000Z`;

/** The provisioning log (`store.log`): newest first, filtered, paged, per tenant, pruned in batches. */
export function defineProvisioningLogConformance(harness: ConformanceHarness): void {
  const { current } = harness;
  const test = (name: string, body: () => Promise<void>) => harness.test(name, body, ["log"]);

  const entry = (tenant: string, index: number, extra: Partial<LogEntry> = {}): LogEntry => ({
    id: `${String(index).padStart(3, "0")}`,
    tenant,
    time: minute(index),
    tokenId: "tok-1",
    method: "PATCH",
    path: `/Users/u-${index % 3}`,
    status: index % 4 === 0 ? 404 : 200,
    resourceType: "User",
    resourceId: `u-${index % 3}`,
    changedAttributes: ["active"],
    durationMs: index,
    idp: "entra",
    ...extra,
  });

  describe("provisioning log", () => {
    beforeEach(harness.prepare);
    afterAll(harness.finish);

    test("answers a tenant's entries newest first, exactly as appended", async () => {
      const log = logOf(current());
      const tenant = newTenant("log");
      const other = newTenant("log-other");
      const entries = Array.from({ length: 10 }, (_, index) => entry(tenant, index + 1));
      await log.append(entries.slice(0, 4));
      await log.append([...entries.slice(4), entry(other, 99)]);
      const read = await log.query(tenant, { limit: 100 });
      expect(read).toEqual([...entries].reverse());
      expect(await log.query(other, { limit: 100 })).toEqual([entry(other, 99)]);
      const error = entry(tenant, 11, {
        status: 400,
        scimType: "invalidValue",
        detail: "Bad value.",
        tokenId: undefined,
        changedAttributes: undefined,
        resourceId: undefined,
        resourceType: undefined,
        idp: undefined,
      });
      const {
        tokenId: _t,
        changedAttributes: _c,
        resourceId: _r,
        resourceType: _y,
        idp: _i,
        ...minimal
      } = error;
      await log.append([minimal]);
      expect((await log.query(tenant, { limit: 1 }))[0]).toEqual(minimal);
    });

    test("filters by status class, resource and time range, and pages with before", async () => {
      const log = logOf(current());
      const tenant = newTenant("log-filter");
      await log.append(Array.from({ length: 12 }, (_, index) => entry(tenant, index + 1)));
      const ids = (entries: readonly LogEntry[]) => entries.map((item) => item.id);
      expect(ids(await log.query(tenant, { limit: 100, statusClass: 4 }))).toEqual([
        "012",
        "008",
        "004",
      ]);
      expect(ids(await log.query(tenant, { limit: 100, resourceId: "u-1" }))).toEqual([
        "010",
        "007",
        "004",
        "001",
      ]);
      expect(ids(await log.query(tenant, { limit: 100, from: minute(5), to: minute(8) }))).toEqual([
        "007",
        "006",
        "005",
      ]);
      const first = await log.query(tenant, { limit: 5 });
      const last = first.at(-1)!;
      const second = await log.query(tenant, {
        limit: 5,
        before: { time: last.time, id: last.id },
      });
      expect(ids(first)).toEqual(["012", "011", "010", "009", "008"]);
      expect(ids(second)).toEqual(["007", "006", "005", "004", "003"]);
      // Entries of one instant are ordered by id, so paging through them neither repeats nor skips.
      const sameTime = newTenant("log-same");
      await log.append(["b", "c", "a"].map((id) => ({ ...entry(sameTime, 1), id })));
      const page = await log.query(sameTime, { limit: 2 });
      expect(ids(page)).toEqual(["c", "b"]);
      expect(
        ids(await log.query(sameTime, { limit: 2, before: { time: page[1]!.time, id: "b" } })),
      ).toEqual(["a"]);
    });

    test("prunes entries older than a time in bounded batches", async () => {
      const log = logOf(current());
      const tenant = newTenant("log-prune");
      await log.append([
        ...Array.from({ length: 5 }, (_, index) => ({
          ...entry(tenant, index + 1),
          time: `2000-01-01T00:0${index}:00.000Z`,
        })),
        entry(tenant, 20),
      ]);
      let pruned = 0;
      for (let round = 0; round < 1000; round += 1) {
        const count = await log.prune("2001-01-01T00:00:00.000Z", 2);
        expect(count).toBeLessThanOrEqual(2);
        pruned += count;
        if (count === 0) break;
      }
      expect(pruned).toBeGreaterThanOrEqual(5);
      expect((await log.query(tenant, { limit: 100 })).map((item) => item.id)).toEqual(["020"]);
    });
  });
}
