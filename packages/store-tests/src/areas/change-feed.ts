import type { ChangeDraft, ChangeRecord, ScimStore, StoredRecord } from "@scimkit/core";
import { afterAll, beforeEach, describe, expect } from "vitest";
import { type ConformanceHarness, expectScimError, newTenant, userNameKey } from "../harness";

const T0 = "2024-05-01T00:00:00.000Z";
const at = (second: number) => new Date(Date.parse(T0) + second * 1000).toISOString();
const note = (type: string, extra: Record<string, unknown> = {}): ChangeDraft => ({
  type,
  data: { note: type, ...extra },
});
const feedOf = (store: ScimStore) => {
  if (store.feed === undefined) throw new Error("conformance: the store has no feed");
  return store.feed;
};
/** Every change of a tenant, read in pages of `page`. */
async function readAll(store: ScimStore, tenant: string, page = 1000): Promise<ChangeRecord[]> {
  const all: ChangeRecord[] = [];
  for (;;) {
    const batch = await feedOf(store).read(tenant, {
      after: all.at(-1)?.position ?? 0,
      limit: page,
    });
    all.push(...batch);
    if (batch.length < page) return all;
  }
}
const positions = (changes: readonly ChangeRecord[]) => changes.map((change) => change.position);
const range = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

/**
 * The change feed (`store.feed`): a write and the changes it carries commit
 * together; positions are per tenant, gapless and in commit order, so a reader
 * that polls while writers run never skips one; plus leases, checkpoints and
 * dead letters for consumers.
 */
