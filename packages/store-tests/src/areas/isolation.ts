import { afterAll, beforeEach, describe, expect } from "vitest";
import { ids } from "../data-set";
import {
  type ConformanceHarness,
  expectScimError,
  newTenant,
  sorted,
  userNameKey,
} from "../harness";

/** The tenant-isolation area ("tenants") of the store conformance suite. */
export function defineIsolationConformance(harness: ConformanceHarness): void {
  const { test, current, backdoor, repositoryOf, prepare, finish, bound } = harness;
  describe("tenants", () => {
    beforeEach(prepare);
    afterAll(finish);

    test("no operation in one tenant sees or changes another tenant's data", async () => {
      const tenantA = newTenant("a");
      const tenantB = newTenant("b");
      const store = current();
      const create = (tenant: string, title: string) =>
        store.create(tenant, {
          resourceType: "User",
          id: ids.u1,
          created: "2024-01-01T00:00:00.000Z",
          data: { userName: "alice", title },
          uniqueKeys: [userNameKey("alice")],
        });
      // Same id and same unique key in both tenants: no conflict across tenants.
      await create(tenantA, "in A");
      await create(tenantB, "in B");
      await store.create(tenantB, {
        resourceType: "User",
        id: ids.u2,
        created: "2024-01-01T00:00:00.000Z",
        data: { userName: "bob" },
        uniqueKeys: [userNameKey("bob")],
      });
      await store.create(tenantB, {
        resourceType: "Group",
        id: ids.g1,
        created: "2024-01-01T00:00:00.000Z",
        data: { displayName: "B team" },
        uniqueKeys: [],
        members: [{ value: ids.u1, type: "User" }],
      });

      expect((await store.get(tenantA, "User", ids.u1))?.data.title).toBe("in A");
      expect(await store.get(tenantA, "User", ids.u2)).toBeUndefined();
      expect(await store.get(tenantA, "Group", ids.g1)).toBeUndefined();
      const listed = await repositoryOf().query(tenantA, {
        resourceType: "User",
        page: { kind: "all" },
      });
      expect(listed.records.map((record) => record.data.title)).toEqual(["in A"]);
      const filtered = await repositoryOf().query(tenantA, {
        resourceType: "User",
        filter: bound("User", 'userName eq "bob"'),
        page: { kind: "index", startIndex: 1, count: 10 },
      });
      expect(filtered.totalResults).toBe(0);
      expect(await store.memberOf(tenantA, ids.u1)).toEqual([]);
      expect(
        sorted((await store.resourceTypesOf(tenantA, [ids.u1, ids.u2, ids.g1])).keys()),
      ).toEqual([ids.u1]);

      await expectScimError(
        store.update(tenantA, {
          resourceType: "User",
          id: ids.u2,
          lastModified: "2024-02-01T00:00:00.000Z",
          data: { userName: "bob" },
          uniqueKeys: [userNameKey("bob")],
        }),
        404,
      );
      await store.update(tenantA, {
        resourceType: "User",
        id: ids.u1,
        lastModified: "2024-02-01T00:00:00.000Z",
        data: { userName: "alice", title: "changed in A" },
        uniqueKeys: [userNameKey("alice")],
      });
      expect(await backdoor().readRecord(tenantB, "User", ids.u1)).toMatchObject({
        version: 1,
        data: { title: "in B" },
      });
      expect(await store.delete(tenantA, "User", ids.u2)).toBe(false);
      expect(await store.delete(tenantA, "User", ids.u1)).toBe(true);
      expect(await backdoor().readRecord(tenantB, "User", ids.u1)).toBeDefined();
      expect(await backdoor().readMembers(tenantB, ids.g1)).toEqual([ids.u1]);
      expect((await store.memberOf(tenantB, ids.u1)).map((group) => group.id)).toEqual([ids.g1]);
      expect(await backdoor().readRecord(tenantA, "User", ids.u1)).toBeUndefined();
    });
  });
}
