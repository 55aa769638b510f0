import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ScimStore } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import { postgresStore } from "@scimkit/store-postgres";

/** The stores this example can run on, chosen with the `STORE` environment variable. */
export const STORES = ["pglite", "postgres", "memory"] as const;

/** The store used when `STORE` is unset: embedded Postgres persisted to `DATA_DIR`. */
export const DEFAULT_STORE = "pglite";

/** Where the embedded store keeps its files: `DATA_DIR`, default `.data/` in this example. */
export const dataDirectory = (): string =>
  process.env.DATA_DIR || fileURLToPath(new URL("../.data/", import.meta.url));

/**
 * Creates the store named by `STORE`:
 * - `pglite` (default): embedded PostgreSQL (PGlite) persisted to `DATA_DIR`
 *   (default `.data/` inside this example); nothing to install or run.
 * - `postgres`: a PostgreSQL server at `DATABASE_URL`.
 * - `memory`: data lives in this process and is gone when it stops.
 * Both Postgres stores migrate their tables at start-up. `close()` releases the
 * database client.
 */
export async function createStore(
  kind: string = process.env.STORE ?? DEFAULT_STORE,
): Promise<ScimStore> {
  switch (kind) {
    case "memory":
      return memoryStore();
    case "pglite": {
      // Loaded only when chosen: PGlite brings a WebAssembly build of Postgres.
      const { PGlite } = await import("@electric-sql/pglite");
      const dataDir = dataDirectory();
      mkdirSync(dataDir, { recursive: true });
      const client = await PGlite.create({ dataDir });
      const store = postgresStore({ client });
      await store.migrate();
      return { ...store, close: () => client.close() };
    }
    case "postgres": {
      const url = process.env.DATABASE_URL;
      if (url === undefined || url === "") {
        throw new Error("STORE=postgres needs DATABASE_URL (e.g. postgres://user@localhost/db).");
      }
      const { default: pg } = await import("pg");
      const pool = new pg.Pool({ connectionString: url });
      const store = postgresStore({ client: pool });
      await store.migrate();
      return { ...store, close: () => pool.end() };
    }
    default:
      throw new Error(`Unknown STORE "${kind}"; use one of: ${STORES.join(", ")}.`);
  }
}
