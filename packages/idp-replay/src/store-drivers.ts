import { randomBytes } from "node:crypto";
import type { ScimStore } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import { type PostgresClient, postgresStore } from "@scimkit/store-postgres";

/** A fresh, empty store of one kind, and how to throw it away. */
export interface OpenedStore {
  readonly store: ScimStore;
  close(): Promise<void>;
}

/**
 * One kind of store the traces replay on. `open` returns an isolated empty store
 * each time (Postgres: a schema of its own); `dispose` releases the shared
 * database handle once the test file is done.
 */
export interface StoreDriver {
  readonly name: string;
  open(): Promise<OpenedStore>;
  dispose(): Promise<void>;
}

/** The reference in-memory store. */
export function memoryDriver(): StoreDriver {
  return {
    name: "memory",
    open: async () => ({ store: memoryStore(), close: async () => {} }),
    dispose: async () => {},
  };
}

/** A Postgres store on a client the driver opens lazily; each `open` gets its own schema. */
function postgresDriver(
  name: string,
  connect: () => Promise<{ client: PostgresClient; end(): Promise<void> }>,
): StoreDriver {
  let connection: Promise<{ client: PostgresClient; end(): Promise<void> }> | undefined;
  return {
    name,
    async open() {
      connection ??= connect();
      const { client } = await connection;
      const schema = `idp_replay_${randomBytes(5).toString("hex")}`;
      const store = postgresStore({ client, schema });
      await store.migrate();
      return {
        store,
        close: async () => {
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        },
      };
    },
    async dispose() {
      if (connection !== undefined) await (await connection).end();
      connection = undefined;
    },
  };
}

/** PostgreSQL compiled to WebAssembly, in process: no server needed. */
export function pgliteDriver(): StoreDriver {
  return postgresDriver("PGlite", async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const client = await PGlite.create();
    return { client, end: () => client.close() };
  });
}

/** A real PostgreSQL server at `url` (a `pg` Pool). */
export function postgresServerDriver(url: string): StoreDriver {
  return postgresDriver("PostgreSQL", async () => {
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    return { client: pool, end: () => pool.end() };
  });
}

/** Memory and PGlite always; PostgreSQL too when `DATABASE_URL` is set. */
export function storeDrivers(databaseUrl = process.env.DATABASE_URL): StoreDriver[] {
  return [
    memoryDriver(),
    pgliteDriver(),
    ...(databaseUrl === undefined || databaseUrl === "" ? [] : [postgresServerDriver(databaseUrl)]),
  ];
}
