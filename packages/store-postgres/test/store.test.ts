import {
  type GroupRef,
  queryInMemory,
  ScimError,
  type StoredRecord,
  type StoreQuery,
  unwrap,
} from "@scimkit/core/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS, type PostgresStore, postgresStore, type Queryable } from "../src";
import { type Driver, driverFactories, uniqueSchema } from "./drivers";
import { bound, sortPath } from "./helpers";

const T = "tenant-a";
/** The relation names core passes for the built-in types. */
const NAMES = { displayAttributes: { Group: "displayName" } };
const USERS = { resourceType: "User", memberOfAttribute: "groups", ...NAMES };
const created = (minute: number) => `2024-01-01T00:${String(minute).padStart(2, "0")}:00.000Z`;

const rejection = async (promise: Promise<unknown>): Promise<ScimError> => {
  try {
    await promise;
  } catch (error) {
    if (ScimError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
};

describe.each(driverFactories)("postgresStore on %s", (_name, open) => {
  let driver: Driver;
  let store: PostgresStore;
  let schema: string;
  const sql = (text: string, values: unknown[] = []) => driver.client.query(text, values);

  const user = (id: string, userName: string, minute: number, extra: object = {}) =>
    store.create(T, {
      resourceType: "User",
      id,
      created: created(minute),
      data: { userName, ...extra },
      uniqueKeys: [{ attribute: "userName", value: userName.toLowerCase() }],
    });

  beforeAll(async () => {
    driver = await open();
    schema = uniqueSchema("scimkit_store");
    store = postgresStore({ client: driver.client, schema });
    await store.migrate();
  }, 120_000);

  afterAll(async () => {
    await driver?.dropSchema(schema);
    await driver?.close();
  });

  it("validates options when the factory runs", () => {
    expect(() => postgresStore({ client: {} as never })).toThrow(TypeError);
    expect(() => postgresStore({ client: driver.client, schema: 'x"; drop' })).toThrow(TypeError);
    expect(() => postgresStore({ client: driver.client, schema: "" })).toThrow(TypeError);
  });

  it("migrates idempotently, and once when instances start at the same moment", async () => {
    expect(await store.migrate()).toEqual({ applied: [] });
    const fresh = uniqueSchema("scimkit_migrate");
    try {
      const results = await Promise.all(
        [1, 2, 3, 4].map(() => postgresStore({ client: driver.client, schema: fresh }).migrate()),
      );
      expect(results.filter((result) => result.applied.length > 0)).toEqual([
        { applied: [1, 2, 3, 4, 5, 6] },
      ]);
      const { rows } = await sql(
        `SELECT version FROM "${fresh}".schema_migrations ORDER BY version`,
      );
      expect(rows).toEqual([1, 2, 3, 4, 5, 6].map((version) => ({ version })));
      // Migration 5: ANALYZE skips the whole documents.
      const { rows: targets } = await sql(
        `SELECT attstattarget FROM pg_attribute WHERE attrelid = '"${fresh}".resources'::regclass AND attname = 'data'`,
      );
      expect(targets).toEqual([{ attstattarget: 0 }]);
    } finally {
      await driver.dropSchema(fresh);
    }
  });

  it("upgrades a version-1 schema with data to the trash table, keeping its records", async () => {
    const old = uniqueSchema("scimkit_upgrade");
    try {
      const upgraded = postgresStore({ client: driver.client, schema: old });
      await upgraded.migrate();
      // Back to what a store released before soft delete left behind.
      await sql(`DROP TABLE "${old}".deleted_resources`);
      await sql(`DELETE FROM "${old}".schema_migrations WHERE version = 2`);
      await upgraded.create(T, {
        resourceType: "User",
        id: "u-old",
        created: created(1),
        data: { userName: "old" },
        uniqueKeys: [{ attribute: "userName", value: "old" }],
      });
      expect(await upgraded.migrate()).toEqual({ applied: [2] });
      expect(await upgraded.get(T, "User", "u-old")).toMatchObject({ data: { userName: "old" } });
      expect(
        await upgraded.softDelete!(T, "User", "u-old", { purgeAfter: "2030-01-01T00:00:00.000Z" }),
      ).toBe(true);
      expect(await upgraded.purgeDeleted!("2030-01-01T00:00:00.000Z")).toEqual([
        { tenant: T, resourceType: "User", id: "u-old", purgeAfter: "2030-01-01T00:00:00.000Z" },
      ]);
    } finally {
      await driver.dropSchema(old);
    }
  });

  it("upgrades a version-2 schema: members keep their order, new ones follow, the feed starts at 1", async () => {
    const old = uniqueSchema("scimkit_upgrade3");
    try {
      // The schema a release before the change feed left behind, with a group whose
      // members' insertion order differs from their id order.
      const quoted = `"${old}"`;
      await sql(`CREATE SCHEMA ${quoted}`);
      await sql(
        `CREATE TABLE ${quoted}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      for (const migration of MIGRATIONS.slice(0, 2)) {
        for (const statement of migration.statements(quoted)) await sql(statement);
        await sql(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
      }
      for (const id of ["m-3", "m-1", "m-2", "m-9"]) {
        await sql(
          `INSERT INTO ${quoted}.resources (tenant, resource_type, id, version, created, last_modified, data)
           VALUES ($1, 'User', $2, 1, $3, $3, $4)`,
          [T, id, created(1), { userName: id }],
        );
      }
      await sql(
        `INSERT INTO ${quoted}.resources (tenant, resource_type, id, version, created, last_modified, data)
         VALUES ($1, 'Group', 'g-old', 1, $2, $2, '{"displayName":"Old"}')`,
        [T, created(1)],
      );
      // m-gone is a row an old delete racing an add left: migration 6 drops it.
      for (const member of ["m-3", "m-gone", "m-1", "m-2"]) {
        await sql(
          `INSERT INTO ${quoted}.memberships (tenant, group_type, group_id, member_id, member_type)
           VALUES ($1, 'Group', 'g-old', $2, 'User')`,
          [T, member],
        );
      }
      const upgraded = postgresStore({ client: driver.client, schema: old });
      expect(await upgraded.migrate()).toEqual({ applied: [3, 4, 5, 6] });
      const members = async () =>
        (await upgraded.get(T, "Group", "g-old", { includeMembers: true }))?.members?.map(
          (member) => member.value,
        );
      expect(await members()).toEqual(["m-3", "m-1", "m-2"]);
      await upgraded.update(T, {
        resourceType: "Group",
        id: "g-old",
        lastModified: created(2),
        members: { add: [{ value: "m-9", type: "User" }], remove: [] },
        changes: [{ type: "group.membersChanged", data: {}, membership: true }],
      });
      expect(await members()).toEqual(["m-3", "m-1", "m-2", "m-9"]);
      expect(await upgraded.feed!.read(T, { after: 0, limit: 10 })).toEqual([
        expect.objectContaining({ position: 1, data: { added: ["m-9"], removed: [] } }),
      ]);
    } finally {
      await driver.dropSchema(old);
    }
  });

  it("refreshes the planner's statistics as a directory grows (PGlite runs no autovacuum)", async () => {
    const growing = uniqueSchema("scimkit_statistics");
    try {
      const fresh = postgresStore({ client: driver.client, schema: growing });
      await fresh.migrate();
      const estimate = async () =>
        Number(
          (
            await sql(
              `SELECT reltuples FROM pg_class WHERE oid = '"${growing}".resources'::regclass`,
            )
          ).rows[0]?.reltuples,
        );
      // migrate() analysed the empty tables; nothing else has since.
      expect(await estimate()).toBeLessThanOrEqual(0);
      for (let n = 0; n < 600; n += 1) {
        await fresh.create(T, {
          resourceType: "User",
          id: `grow-${n}`,
          created: created(1),
          data: { userName: `grow${n}` },
          uniqueKeys: [{ attribute: "userName", value: `grow${n}` }],
        });
      }
      for (let attempt = 0; attempt < 100 && (await estimate()) < 500; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await estimate()).toBeGreaterThanOrEqual(500);
    } finally {
      await driver.dropSchema(growing);
    }
  });

  it("persists a create exactly, scoped by tenant", async () => {
    const record = await user("u-create", "Create.Me", 1, { emails: [{ value: "a@b.c" }] });
    expect(record).toMatchObject({ version: 1, created: created(1), lastModified: created(1) });
    const { rows } = await sql(
      `SELECT tenant, resource_type, version, data FROM "${schema}".resources WHERE id = $1`,
      ["u-create"],
    );
    expect(rows).toEqual([
      {
        tenant: T,
        resource_type: "User",
        version: 1,
        data: { userName: "Create.Me", emails: [{ value: "a@b.c" }] },
      },
    ]);
    expect(await store.get(T, "User", "u-create")).toEqual(record);
    expect(await store.get("tenant-b", "User", "u-create")).toBeUndefined();
    expect(await store.get(T, "Group", "u-create")).toBeUndefined();
  });

  it("rejects a taken unique key with 409 uniqueness, per tenant and type", async () => {
    await user("u-unique", "Taken", 2);
    const error = await rejection(user("u-unique-2", "TAKEN", 3));
    expect(error).toMatchObject({ status: 409, scimType: "uniqueness" });
    expect(await store.get(T, "User", "u-unique-2")).toBeUndefined();
    await store.create("tenant-b", {
      resourceType: "User",
      id: "u-unique-b",
      created: created(3),
      data: { userName: "taken" },
      uniqueKeys: [{ attribute: "userName", value: "taken" }],
    });
  });

  it("lets exactly one of many concurrent duplicate creates win", async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) => user(`u-race-${index}`, "race", 4)),
    );
    expect(attempts.filter((attempt) => attempt.status === "fulfilled")).toHaveLength(1);
    for (const attempt of attempts) {
      if (attempt.status === "rejected") {
        expect(attempt.reason).toMatchObject({ status: 409, scimType: "uniqueness" });
      }
    }
    const { rows } = await sql(
      `SELECT count(*)::int AS n FROM "${schema}".resources WHERE tenant = $1 AND data ->> 'userName' = 'race'`,
      [T],
    );
    expect(rows[0]?.n).toBe(1);
  });

  it("guards updates: 404 when absent, 412 on a stale version, 409 on a taken key", async () => {
    await user("u-guard", "guard", 5);
    await user("u-guard-other", "guard-other", 5);
    expect(
      await rejection(
        store.update(T, { resourceType: "User", id: "nope", lastModified: created(6), data: {} }),
      ),
    ).toMatchObject({ status: 404 });
    expect(
      await rejection(
        store.update(T, {
          resourceType: "User",
          id: "u-guard",
          expectedVersion: 7,
          lastModified: created(6),
          data: { userName: "guard" },
          uniqueKeys: [{ attribute: "userName", value: "guard" }],
        }),
      ),
    ).toMatchObject({ status: 412, code: "version_conflict" });
    expect(
      await rejection(
        store.update(T, {
          resourceType: "User",
          id: "u-guard",
          lastModified: created(6),
          data: { userName: "GUARD-OTHER" },
          uniqueKeys: [{ attribute: "userName", value: "guard-other" }],
        }),
      ),
    ).toMatchObject({ status: 409, scimType: "uniqueness" });
    // Nothing of the failed writes is persisted.
    expect(await store.get(T, "User", "u-guard")).toMatchObject({
      version: 1,
      data: { userName: "guard" },
    });
    const updated = await store.update(T, {
      resourceType: "User",
      id: "u-guard",
      expectedVersion: 1,
      lastModified: created(7),
      data: { userName: "guard-renamed" },
      uniqueKeys: [{ attribute: "userName", value: "guard-renamed" }],
    });
    expect(updated).toMatchObject({ version: 2, lastModified: created(7), created: created(5) });
    // The old key is free again.
    await user("u-guard-3", "guard", 8);
  });

  it("applies membership deltas as set operations and reports the rows really changed", async () => {
    await user("m1", "member1", 9);
    await user("m2", "member2", 9);
    await user("m3", "member3", 9);
    await store.create(T, {
      resourceType: "Group",
      id: "g-delta",
      created: created(9),
      data: { displayName: "Delta" },
      uniqueKeys: [],
      members: [{ value: "m1", type: "User", display: "Member One" }],
    });
    const same = await store.update(T, {
      resourceType: "Group",
      id: "g-delta",
      lastModified: created(10),
      members: { add: [{ value: "m1", type: "User" }], remove: ["m3"] },
    });
    expect(same).toMatchObject({ version: 1, membership: { added: [], removed: [] } });
    const changed = await store.update(T, {
      resourceType: "Group",
      id: "g-delta",
      lastModified: created(11),
      members: { add: [{ value: "m2", type: "User" }], remove: ["m1"] },
    });
    expect(changed).toMatchObject({
      version: 2,
      lastModified: created(11),
      membership: { added: ["m2"], removed: ["m1"] },
    });
    const replaced = await store.update(T, {
      resourceType: "Group",
      id: "g-delta",
      lastModified: created(12),
      members: {
        replaceAll: true,
        add: [
          { value: "m2", type: "User" },
          { value: "m3", type: "User" },
        ],
        remove: [],
      },
    });
    expect(replaced.membership).toEqual({ added: ["m3"], removed: [] });
    expect(replaced.members).toBeUndefined();
    const group = await store.get(T, "Group", "g-delta", { includeMembers: true });
    expect(group?.members).toEqual([
      { value: "m2", type: "User" },
      { value: "m3", type: "User" },
    ]);
    expect(await store.memberOf(T, "m3", NAMES)).toEqual([
      { resourceType: "Group", id: "g-delta", display: "Delta" },
    ]);
    expect(await store.resourceTypesOf(T, ["m1", "g-delta", "zz"])).toEqual(
      new Map([
        ["m1", ["User"]],
        ["g-delta", ["Group"]],
      ]),
    );
  });

  it("never loses concurrent member PATCHes on one group", async () => {
    await store.create(T, {
      resourceType: "Group",
      id: "g-concurrent",
      created: created(13),
      data: { displayName: "Concurrent" },
      uniqueKeys: [],
    });
    const ids = Array.from({ length: 20 }, (_, index) => `cm-${index}`);
    for (const id of ids) await user(id, id, 13);
    await Promise.all(
      ids.map((id) =>
        store.update(T, {
          resourceType: "Group",
          id: "g-concurrent",
          lastModified: created(14),
          members: { add: [{ value: id, type: "User" }], remove: [] },
        }),
      ),
    );
    const { rows } = await sql(
      `SELECT member_id FROM "${schema}".memberships WHERE tenant = $1 AND group_id = $2`,
      [T, "g-concurrent"],
    );
    expect(rows.map((row) => row.member_id).sort()).toEqual([...ids].sort());
    expect((await store.get(T, "Group", "g-concurrent"))?.version).toBe(21);
  });

  it("deletes a record with its unique keys and every membership row it is in", async () => {
    await user("d-user", "delete-me", 15);
    await store.create(T, {
      resourceType: "Group",
      id: "d-group",
      created: created(15),
      data: { displayName: "D" },
      uniqueKeys: [],
      members: [{ value: "d-user", type: "User" }],
    });
    await store.create(T, {
      resourceType: "Group",
      id: "d-parent",
      created: created(15),
      data: { displayName: "P" },
      uniqueKeys: [],
      members: [{ value: "d-group", type: "Group" }],
    });
    expect(await store.delete(T, "Group", "d-group")).toBe(true);
    expect(await store.delete(T, "Group", "d-group")).toBe(false);
    const { rows } = await sql(
      `SELECT count(*)::int AS n FROM "${schema}".memberships WHERE tenant = $1 AND (group_id = 'd-group' OR member_id = 'd-group')`,
      [T],
    );
    expect(rows[0]?.n).toBe(0);
    expect(await store.memberOf(T, "d-user")).toEqual([]);
    expect((await store.get(T, "Group", "d-parent"))?.version).toBe(1);
    expect(await store.delete(T, "User", "d-user")).toBe(true);
    await user("d-user-2", "delete-me", 16);
  });

  it("answers input PostgreSQL cannot store (U+0000) with 400 or absence, never a 500", async () => {
    expect(
      await rejection(
        store.create(T, {
          resourceType: "User",
          id: "u-nul",
          created: created(1),
          data: { userName: "nul", title: "a\u0000b" },
          uniqueKeys: [{ attribute: "userName", value: "nul" }],
        }),
      ),
    ).toMatchObject({ status: 400, scimType: "invalidValue" });
    expect(await store.get(T, "User", "u\u0000")).toBeUndefined();
    expect(await store.delete(T, "User", "u\u0000")).toBe(false);
    expect(await store.resourceTypesOf(T, ["u\u0000"])).toEqual(new Map());
    expect(
      await rejection(
        store.update(T, { resourceType: "User", id: "u\u0000", lastModified: created(2) }),
      ),
    ).toMatchObject({ status: 404 });
    expect(store.capabilities?.filter?.(bound('userName eq "a\u0000"'), USERS)).toBe(false);
  });

  it("never reads the memberships table when members are not asked for", async () => {
    const texts: string[] = [];
    const spy: Queryable & { transaction: unknown } = {
      query: (text, values) => {
        texts.push(text);
        return driver.client.query(text, values);
      },
      transaction: () => Promise.reject(new Error("read only")),
    };
    const reader = postgresStore({ client: spy as never, schema });
    await reader.get(T, "Group", "g-delta");
    await reader.query(T, {
      resourceType: "Group",
      page: { kind: "index", startIndex: 1, count: 10 },
      membersAttribute: "members",
    });
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.some((text) => text.includes("memberships"))).toBe(false);
    await reader.get(T, "Group", "g-delta", { includeMembers: true });
    expect(texts.some((text) => text.includes("memberships"))).toBe(true);
  });

  describe("queries", () => {
    const tenant = "tenant-query";
    const users = Array.from({ length: 23 }, (_, index) => ({
      id: `q-${String(index).padStart(2, "0")}`,
      data: {
        userName: `User${(index * 7) % 23}`,
        ...(index % 3 === 0 ? {} : { title: index % 2 === 0 ? "Engineer" : "manager" }),
        ...(index % 4 === 0
          ? {}
          : { emails: [{ value: `u${index}@x.com`, primary: index % 2 === 0 }] }),
        active: index % 5 !== 0,
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
          employeeNumber: String(index),
        },
      },
    }));
    let records: StoredRecord[] = [];
    const groupsOf = new Map<string, GroupRef[]>();

    beforeAll(async () => {
      for (const [index, entry] of users.entries()) {
        await store.create(tenant, {
          resourceType: "User",
          id: entry.id,
          created: created(index),
          data: entry.data,
          uniqueKeys: [{ attribute: "userName", value: entry.data.userName.toLowerCase() }],
        });
      }
      await store.create(tenant, {
        resourceType: "Group",
        id: "q-group",
        created: created(30),
        data: { displayName: "Query Group" },
        uniqueKeys: [],
        members: users.slice(0, 5).map((entry) => ({ value: entry.id, type: "User" })),
      });
      const all = await store.query(tenant, { resourceType: "User", page: { kind: "all" } });
      records = [...all.records];
      for (const record of records)
        groupsOf.set(record.id, [...(await store.memberOf(tenant, record.id, NAMES))]);
    });

    const inMemory = (query: StoreQuery) =>
      unwrap(
        queryInMemory(records, query, { memberOf: (record) => groupsOf.get(record.id) ?? [] }),
      );

    it.each([
      'userName eq "user7"',
      'userName sw "USER1"',
      'title eq "engineer"',
      'title ne "Engineer"',
      "not (title pr)",
      "emails pr",
      "emails[primary eq true]",
      'emails.value ew "@X.COM" and active eq false',
      'meta.created gt "2024-01-01T00:10:00Z"',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "12"',
      'groups.value eq "q-group" or userName eq "User1"',
      'groups[display eq "query group"]',
      'not (groups.value eq "q-group")',
      "title eq null",
    ])("answers %s as core's in-memory evaluator does", async (filter) => {
      const query: StoreQuery = {
        resourceType: "User",
        filter: bound(filter),
        page: { kind: "all" },
        memberOfAttribute: "groups",
        ...NAMES,
      };
      expect(store.capabilities?.filter?.(query.filter!, query)).toBe(true);
      const result = await store.query(tenant, query);
      const expected = inMemory(query);
      expect(result.records.map((record) => record.id).sort()).toEqual(
        expected.records.map((record) => record.id).sort(),
      );
      expect(result.totalResults).toBe(expected.totalResults);
    });

    it("pages by index with totalResults over all pages", async () => {
      const page = (startIndex: number, count: number) =>
        store.query(tenant, { resourceType: "User", page: { kind: "index", startIndex, count } });
      const first = await page(1, 10);
      const third = await page(21, 10);
      const empty = await page(1, 0);
      expect([first.records.length, third.records.length, empty.records.length]).toEqual([
        10, 3, 0,
      ]);
      expect([first.totalResults, third.totalResults, empty.totalResults]).toEqual([23, 23, 23]);
      const ids = [...first.records, ...(await page(11, 10)).records, ...third.records].map(
        (record) => record.id,
      );
      expect(new Set(ids).size).toBe(23);
    });

    it.each([
      ["title", "ascending"],
      ["title", "descending"],
      ["userName", "descending"],
      ["emails", "ascending"],
      ["meta.created", "descending"],
      ["active", "ascending"],
    ] as const)("walks cursor pages sorted by %s %s in core's order", async (path, order) => {
      const sort = { path: sortPath(path), order };
      const walked: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const result = await store.query(tenant, {
          resourceType: "User",
          sort,
          page: { kind: "cursor", count: 4, ...(cursor === undefined ? {} : { cursor }) },
        });
        expect(result.totalResults).toBe(23);
        walked.push(...result.records.map((record) => record.id));
        cursor = result.nextCursor;
        pages += 1;
      } while (cursor !== undefined && pages < 20);
      expect(pages).toBe(6);
      const expected = inMemory({ resourceType: "User", sort, page: { kind: "all" } });
      expect(walked).toEqual(expected.records.map((record) => record.id));
      const indexed = await store.query(tenant, {
        resourceType: "User",
        sort,
        page: { kind: "index", startIndex: 1, count: 100 },
      });
      expect(indexed.records.map((record) => record.id)).toEqual(walked);
    });

    it("rejects foreign, tampered and other-sort cursors with 400 invalidCursor", async () => {
      const first = await store.query(tenant, {
        resourceType: "User",
        sort: { path: sortPath("userName"), order: "ascending" },
        page: { kind: "cursor", count: 2 },
      });
      const tampered = Buffer.from(
        JSON.stringify([
          1,
          "urn:ietf:params:scim:schemas:core:2.0:User:meta.created ascending",
          "x'; --",
          "q",
        ]),
      ).toString("base64url");
      for (const [cursor, path] of [
        ["not a cursor!", "userName"],
        [first.nextCursor!, "title"],
        [tampered, "meta.created"],
        [Buffer.from('[1,"id",null,"a"]').toString("base64url").slice(0, -2), "userName"],
      ] as const) {
        const error = await rejection(
          store.query(tenant, {
            resourceType: "User",
            sort: { path: sortPath(path), order: "ascending" },
            page: { kind: "cursor", cursor, count: 2 },
          }),
        );
        expect(error).toMatchObject({ status: 400, scimType: "invalidCursor" });
      }
    });
  });
});
