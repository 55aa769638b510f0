import type { UpdatedRecord } from "@scimkit/core/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresStore, postgresStore } from "../src";
import { compileMembershipBatch } from "../src/membership-batch";
import { tablesIn } from "../src/rows";
import { checkStatement, type RecordedStatement, recordingClient } from "./distribution-rules";
import { type Driver, driverFactories, uniqueSchema } from "./drivers";

/**
 * Concurrent membership-only updates of one group run in batches (one statement,
 * one commit); every update must still get what it would get run alone, one after
 * another, with the updates of one member id in their arrival order.
 */
describe.each(driverFactories)("batched membership changes on %s", (_name, open) => {
  const tenant = "batch";
  let driver: Driver;
  let store: PostgresStore;
  const schema = uniqueSchema("scimkit_batch");
  const recorded = new Map<string, RecordedStatement>();
  let group = 0;

  beforeAll(async () => {
    driver = await open();
    store = postgresStore({ client: recordingClient(driver.client, recorded), schema });
    await store.migrate();
    // Members must be records (a group never keeps one that is not).
    const users = [
      ...Array.from({ length: 40 }, (_, index) => `u${index}`),
      ...["old", "a", "b", "c", "x", "p", "q"],
      ...Array.from({ length: 5 }, (_, index) => `m${index}`),
    ];
    for (const id of users) {
      await store.create(tenant, {
        resourceType: "User",
        id,
        created: "2024-01-01T00:00:00.000Z",
        data: { userName: id },
        uniqueKeys: [{ attribute: "userName", value: id }],
      });
    }
  }, 120_000);

  afterAll(async () => {
    await driver?.dropSchema(schema);
    await driver?.close();
  });

  const newGroup = async (members: string[] = []) => {
    group += 1;
    const id = `group-${group}`;
    await store.create(tenant, {
      resourceType: "Group",
      id,
      created: "2024-01-01T00:00:00.000Z",
      data: { displayName: id },
      uniqueKeys: [],
      members: members.map((value) => ({ value, type: "User" })),
      changes: [],
    });
    return id;
  };

  const membershipChange = (id: string, index: number, add: string[], remove: string[] = []) =>
    store.update(tenant, {
      resourceType: "Group",
      id,
      lastModified: `2024-01-02T00:00:${String(index).padStart(2, "0")}.000Z`,
      members: { add: add.map((value) => ({ value, type: "User" })), remove },
      changes: [{ type: "group.membersChanged", data: { request: index }, membership: true }],
    });

  const batchStatements = () =>
    [...recorded.values()].filter((statement) => statement.text.includes("batch AS ("));

  it("many one-member adds at once: all applied, one version each, in fewer statements", async () => {
    const id = await newGroup();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, index) => membershipChange(id, index, [`u${index}`])),
    );
    expect(batchStatements().length).toBeGreaterThan(0);
    // Each update changed its one row and got its own version: 2..41 in arrival order.
    expect(results.map((result) => result.membership)).toEqual(
      results.map((_, index) => ({ added: [`u${index}`], removed: [] })),
    );
    expect(results.map((result) => result.version)).toEqual(results.map((_, index) => index + 2));
    expect(results.map((result) => result.lastModified)).toEqual(
      results.map((_, index) => `2024-01-02T00:00:${String(index).padStart(2, "0")}.000Z`),
    );
    const stored = await store.get(tenant, "Group", id, { includeMembers: true });
    expect(stored?.version).toBe(41);
    expect(stored?.lastModified).toBe("2024-01-02T00:00:39.000Z");
    // Members keep their arrival order.
    expect(stored?.members?.map((member) => member.value)).toEqual(
      results.map((_, index) => `u${index}`),
    );
    // One change per update, with its own member and time, in arrival order.
    const changes = (await store.feed!.read(tenant, { after: 0, limit: 1000 })).filter(
      (change) => change.id === id,
    );
    expect(changes.map((change) => change.data)).toEqual(
      results.map((_, index) => ({ request: index, added: [`u${index}`], removed: [] })),
    );
    expect(changes.map((change) => change.time)).toEqual(
      results.map((result) => result.lastModified),
    );
  });

  it("an update that shares a member id waits for the next batch; a no-op keeps the version", async () => {
    const id = await newGroup(["old"]);
    const results = await Promise.all([
      membershipChange(id, 0, ["a"]),
      membershipChange(id, 1, ["b"]),
      membershipChange(id, 2, ["b"]), // already added by the one before: a no-op
      membershipChange(id, 3, [], ["old"]),
      membershipChange(id, 4, ["old"]), // after the remove, adds it back
      membershipChange(id, 5, [], ["never"]), // not a member: a no-op
      membershipChange(id, 6, ["c"], ["a"]),
    ]);
    // The first runs alone; then 1, 3, 5, 6 as one batch; 2 and 4 share a member with
    // one before them, so they run next: the results are those of running them one
    // at a time in the order 0, 1, 3, 5, 6, 2, 4 (updates of one member keep their order).
    const summary = (result: UpdatedRecord) => [result.version, result.membership];
    expect(results.map(summary)).toEqual([
      [2, { added: ["a"], removed: [] }],
      [3, { added: ["b"], removed: [] }],
      [5, { added: [], removed: [] }],
      [4, { added: [], removed: ["old"] }],
      [6, { added: ["old"], removed: [] }],
      [4, { added: [], removed: [] }],
      [5, { added: ["c"], removed: ["a"] }],
    ]);
    const stored = await store.get(tenant, "Group", id, { includeMembers: true });
    expect(stored?.version).toBe(6);
    expect(stored?.members?.map((member) => member.value).sort()).toEqual(["b", "c", "old"]);
  });

  it("an update never overtakes a waiting one that shares a member id with it", async () => {
    const id = await newGroup();
    const results = await Promise.all([
      membershipChange(id, 0, ["x"]),
      membershipChange(id, 1, ["p"]),
      membershipChange(id, 2, ["q"], ["p"]), // shares p with 1: waits for the next batch
      membershipChange(id, 3, [], ["q"]), // shares q with 2, which waits: so it waits too
    ]);
    // As one at a time in arrival order: q is added by 2, then removed by 3.
    const summary = (result: UpdatedRecord) => [result.version, result.membership];
    expect(results.map(summary)).toEqual([
      [2, { added: ["x"], removed: [] }],
      [3, { added: ["p"], removed: [] }],
      [4, { added: ["q"], removed: ["p"] }],
      [5, { added: [], removed: ["q"] }],
    ]);
    const stored = await store.get(tenant, "Group", id, { includeMembers: true });
    expect(stored?.members?.map((member) => member.value)).toEqual(["x"]);
  });

  it("a member that is not a record is skipped without failing the rest of its batch", async () => {
    const id = await newGroup();
    const before = batchStatements().length;
    const results = await Promise.all(
      ["m0", "ghost", "m1", "m2"].map((member, index) => membershipChange(id, index, [member])),
    );
    expect(batchStatements().length).toBeGreaterThan(before);
    expect(results.map((result) => result.membership)).toEqual([
      { added: ["m0"], removed: [] },
      { added: [], removed: [] },
      { added: ["m1"], removed: [] },
      { added: ["m2"], removed: [] },
    ]);
    const stored = await store.get(tenant, "Group", id, { includeMembers: true });
    expect(stored?.members?.map((member) => member.value)).toEqual(["m0", "m1", "m2"]);
    expect(stored?.version).toBe(4);
  });

  it("a missing group fails every update of the batch with 404", async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 5 }, (_, index) => membershipChange("missing", index, [`m${index}`])),
    );
    for (const attempt of attempts) {
      expect(attempt.status === "rejected" && attempt.reason).toMatchObject({ status: 404 });
    }
  });

  it("the batch statement is tenant-scoped (distributable by tenant)", async () => {
    const id = await newGroup(["x"]);
    const tables = tablesIn(schema);
    for (const withRemove of [false, true]) {
      const inputs = [0, 1].map((index) => ({
        resourceType: "Group",
        id,
        lastModified: "2024-01-03T00:00:00.000Z",
        members: {
          add: [{ value: `z${index}`, type: "User" }],
          remove: withRemove && index === 1 ? ["x"] : [],
        },
        changes: [{ type: "group.membersChanged" as const, data: {}, membership: true as const }],
      }));
      for (const liveMembersOnly of [false, true]) {
        const statement = compileMembershipBatch(tables, tenant, inputs, { liveMembersOnly });
        expect(await checkStatement(driver.client, statement)).toEqual([]);
      }
    }
  });
});
