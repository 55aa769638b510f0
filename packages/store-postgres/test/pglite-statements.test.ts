import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresStore } from "../src";
import {
  isPgliteLike,
  MAX_PREPARED_PER_INSTANCE,
  type PgliteLike,
  withPreparedStatements,
} from "../src/pglite-statements";

/** The message types (P = Parse, B = Bind) of every protocol call made on `lite`. */
function watched(lite: PGlite): { lite: PgliteLike; types: () => string[]; reset: () => void } {
  let types: string[] = [];
  const proxy = new Proxy(lite, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (property === "execProtocolStream") {
        return (message: Uint8Array, options: unknown) => {
          types.push(String.fromCharCode(message[0] as number));
          return (value as (m: Uint8Array, o: unknown) => unknown).call(object, message, options);
        };
      }
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
  return {
    lite: proxy as unknown as PgliteLike,
    types: () => types,
    reset: () => {
      types = [];
    },
  };
}

describe("prepared statements on PGlite", () => {
  let lite: PGlite;

  beforeAll(async () => {
    lite = await PGlite.create();
    await lite.exec(`CREATE TABLE t (id int PRIMARY KEY, body jsonb, tags text[], at timestamptz,
      flag boolean, note text)`);
  });
  afterAll(async () => {
    await lite.close();
  });

  it("recognises a PGlite instance, and nothing else", () => {
    expect(isPgliteLike(lite)).toBe(true);
    expect(isPgliteLike({ query: async () => ({ rows: [] }), transaction: async () => {} })).toBe(
      false,
    );
    expect(isPgliteLike(null)).toBe(false);
  });

  it("parses a text once, then runs it with one Bind/Execute/Sync exchange per call", async () => {
    const watch = watched(lite);
    const client = withPreparedStatements(watch.lite);
    const text = "SELECT $1::int + 1 AS n /* parsed once */";
    for (let n = 0; n < 5; n += 1) {
      expect((await client.query(text, [n])).rows).toEqual([{ n: n + 1 }]);
    }
    expect(watch.types()).toEqual(["P", "B", "B", "B", "B", "B"]);
  });

  it("encodes values and decodes rows exactly as PGlite's query does", async () => {
    const client = withPreparedStatements(lite);
    const values = [
      1,
      { name: "Zoë 😀", nested: [1, { deep: null }], quote: 'a"b\\c' },
      ["x", "y z", 'q"uote', ""],
      "2024-02-29T12:34:56.789Z",
      true,
      null,
    ];
    const insert = "INSERT INTO t (id, body, tags, at, flag, note) VALUES ($1, $2, $3, $4, $5, $6)";
    await client.query(insert, values);
    await lite.query(insert, [2, ...values.slice(1)]);
    const select =
      "SELECT id, body, tags, at, flag, note FROM t WHERE id = ANY ($1::int[]) ORDER BY id";
    const prepared = await client.query(select, [[1, 2]]);
    const plain = await lite.query(select, [[1, 2]]);
    expect(prepared.rows).toEqual(plain.rows);
    expect(prepared.rows[0]).toEqual({ ...(plain.rows[1] as object), id: 1 });
    expect((prepared.rows[0] as { body: unknown }).body).toEqual(values[1]);
  });

  it("reports errors with the server's code, and the session keeps working", async () => {
    const client = withPreparedStatements(lite);
    await client.query("INSERT INTO t (id) VALUES ($1)", [10]);
    await expect(client.query("INSERT INTO t (id) VALUES ($1)", [10])).rejects.toMatchObject({
      code: "23505",
    });
    await expect(client.query("SELEC nonsense", [])).rejects.toMatchObject({ code: "42601" });
    expect(
      (await client.query("SELECT count(*)::int AS c FROM t WHERE id = $1", [10])).rows,
    ).toEqual([{ c: 1 }]);
  });

  it("rolls a failed transaction back and commits a good one", async () => {
    const client = withPreparedStatements(lite);
    await expect(
      client.transaction(async (tx) => {
        await tx.query("INSERT INTO t (id) VALUES ($1)", [20]);
        await tx.query("INSERT INTO t (id) VALUES ($1)", [20]);
      }),
    ).rejects.toMatchObject({ code: "23505" });
    await client.transaction(async (tx) => {
      await tx.query("INSERT INTO t (id) VALUES ($1)", [21]);
    });
    const rows = await lite.query<{ id: number }>("SELECT id FROM t WHERE id IN (20, 21)");
    expect(rows.rows).toEqual([{ id: 21 }]);
  });

  it("never runs a statement inside another caller's open transaction", async () => {
    const client = withPreparedStatements(lite);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted!: () => void;
    const insertedOnce = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const open = lite.transaction(async (tx) => {
      await tx.query("INSERT INTO t (id) VALUES (30)");
      inserted();
      await held;
      await tx.rollback();
    });
    await insertedOnce;
    const read = client.query("SELECT count(*)::int AS c FROM t WHERE id = $1", [30]);
    const early = await Promise.race([read, new Promise((resolve) => setTimeout(resolve, 50))]);
    expect(early).toBeUndefined(); // still waiting for the transaction
    release();
    await open;
    expect((await read).rows).toEqual([{ c: 0 }]); // never saw the rolled-back row
  });

  it("prepares again after DEALLOCATE ALL", async () => {
    const client = withPreparedStatements(lite);
    const text = "SELECT $1::text AS v /* survives deallocate */";
    expect((await client.query(text, ["a"])).rows).toEqual([{ v: "a" }]);
    await lite.exec("DEALLOCATE ALL");
    expect((await client.query(text, ["b"])).rows).toEqual([{ v: "b" }]);
  });

  it("keeps two clients on one session from clashing, and runs texts beyond the cap unnamed", async () => {
    const first = withPreparedStatements(lite);
    const second = withPreparedStatements(watched(lite).lite);
    for (let n = 0; n < MAX_PREPARED_PER_INSTANCE + 20; n += 1) {
      const text = `SELECT $1::int * ${n} AS n`;
      expect((await first.query(text, [2])).rows).toEqual([{ n: 2 * n }]);
      expect((await second.query(text, [3])).rows).toEqual([{ n: 3 * n }]);
    }
    const named = await lite.query<{ c: number }>(
      "SELECT count(*)::int AS c FROM pg_prepared_statements WHERE name LIKE 'scimkit_lite_%'",
    );
    // Each client's state names at most the cap; both did prepare (no name was taken twice).
    expect(named.rows[0]?.c).toBeGreaterThan(MAX_PREPARED_PER_INSTANCE);
    expect(named.rows[0]?.c).toBeLessThanOrEqual(2 * MAX_PREPARED_PER_INSTANCE);
  });

  it("is what the store uses on PGlite, unless preparedStatements is false", async () => {
    const schema = "prepared_switch";
    const on = watched(lite);
    await postgresStore({ client: on.lite as never, schema }).migrate();
    expect(on.types().length).toBeGreaterThan(0);
    const off = watched(lite);
    const store = postgresStore({ client: off.lite as never, schema, preparedStatements: false });
    off.reset();
    await store.get("t", "User", "missing");
    // PGlite's own query calls the protocol on itself, out of the proxy's sight.
    expect(off.types()).toEqual([]);
  });
});
