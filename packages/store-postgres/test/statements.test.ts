import type { StoreQuery } from "@scimkit/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresStore, postgresStore, type Queryable } from "../src";
import { MAX_NAMED_STATEMENTS, statementName } from "../src/client";
import { DATABASE_URL, type Driver, driverFactories, uniqueSchema } from "./drivers";
import { bound } from "./helpers";

const T = "statements";
const USERS = 5;

/** Statements (not transactions) the store ran, in order. */
type Recorded = { text: string; values: unknown[] }[];

describe.each(driverFactories)("statements per list query on %s", (_name, open) => {
  let driver: Driver;
  let schema: string;
  let store: PostgresStore;
  const statements: Recorded = [];

  beforeAll(async () => {
    driver = await open();
    schema = uniqueSchema("scimkit_statements");
    const writer = postgresStore({ client: driver.client, schema });
    await writer.migrate();
    for (let n = 1; n <= USERS; n += 1) {
      await writer.create(T, {
        resourceType: "User",
        id: `u${n}`,
        created: "2024-01-01T00:00:00.000Z",
        data: { userName: `user${n}` },
        uniqueKeys: [{ attribute: "userName", value: `user${n}` }],
      });
    }
    const recorder: Queryable & { transaction: unknown } = {
      query: (text, values = []) => {
        statements.push({ text, values });
        return driver.client.query(text, values);
      },
      transaction: () => Promise.reject(new Error("read only")),
    };
    store = postgresStore({ client: recorder as never, schema });
  }, 60_000);

  afterAll(async () => {
    await driver?.dropSchema(schema);
    await driver?.close();
  });

  const run = async (page: StoreQuery["page"], filter?: string) => {
    statements.length = 0;
    const result = await store.query(T, {
      resourceType: "User",
      ...(filter === undefined ? {} : { filter: bound(filter) }),
      page,
    });
    const counted = statements.some((statement) => statement.text.startsWith("SELECT count(*)"));
    return { ...result, statements: statements.length, counted };
  };

  it("answers a lookup whose first page is not full with one statement", async () => {
    const found = await run({ kind: "index", startIndex: 1, count: 100 }, 'userName eq "USER3"');
    expect(found.records.map((record) => record.id)).toEqual(["u3"]);
    expect(found).toMatchObject({ totalResults: 1, statements: 1, counted: false });
    const none = await run({ kind: "index", startIndex: 1, count: 100 }, 'userName eq "nobody"');
    expect(none).toMatchObject({ totalResults: 0, statements: 1, counted: false });
  });

  it("counts when the first page is full, even when it holds every match", async () => {
    const exact = await run({ kind: "index", startIndex: 1, count: USERS });
    expect(exact).toMatchObject({ totalResults: USERS, counted: true });
    expect(exact.records).toHaveLength(USERS);
    const partial = await run({ kind: "index", startIndex: 1, count: 2 });
    expect(partial).toMatchObject({ totalResults: USERS, counted: true });
    expect(partial.records.map((record) => record.id)).toEqual(["u1", "u2"]);
  });

  it("counts every later page, including one past the end", async () => {
    const later = await run({ kind: "index", startIndex: 4, count: 100 });
    expect(later).toMatchObject({ totalResults: USERS, counted: true });
    expect(later.records.map((record) => record.id)).toEqual(["u4", "u5"]);
    const past = await run({ kind: "index", startIndex: 50, count: 10 });
    expect(past).toMatchObject({ totalResults: USERS, counted: true, records: [] });
    const empty = await run({ kind: "index", startIndex: 1, count: 0 });
    expect(empty).toMatchObject({ totalResults: USERS, records: [] });
  });

  it("counts a first cursor page only when another page follows", async () => {
    const whole = await run({ kind: "cursor", count: USERS });
    expect(whole).toMatchObject({ totalResults: USERS, counted: false });
    expect(whole.nextCursor).toBeUndefined();
    const first = await run({ kind: "cursor", count: USERS - 1 });
    expect(first).toMatchObject({ totalResults: USERS, counted: true });
    expect(first.records).toHaveLength(USERS - 1);
    const rest = await run({ kind: "cursor", count: USERS, cursor: first.nextCursor! });
    expect(rest).toMatchObject({ totalResults: USERS, counted: true });
    expect(rest.records.map((record) => record.id)).toEqual([`u${USERS}`]);
    expect(rest.nextCursor).toBeUndefined();
  });

  it("reads an unpaged query in one statement", async () => {
    const all = await run({ kind: "all" }, 'userName sw "user"');
    expect(all).toMatchObject({ totalResults: USERS, statements: 1, counted: false });
  });
});