export function defineChangeFeedConformance(harness: ConformanceHarness): void {
  const { current } = harness;
  const test = (
    name: string,
    body: () => Promise<void>,
    needs: ("softDelete" | "restoreDeleted" | "purgeDeleted")[] = [],
  ) => harness.test(name, body, ["feed", ...needs]);

  const user = (tenant: string, id: string, userName: string, changes: ChangeDraft[]) =>
    current().create(tenant, {
      resourceType: "User",
      id,
      created: at(0),
      data: { userName },
      uniqueKeys: [userNameKey(userName)],
      changes,
    });
  const group = (tenant: string, id: string, changes: ChangeDraft[] = []): Promise<StoredRecord> =>
    current().create(tenant, {
      resourceType: "Group",
      id,
      created: at(0),
      data: { displayName: id },
      uniqueKeys: [],
      changes,
    });

  describe("change feed", () => {
    beforeEach(harness.prepare);
    afterAll(harness.finish);

    test("a write records its changes with the write's record, time and data, in order", async () => {
      const tenant = newTenant("feed-order");
      const store = current();
      await user(tenant, "u-1", "ann", [note("user.created", { resource: { userName: "ann" } })]);
      await store.update(tenant, {
        resourceType: "User",
        id: "u-1",
        expectedVersion: 1,
        lastModified: at(5),
        data: { userName: "ann", active: false },
        uniqueKeys: [userNameKey("ann")],
        changes: [note("user.updated"), note("user.deactivated")],
      });
      await store.delete(tenant, "User", "u-1", {
        changedAt: at(9),
        changes: [note("user.deleted", { soft: false })],
      });
      const changes = await readAll(store, tenant);
      expect(changes).toEqual([
        {
          tenant,
          position: 1,
          type: "user.created",
          resourceType: "User",
          id: "u-1",
          time: at(0),
          data: { note: "user.created", resource: { userName: "ann" } },
        },
        {
          tenant,
          position: 2,
          type: "user.updated",
          resourceType: "User",
          id: "u-1",
          time: at(5),
          data: { note: "user.updated" },
        },
        {
          tenant,
          position: 3,
          type: "user.deactivated",
          resourceType: "User",
          id: "u-1",
          time: at(5),
          data: { note: "user.deactivated" },
        },
        {
          tenant,
          position: 4,
          type: "user.deleted",
          resourceType: "User",
          id: "u-1",
          time: at(9),
          data: { note: "user.deleted", soft: false },
        },
      ]);
      expect((await feedOf(store).heads()).find((head) => head.tenant === tenant)).toEqual({
        tenant,
        position: 4,
      });
    });

    test("a membership change is recorded with the rows it really changed, and only then", async () => {
      const tenant = newTenant("feed-membership");
      const store = current();
      await user(tenant, "m-1", "m1", []);
      await user(tenant, "m-2", "m2", []);
      await group(tenant, "g-1");
      const members = (add: string[], remove: string[] = []) => ({
        add: add.map((value) => ({ value, type: "User" })),
        remove,
      });
      const membersChanged: ChangeDraft = {
        type: "group.membersChanged",
        data: {},
        membership: true,
      };
      await store.update(tenant, {
        resourceType: "Group",
        id: "g-1",
        lastModified: at(1),
        members: members(["m-1", "m-2"]),
        changes: [membersChanged],
      });
      // Re-adding members and removing a non-member changes no row: nothing is recorded.
      await store.update(tenant, {
        resourceType: "Group",
        id: "g-1",
        lastModified: at(2),
        members: members(["m-1"], ["nobody"]),
        changes: [membersChanged],
      });
      await store.update(tenant, {
        resourceType: "Group",
        id: "g-1",
        lastModified: at(3),
        members: members([], ["m-2"]),
        changes: [membersChanged],
      });
      // A rename with a membership delta that changes no row: only the rename stands.
      await store.update(tenant, {
        resourceType: "Group",
        id: "g-1",
        lastModified: at(4),
        data: { displayName: "renamed" },
        uniqueKeys: [],
        members: members(["m-1"]),
        changes: [note("group.renamed"), membersChanged],
      });
      const changes = await readAll(store, tenant);
      expect(changes.map(({ position, type, id, data }) => ({ position, type, id, data }))).toEqual(
        [
          {
            position: 1,
            type: "group.membersChanged",
            id: "g-1",
            data: { added: ["m-1", "m-2"], removed: [] },
          },
          {
            position: 2,
            type: "group.membersChanged",
            id: "g-1",
            data: { added: [], removed: ["m-2"] },
          },
          { position: 3, type: "group.renamed", id: "g-1", data: { note: "group.renamed" } },
        ],
      );
    });

    test("a write that fails records nothing", async () => {
      const tenant = newTenant("feed-failed");
      const store = current();
      await user(tenant, "f-1", "taken", [note("user.created")]);
      await expectScimError(user(tenant, "f-2", "TAKEN", [note("user.created")]), 409);
      await expectScimError(
        store.update(tenant, {
          resourceType: "User",
          id: "f-1",
          expectedVersion: 7,
          lastModified: at(1),
          data: { userName: "taken", title: "x" },
          uniqueKeys: [userNameKey("taken")],
          changes: [note("user.updated")],
        }),
        412,
      );
      await expectScimError(
        store.update(tenant, {
          resourceType: "User",
          id: "missing",
          lastModified: at(1),
          data: { userName: "nobody" },
          uniqueKeys: [userNameKey("nobody")],
          changes: [note("user.updated")],
        }),
        404,
      );
      expect(
        await store.delete(tenant, "User", "missing", { changes: [note("user.deleted")] }),
      ).toBe(false);
      expect(positions(await readAll(store, tenant))).toEqual([1]);
    });

    test("a change may name another resource than the written one", async () => {
      const tenant = newTenant("feed-other");
      await user(tenant, "o-1", "o1", [
        note("user.created"),
        { ...note("group.membersChanged"), resourceType: "Group", id: "g-9" },
      ]);
      const changes = await readAll(current(), tenant);
      expect(changes.map(({ resourceType, id }) => `${resourceType}/${id}`)).toEqual([
        "User/o-1",
        "Group/g-9",
      ]);
    });

    test("each tenant has its own positions and sees only its own changes", async () => {
      const tenantA = newTenant("feed-a");
      const tenantB = newTenant("feed-b");
      await user(tenantA, "x-1", "same", [note("user.created")]);
      await user(tenantB, "x-1", "same", [note("user.created")]);
      await user(tenantA, "x-2", "other", [note("user.created")]);
      const a = await readAll(current(), tenantA);
      const b = await readAll(current(), tenantB);
      expect(positions(a)).toEqual([1, 2]);
      expect(positions(b)).toEqual([1]);
      expect(a.every((change) => change.tenant === tenantA)).toBe(true);
      expect(b.every((change) => change.tenant === tenantB)).toBe(true);
    });

    test("reads page by position: after and limit", async () => {
      const tenant = newTenant("feed-pages");
      for (let index = 1; index <= 7; index += 1) {
        await user(tenant, `p-${index}`, `p${index}`, [note("user.created")]);
      }
      const feed = feedOf(current());
      expect(positions(await feed.read(tenant, { after: 0, limit: 3 }))).toEqual([1, 2, 3]);
      expect(positions(await feed.read(tenant, { after: 3, limit: 3 }))).toEqual([4, 5, 6]);
      expect(positions(await feed.read(tenant, { after: 6, limit: 3 }))).toEqual([7]);
      expect(await feed.read(tenant, { after: 7, limit: 3 })).toEqual([]);
      expect(await feed.read(newTenant("feed-empty"), { after: 0, limit: 3 })).toEqual([]);
    });

    test("concurrent writes get gapless positions, and a reader polling meanwhile skips none", async () => {
      const tenant = newTenant("feed-concurrent");
      const store = current();
      await group(tenant, "busy");
      const writers = 40;
      for (let index = 0; index < writers; index += 1)
        await user(tenant, `c-${index}`, `c${index}`, []);
      const seen: number[] = [];
      let writing = true;
      const reader = (async () => {
        while (writing || seen.length < writers) {
          const batch = await feedOf(store).read(tenant, { after: seen.at(-1) ?? 0, limit: 7 });
          seen.push(...positions(batch));
          if (batch.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
          if (!writing && batch.length === 0 && seen.length >= writers) break;
        }
      })();
      await Promise.all(
        Array.from({ length: writers }, (_, index) =>
          store.update(tenant, {
            resourceType: "Group",
            id: "busy",
            lastModified: at(index),
            members: { add: [{ value: `c-${index}`, type: "User" }], remove: [] },
            changes: [{ type: "group.membersChanged", data: { by: index }, membership: true }],
          }),
        ),
      );
      writing = false;
      await reader;
      expect(seen).toEqual(range(writers));
      const changes = await readAll(store, tenant);
      expect(positions(changes)).toEqual(range(writers));
      expect(new Set(changes.map((change) => (change.data.added as string[])[0])).size).toBe(
        writers,
      );
    });

    test("prune deletes old changes in bounded batches, and the gap is visible to a reader", async () => {
      const tenant = newTenant("feed-prune");
      const store = current();
      for (let index = 1; index <= 5; index += 1) {
        await current().create(tenant, {
          resourceType: "User",
          id: `old-${index}`,
          created: index <= 4 ? "2000-01-01T00:00:00.000Z" : "2999-01-01T00:00:00.000Z",
          data: { userName: `old${index}` },
          uniqueKeys: [userNameKey(`old${index}`)],
          changes: [note("user.created")],
        });
      }
      const feed = feedOf(store);
      // Other tenants' old changes (of earlier tests on a shared store) may go first.
      let pruned = 0;
      for (let round = 0; round < 1000; round += 1) {
        const count = await feed.prune("2001-01-01T00:00:00.000Z", 3);
        expect(count).toBeLessThanOrEqual(3);
        pruned += count;
        if (count === 0) break;
      }
      expect(pruned).toBeGreaterThanOrEqual(4);
      expect(positions(await feed.read(tenant, { after: 0, limit: 10 }))).toEqual([5]);
      expect((await feed.heads()).find((head) => head.tenant === tenant)?.position).toBe(5);
      await user(tenant, "new-1", "new1", [note("user.created")]);
      expect(positions(await feed.read(tenant, { after: 5, limit: 10 }))).toEqual([6]);
    });

    test("soft delete, purge and restore record their changes", async () => {
      const tenant = newTenant("feed-trash");
      const store = current();
      await user(tenant, "t-1", "trash", []);
      expect(
        await store.softDelete!(tenant, "User", "t-1", {
          purgeAfter: "2000-01-01T00:00:00.000Z",
          changedAt: at(1),
          changes: [note("user.deleted", { soft: true })],
        }),
      ).toBe(true);
      await user(tenant, "t-2", "kept", []);
      await store.softDelete!(tenant, "User", "t-2", {
        purgeAfter: "2999-01-01T00:00:00.000Z",
        changes: [note("user.deleted")],
      });
      const restored = await store.restoreDeleted!(tenant, "User", "t-2", {
        lastModified: at(3),
        changes: (record) => [note("user.restored", { version: record.version })],
      });
      expect(restored?.restoredMembers).toEqual([]);
      expect(restored?.rejoinedGroups).toEqual([]);
      const purged = await store.purgeDeleted!("2001-01-01T00:00:00.000Z", {
        changeTypes: { User: "user.purged" },
        changedAt: at(4),
      });
      expect(purged.filter((entry) => entry.tenant === tenant).map((entry) => entry.id)).toEqual([
        "t-1",
      ]);
      const changes = await readAll(store, tenant);
      expect(changes.map(({ type, id, time, data }) => ({ type, id, time, data }))).toEqual([
        {
          type: "user.deleted",
          id: "t-1",
          time: at(1),
          data: { note: "user.deleted", soft: true },
        },
        expect.objectContaining({ type: "user.deleted", id: "t-2" }),
        {
          type: "user.restored",
          id: "t-2",
          time: at(3),
          data: { note: "user.restored", version: restored?.version },
        },
        { type: "user.purged", id: "t-1", time: at(4), data: { purgeAfter: expect.any(String) } },
      ]);
      expect(Date.parse(changes[3]!.data.purgeAfter as string)).toBe(
        Date.parse("2000-01-01T00:00:00.000Z"),
      );
    }, ["softDelete", "restoreDeleted", "purgeDeleted"]);

    test("a lease has one holder at a time, renews, releases and expires", async () => {
      const feed = feedOf(current());
      const name = newTenant("lease");
      expect(await feed.acquireLease(name, "a", 30)).toBe(true);
      expect(await feed.acquireLease(name, "b", 30)).toBe(false);
      expect(await feed.acquireLease(name, "a", 30)).toBe(true);
      await feed.releaseLease(name, "b");
      expect(await feed.acquireLease(name, "b", 30)).toBe(false);
      await feed.releaseLease(name, "a");
      expect(await feed.acquireLease(name, "b", 1)).toBe(true);
      const racers = await Promise.all(
        ["c", "d", "e", "f"].map((holder) => feed.acquireLease(`${name}-race`, holder, 30)),
      );
      expect(racers.filter(Boolean)).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 1300));
      expect(await feed.acquireLease(name, "a", 30)).toBe(true);
    });

    test("checkpoints move forward only, per consumer and tenant, and only for the lease holder", async () => {
      const feed = feedOf(current());
      const consumer = newTenant("consumer");
      const tenantA = newTenant("cp-a");
      const tenantB = newTenant("cp-b");
      expect(await feed.saveCheckpoint(consumer, "a", tenantA, 3)).toBe(false);
      expect(await feed.acquireLease(consumer, "a", 30)).toBe(true);
      expect(await feed.saveCheckpoint(consumer, "a", tenantA, 3)).toBe(true);
      expect(await feed.saveCheckpoint(consumer, "a", tenantA, 2)).toBe(false);
      expect(await feed.saveCheckpoint(consumer, "b", tenantA, 9)).toBe(false);
      expect(await feed.saveCheckpoint(consumer, "a", tenantB, 1)).toBe(true);
      expect(await feed.saveCheckpoint(consumer, "a", tenantA, 5)).toBe(true);
      expect(await feed.checkpoints(consumer)).toEqual(
        new Map([
          [tenantA, 5],
          [tenantB, 1],
        ]),
      );
      expect(await feed.checkpoints(`${consumer}-other`)).toEqual(new Map());
    });

    test("dead letters are kept per consumer, newest first, one per position", async () => {
      const feed = feedOf(current());
      const consumer = newTenant("dead");
      const letter = (tenant: string, position: number, second: number, attempts = 3) => ({
        consumer,
        tenant,
        position,
        type: "user.created",
        resourceType: "User",
        id: `u-${position}`,
        attempts,
        error: "HTTP 500",
        at: at(second),
      });
      await feed.addDeadLetter(letter("t1", 1, 1));
      await feed.addDeadLetter(letter("t2", 4, 2));
      await feed.addDeadLetter(letter("t1", 2, 3));
      await feed.addDeadLetter(letter("t1", 1, 4, 5));
      const all = await feed.deadLetters(consumer, { limit: 10 });
      expect(all.map((entry) => `${entry.tenant}/${entry.position}/${entry.attempts}`)).toEqual([
        "t1/1/5",
        "t1/2/3",
        "t2/4/3",
      ]);
      expect(
        (await feed.deadLetters(consumer, { tenant: "t2", limit: 10 })).map(
          (entry) => entry.position,
        ),
      ).toEqual([4]);
      expect(await feed.deadLetters(consumer, { limit: 1 })).toHaveLength(1);
      expect(await feed.deadLetters(`${consumer}-other`, { limit: 10 })).toEqual([]);
    });
  });
}
