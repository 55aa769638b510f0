import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresStore, postgresStore } from "../src";
import { DATABASE_URL, type Driver, openPostgres, uniqueSchema } from "./drivers";
import { heldOpen, waitForLockWait } from "./held-open";

/**
 * A write that waits for a record's row lock must act on what the writer it
 * waited for committed, although its statement's snapshot predates that commit.
 * Each test holds a first write open on its own connection, starts a second
 * write that blocks on the record's lock, commits the first, and checks that the
 * second saw the first's rows.
 */
describe.skipIf(DATABASE_URL === undefined)("writes that wait for a record's lock", () => {
  const tenant = "lock-waits";
  let driver: Driver;
  let schema: string;
  let store: PostgresStore;
  let pool: pg.Pool;
  let counter = 0;

  beforeAll(async () => {
    driver = openPostgres(DATABASE_URL!);
    pool = driver.client as pg.Pool;
    schema = uniqueSchema("scimkit_lock_waits");
    store = postgresStore({ client: driver.second!, schema });
    await store.migrate();
  }, 60_000);

  afterAll(async () => {
    await driver?.dropSchema(schema);
    await driver?.close();
  });

  const at = "2024-01-01T00:00:00.000Z";
  const user = async (id: string) =>
    store.create(tenant, {
      resourceType: "User",
      id,
      created: at,
      data: { userName: id },
      uniqueKeys: [{ attribute: "userName", value: id }],
    });
  const group = async (members: string[]) => {
    counter += 1;
    const id = `g-${counter}`;
    await store.create(tenant, {
      resourceType: "Group",
      id,
      created: at,
      data: { displayName: id },
      uniqueKeys: [],
      members: members.map((value) => ({ value, type: "User" })),
    });
    return id;
  };
  const members = (target: PostgresStore, id: string, add: string[], remove: string[] = []) =>
    target.update(tenant, {
      resourceType: "Group",
      id,
      lastModified: at,
      members: { add: add.map((value) => ({ value, type: "User" })), remove },
      changes: [{ type: "group.membersChanged", data: {}, membership: true }],
    });
  const memberIds = async (id: string) =>
    (
      await pool.query(
        `SELECT member_id FROM "${schema}".memberships WHERE tenant = $1 AND group_id = $2 ORDER BY member_id`,
        [tenant, id],
      )
    ).rows.map((row) => row.member_id as string);

  /** Runs `first` inside a held-open transaction, then `second` (which blocks), then commits. */
  async function race<T>(
    first: (inside: PostgresStore) => Promise<unknown>,
    second: () => Promise<T>,
  ): Promise<T> {
    const open = await heldOpen(pool, schema);
    await first(open.store);
    const pending = second();
    await waitForLockWait(pool, schema);
    await open.commit();
    return pending;
  }

  it("removes a member that a write it waited for added", async () => {
    await user("x-1");
    const id = await group([]);
    const removed = await race(
      (inside) => members(inside, id, ["x-1"]),
      () => members(store, id, [], ["x-1"]),
    );
    expect(removed.membership).toEqual({ added: [], removed: ["x-1"] });
    expect(await memberIds(id)).toEqual([]);
    // The feed tells the same story: added, then removed.
    const changes = await store.feed!.read(tenant, { after: 0, limit: 1000 });
    expect(changes.filter((change) => change.id === id).map((change) => change.data)).toEqual([
      { added: ["x-1"], removed: [] },
      { added: [], removed: ["x-1"] },
    ]);
  });

  it("replaces every member, including one a write it waited for added", async () => {
    await user("y-1");
    await user("y-2");
    const id = await group(["y-1"]);
    const replaced = await race(
      (inside) => members(inside, id, ["y-2"]),
      () =>
        store.update(tenant, {
          resourceType: "Group",
          id,
          lastModified: at,
          members: { replaceAll: true, add: [{ value: "y-1", type: "User" }], remove: [] },
        }),
    );
    expect(replaced.membership).toEqual({ added: [], removed: ["y-2"] });
    expect(await memberIds(id)).toEqual(["y-1"]);
  });

  it("deletes a group with the members a write it waited for added", async () => {
    await user("z-1");
    const id = await group([]);
    expect(
      await race(
        (inside) => members(inside, id, ["z-1"]),
        () => store.delete(tenant, "Group", id),
      ),
    ).toBe(true);
    expect(await memberIds(id)).toEqual([]);
  });

  it("moves a group to the trash with the members a write it waited for added", async () => {
    await user("w-1");
    const id = await group([]);
    await race(
      (inside) => members(inside, id, ["w-1"]),
      () => store.softDelete!(tenant, "Group", id, { purgeAfter: "2999-01-01T00:00:00.000Z" }),
    );
    expect(await memberIds(id)).toEqual([]);
    const restored = await store.restoreDeleted!(tenant, "Group", id, { lastModified: at });
    expect(restored?.restoredMembers).toEqual(["w-1"]);
  });

  it("deletes a user with the membership a write it waited for added", async () => {
    await user("v-1");
    const id = await group([]);
    expect(
      await race(
        (inside) => members(inside, id, ["v-1"]),
        () => store.delete(tenant, "User", "v-1"),
      ),
    ).toBe(true);
    expect(await memberIds(id)).toEqual([]);
    expect(await store.memberOf(tenant, "v-1")).toEqual([]);
  });

  it("skips a member that a delete it waited for removed", async () => {
    await user("u-1");
    await user("u-2");
    const id = await group([]);
    const added = await race(
      (inside) => inside.delete(tenant, "User", "u-1"),
      () => members(store, id, ["u-1", "u-2"]),
    );
    expect(added.membership).toEqual({ added: ["u-2"], removed: [] });
    expect(await memberIds(id)).toEqual(["u-2"]);
    const changes = await store.feed!.read(tenant, { after: 0, limit: 1000 });
    expect(changes.filter((change) => change.id === id).map((change) => change.data)).toEqual([
      { added: ["u-2"], removed: [] },
    ]);
  });

  it("creates a group without a member that a delete it waited for removed", async () => {
    await user("c-1");
    await user("c-2");
    const id = await race(
      (inside) => inside.delete(tenant, "User", "c-1"),
      () => group(["c-1", "c-2"]),
    );
    expect(await memberIds(id)).toEqual(["c-2"]);
  });

  it("frees the unique key a write it waited for took", async () => {
    await user("k-1");
    const rename = (target: PostgresStore, userName: string) =>
      target.update(tenant, {
        resourceType: "User",
        id: "k-1",
        lastModified: at,
        data: { userName },
        uniqueKeys: [{ attribute: "userName", value: userName }],
      });
    await race(
      (inside) => rename(inside, "k-taken-first"),
      () => rename(store, "k-final"),
    );
    const { rows } = await pool.query(
      `SELECT value FROM "${schema}".unique_keys WHERE tenant = $1 AND id = 'k-1'`,
      [tenant],
    );
    expect(rows.map((row) => row.value)).toEqual(["k-final"]);
    // The name the first write took is free again.
    await expect(user("k-taken-first")).resolves.toMatchObject({ id: "k-taken-first" });
  });
});
