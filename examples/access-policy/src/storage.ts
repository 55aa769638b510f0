import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ScimStore } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import { type PostgresClient, postgresStore } from "@scimkit/store-postgres";
import type { Directory } from "./directory/directory";
import { memoryDirectory } from "./directory/memory-directory";
import { sqlDirectory } from "./directory/sql-directory";

/** The stores this example runs on, chosen with `STORE`. */
export const STORES = ["pglite", "postgres", "memory"] as const;
export const DEFAULT_STORE = "pglite";

/** Where PGlite keeps its files: `DATA_DIR`, default `.data/` in this example. */
export const dataDirectory = (): string =>
  process.env.DATA_DIR || fileURLToPath(new URL("../.data/", import.meta.url));

/** The SCIM store and the app's directory (users, groups, memberships, sessions) beside it. */
export interface Storage {
  readonly store: ScimStore;
  readonly directory: Directory;
  /** Whether both outlive the process. */
  readonly durable: boolean;
  close(): Promise<void>;
}

const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,50}$/;

/**
 * Opens the store named by `kind`, and the app's directory in the same place:
 * - `pglite` (default): embedded PostgreSQL in `DATA_DIR`; the app's tables in
 *   the same database, schema `access_policy`.
 * - `postgres`: the server at `DATABASE_URL`, likewise. `DATABASE_SCHEMA`
 *   (default `scimkit`) names the store's schema; the app's is `<it>_access`
 *   when set, so several deployments (or test runs) can share one database.
 * - `memory`: both in this process, gone when it stops.
 */
export async function openStorage(kind: string): Promise<Storage> {
  if (kind === "memory") {
    return {
      store: memoryStore(),
      directory: memoryDirectory(),
      durable: false,
      close: async () => {},
    };
  }
  const schemaName = process.env.DATABASE_SCHEMA || undefined;
  if (schemaName !== undefined && !SCHEMA.test(schemaName)) {
    throw new Error("DATABASE_SCHEMA must be letters, digits and underscores (at most 50).");
  }
  let client: PostgresClient;
  let end: () => Promise<void>;
  if (kind === "pglite") {
    // Loaded only when chosen: PGlite brings a WebAssembly build of Postgres.
    const { PGlite } = await import("@electric-sql/pglite");
    const dataDir = dataDirectory();
    mkdirSync(dataDir, { recursive: true });
    const pglite = await PGlite.create({ dataDir });
    client = pglite;
    end = () => pglite.close();
  } else if (kind === "postgres") {
    const url = process.env.DATABASE_URL;
    if (url === undefined || url === "") {
      throw new Error("STORE=postgres needs DATABASE_URL (e.g. postgres://user@localhost/db).");
    }
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({ connectionString: url });
    client = pool;
    end = () => pool.end();
  } else {
    throw new Error(`Unknown STORE "${kind}"; use one of: ${STORES.join(", ")}.`);
  }
  try {
    const store = postgresStore({
      client,
      ...(schemaName === undefined ? {} : { schema: schemaName }),
    });
    if (store.feed === undefined) {
      throw new Error(
        `STORE=${kind}: the store has no change feed (store.feed), which this app needs ` +
          "to revoke sessions durably.",
      );
    }
    await store.migrate();
    const directory = sqlDirectory({
      client,
      schema: schemaName === undefined ? "access_policy" : `${schemaName}_access`,
    });
    await directory.migrate();
    return { store, directory, durable: true, close: end };
  } catch (error) {
    await end();
    throw error;
  }
}