describe.runIf(DATABASE_URL !== undefined)("named statements on a pg Pool", () => {
  let pool: pg.Pool;
  let schema: string;
  const sent: unknown[] = [];

  /** The pool, recording the first argument of every `query` call. */
  const recording = () =>
    new Proxy(pool, {
      get(target, property, receiver) {
        if (property !== "query") return Reflect.get(target, property, receiver);
        return (...args: unknown[]) => {
          sent.push(args[0]);
          return (target.query as (...rest: unknown[]) => unknown).apply(target, args);
        };
      },
    });

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    schema = uniqueSchema("scimkit_named");
    const store = postgresStore({ client: pool, schema });
    await store.migrate();
    await store.create(T, {
      resourceType: "User",
      id: "u1",
      created: "2024-01-01T00:00:00.000Z",
      data: { userName: "user1" },
      uniqueKeys: [{ attribute: "userName", value: "user1" }],
    });
  });

  afterAll(async () => {
    await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool?.end();
  });

  const lookup = (store: PostgresStore, userName: string) =>
    store.query(T, {
      resourceType: "User",
      filter: bound(`userName eq "${userName}"`),
      page: { kind: "index", startIndex: 1, count: 100 },
    });

  it("prepares a lookup once under one name, with its values bound per call", async () => {
    const store = postgresStore({ client: recording(), schema });
    sent.length = 0;
    expect((await lookup(store, "USER1")).totalResults).toBe(1);
    expect((await lookup(store, "user2")).totalResults).toBe(0);
    expect(sent).toHaveLength(2);
    const [first, second] = sent as { name: string; text: string; values: unknown[] }[];
    expect(first?.name).toMatch(/^scimkit_\d+$/);
    expect(second?.name).toBe(first?.name);
    expect(second?.text).toBe(first?.text);
    expect(second?.values).not.toEqual(first?.values);
  });

  it("sends plain text when preparedStatements is false", async () => {
    const store = postgresStore({ client: recording(), schema, preparedStatements: false });
    sent.length = 0;
    expect((await lookup(store, "user1")).totalResults).toBe(1);
    expect(sent).toHaveLength(1);
    expect(typeof sent[0]).toBe("string");
  });

  it("keeps writes working on named statements inside transactions", async () => {
    const store = postgresStore({ client: pool, schema });
    for (let round = 0; round < 3; round += 1) {
      const updated = await store.update(T, {
        resourceType: "User",
        id: "u1",
        lastModified: `2024-01-0${round + 2}T00:00:00.000Z`,
        data: { userName: "user1", displayName: `Round ${round}` },
        uniqueKeys: [{ attribute: "userName", value: "user1" }],
      });
      expect(updated.data.displayName).toBe(`Round ${round}`);
    }
  });
});

describe("statement names", () => {
  it("rejects a preparedStatements option that is not a boolean", () => {
    expect(() =>
      postgresStore({
        client: { query: async () => ({ rows: [] }), connect: async () => ({}) } as never,
        preparedStatements: "yes" as never,
      }),
    ).toThrow(TypeError);
  });

  it("names each text once, and stops naming at the bound so connections stay small", () => {
    const first = statementName("SELECT 'statement names test' AS a");
    expect(first).toMatch(/^scimkit_\d+$/);
    expect(statementName("SELECT 'statement names test' AS a")).toBe(first);
    const names = new Set<string | undefined>();
    for (let index = 0; index < MAX_NAMED_STATEMENTS + 10; index += 1) {
      names.add(statementName(`SELECT ${index} AS filler`));
    }
    expect(names.has(undefined)).toBe(true);
    expect(names.size).toBeLessThanOrEqual(MAX_NAMED_STATEMENTS + 1);
    expect(statementName("SELECT 'one text too many'")).toBeUndefined();
    expect(statementName("SELECT 'statement names test' AS a")).toBe(first);
  });
});
