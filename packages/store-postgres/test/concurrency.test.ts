import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresStore, postgresStore } from "../src";
import { DATABASE_URL, type Driver, openPostgres, uniqueSchema } from "./drivers";

if (DATABASE_URL === undefined) {
  console.info(
    "store-postgres: two-instance concurrency tests skipped: they need two connection pools on one PostgreSQL server (set DATABASE_URL); PGlite is a single in-process connection.",
  );
}

describe.skipIf(DATABASE_URL === undefined)(
  "two store instances on one PostgreSQL database",
  () => {
    const tenant = "race";
    let driver: Driver;
    let schema: string;
    let stores: [PostgresStore, PostgresStore];

    beforeAll(async () => {
      driver = openPostgres(DATABASE_URL!);
      schema = uniqueSchema("scimkit_race");
      stores = [
        postgresStore({ client: driver.client, schema }),
        postgresStore({ client: driver.second!, schema }),
      ];
      await Promise.all(stores.map((store) => store.migrate()));
    }, 60_000);

    afterAll(async () => {
      await driver?.dropSchema(schema);
      await driver?.close();
    });

    it("loses no member PATCH sent to both instances at once", async () => {
      for (const id of [
        ...Array.from({ length: 20 }, (_, index) => `old-${index}`),
        ...Array.from({ length: 60 }, (_, index) => `new-${index}`),
      ]) {
        await stores[0].create(tenant, {
          resourceType: "User",
          id,
          created: "2024-01-01T00:00:00.000Z",
          data: { userName: id },
          uniqueKeys: [{ attribute: "userName", value: id }],
        });
      }
      await stores[0].create(tenant, {
        resourceType: "Group",
        id: "group",
        created: "2024-01-01T00:00:00.000Z",
        data: { displayName: "Race" },
        uniqueKeys: [],
        members: Array.from({ length: 20 }, (_, index) => ({
          value: `old-${index}`,
          type: "User",
        })),
      });
      const adds = Array.from({ length: 60 }, (_, index) => `new-${index}`);
      const removes = Array.from({ length: 20 }, (_, index) => `old-${index}`);
      const writes = [
        ...adds.map((id) => ({ add: [{ value: id, type: "User" }], remove: [] })),
        ...removes.map((id) => ({ add: [], remove: [id] })),
      ];
      const results = await Promise.all(
        writes.map((members, index) =>
          stores[index % 2]!.update(tenant, {
            resourceType: "Group",
            id: "group",
            lastModified: "2024-01-02T00:00:00.000Z",
            members,
          }),
        ),
      );
      // Every write changed exactly its one row, and each bumped the version once.
      expect(
        results.every(
          (result) =>
            (result.membership?.added.length ?? 0) + (result.membership?.removed.length ?? 0) === 1,
        ),
      ).toBe(true);
      expect(new Set(results.map((result) => result.version)).size).toBe(writes.length);
      const group = await stores[1].get(tenant, "Group", "group", { includeMembers: true });
      expect(group?.members?.map((member) => member.value).sort()).toEqual([...adds].sort());
      expect(group?.version).toBe(1 + writes.length);
    });

    it("lets exactly one duplicate create win across instances", async () => {
      for (let round = 0; round < 5; round += 1) {
        const attempts = await Promise.allSettled(
          Array.from({ length: 10 }, (_, index) =>
            stores[index % 2]!.create(tenant, {
              resourceType: "User",
              id: `dup-${round}-${index}`,
              created: "2024-01-01T00:00:00.000Z",
              data: { userName: `Dup${round}` },
              uniqueKeys: [{ attribute: "userName", value: `dup${round}` }],
            }),
          ),
        );
        expect(attempts.filter((attempt) => attempt.status === "fulfilled")).toHaveLength(1);
        for (const attempt of attempts) {
          if (attempt.status === "rejected") {
            expect(attempt.reason).toMatchObject({ status: 409, scimType: "uniqueness" });
          }
        }
      }
    });

    it("lets exactly one of two version-guarded writes with the same version commit", async () => {
      await stores[0].create(tenant, {
        resourceType: "User",
        id: "guarded",
        created: "2024-01-01T00:00:00.000Z",
        data: { userName: "guarded" },
        uniqueKeys: [{ attribute: "userName", value: "guarded" }],
      });
      const attempts = await Promise.allSettled(
        stores.map((store, index) =>
          store.update(tenant, {
            resourceType: "User",
            id: "guarded",
            expectedVersion: 1,
            lastModified: "2024-01-02T00:00:00.000Z",
            data: { userName: "guarded", title: `writer ${index}` },
            uniqueKeys: [{ attribute: "userName", value: "guarded" }],
          }),
        ),
      );
      expect(attempts.filter((attempt) => attempt.status === "fulfilled")).toHaveLength(1);
      const loser = attempts.find((attempt) => attempt.status === "rejected");
      expect(loser?.status === "rejected" && loser.reason).toMatchObject({
        status: 412,
        code: "version_conflict",
      });
    });
  },
);
