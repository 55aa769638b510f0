import { ScimError, type StoredRecord } from "@scimkit/core";
import { afterAll, beforeEach, describe, expect } from "vitest";
import { type ConformanceHarness, expectScimError, newTenant } from "../harness";

/** The "uniqueness" area of the store conformance suite. */
export function defineUniquenessConformance(harness: ConformanceHarness): void {
  const { test, backdoor, repositoryOf, prepare, finish } = harness;
  describe("uniqueness and versions", () => {
    beforeEach(prepare);
    afterAll(finish);

    test("10 concurrent creates of one userName differing in case: exactly one succeeds", async () => {
      const tenant = newTenant("unique");
      const repository = repositoryOf();
      const names = [
        "alice",
        "Alice",
        "ALICE",
        "aLice",
        "alIce",
        "aliCe",
        "alicE",
        "ALice",
        "aLICE",
        "AlIcE",
      ];
      const outcomes = await Promise.allSettled(
        names.map((userName) =>
          repository.create(tenant, { resourceType: "User", data: { userName } }),
        ),
      );
      const created = outcomes.filter((outcome) => outcome.status === "fulfilled");
      const rejected = outcomes.filter((outcome) => outcome.status === "rejected");
      expect(created).toHaveLength(1);
      for (const outcome of rejected) {
        const reason = (outcome as PromiseRejectedResult).reason as unknown;
        expect(ScimError.is(reason)).toBe(true);
        expect(reason).toMatchObject({ status: 409, scimType: "uniqueness" });
      }
      const winner = (created[0] as PromiseFulfilledResult<StoredRecord>).value;
      expect(await backdoor().readRecord(tenant, "User", winner.id)).toBeDefined();
      const listed = await repository.query(tenant, {
        resourceType: "User",
        page: { kind: "all" },
      });
      expect(listed.totalResults).toBe(1);
    });

    test("update to a taken unique key throws 409 and changes nothing", async () => {
      const tenant = newTenant("unique-update");
      const repository = repositoryOf();
      const alice = await repository.create(tenant, {
        resourceType: "User",
        data: { userName: "alice" },
      });
      const bob = await repository.create(tenant, {
        resourceType: "User",
        data: { userName: "bob" },
      });
      await expectScimError(
        repository.update(tenant, {
          resourceType: "User",
          id: bob.id,
          data: { userName: "ALICE" },
        }),
        409,
        { scimType: "uniqueness" },
      );
      const raw = await backdoor().readRecord(tenant, "User", bob.id);
      expect(raw).toMatchObject({ version: 1, data: { userName: "bob" } });
      // Keeping one's own key, in another case, is no conflict.
      const renamed = await repository.update(tenant, {
        resourceType: "User",
        id: alice.id,
        data: { userName: "Alice" },
      });
      expect(renamed.version).toBe(2);
    });

    test("a unique key is free again after a rename or a delete", async () => {
      const tenant = newTenant("unique-free");
      const repository = repositoryOf();
      const alice = await repository.create(tenant, {
        resourceType: "User",
        data: { userName: "alice" },
      });
      await repository.update(tenant, {
        resourceType: "User",
        id: alice.id,
        data: { userName: "alicia" },
      });
      const second = await repository.create(tenant, {
        resourceType: "User",
        data: { userName: "alice" },
      });
      await repository.delete(tenant, "User", second.id);
      const third = await repository.create(tenant, {
        resourceType: "User",
        data: { userName: "ALICE" },
      });
      expect(await backdoor().readRecord(tenant, "User", third.id)).toMatchObject({
        data: { userName: "ALICE" },
      });
      await expectScimError(
        repository.create(tenant, { resourceType: "User", data: { userName: "Alicia" } }),
        409,
        { scimType: "uniqueness" },
      );
    });

    test("a stale expectedVersion throws 412 version_conflict and changes nothing", async () => {
      const tenant = newTenant("version");
      const repository = repositoryOf();
      const alice = await repository.create(tenant, {
        resourceType: "User",
        data: { userName: "alice" },
      });
      const next = await repository.update(tenant, {
        resourceType: "User",
        id: alice.id,
        expectedVersion: 1,
        data: { userName: "alice", title: "first" },
      });
      expect(next.version).toBe(2);
      await expectScimError(
        repository.update(tenant, {
          resourceType: "User",
          id: alice.id,
          expectedVersion: 1,
          data: { userName: "alice", title: "stale" },
        }),
        412,
        { code: "version_conflict" },
      );
      expect(await backdoor().readRecord(tenant, "User", alice.id)).toMatchObject({
        version: 2,
        data: { title: "first" },
      });
    });

    test("of concurrent writes with the same expectedVersion exactly one commits", async () => {
      const tenant = newTenant("version-race");
      const repository = repositoryOf();
      const alice = await repository.create(tenant, {
        resourceType: "User",
        data: { userName: "alice" },
      });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, (_, index) =>
          repository.update(tenant, {
            resourceType: "User",
            id: alice.id,
            expectedVersion: 1,
            data: { userName: "alice", title: `writer ${index}` },
          }),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === "rejected") expect(outcome.reason).toMatchObject({ status: 412 });
      }
      expect((await backdoor().readRecord(tenant, "User", alice.id))?.version).toBe(2);
    });
  });
}
