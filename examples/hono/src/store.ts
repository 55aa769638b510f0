import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ScimStore } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import { postgresStore } from "@scimkit/store-postgres";

/**
 * `STORE=memory` (default here: nothing is kept) or `STORE=pglite`: embedded
 * PostgreSQL in `DATA_DIR` (default `.data/` in this example), migrated at start-up.
 */
export async function createStore(kind = process.env.STORE || "memory"): Promise<ScimStore> {
  if (kind === "memory") return memoryStore();
  if (kind !== "pglite") throw new Error(`Unknown STORE "${kind}"; use memory or pglite.`);
  const { PGlite } = await import("@electric-sql/pglite");
  const dataDir = process.env.DATA_DIR || fileURLToPath(new URL("../.data/", import.meta.url));
  mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create({ dataDir });
  const store = postgresStore({ client });
  await store.migrate();
  return { ...store, close: () => client.close() };
}
