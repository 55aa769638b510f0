/**
 * The server side of the HTTP benchmark, run as a child process of
 * `http-bench.ts` so the load generator and the server do not share an event
 * loop. The quickstart's composition: Express + `scimRouter({ store, auth })`,
 * on 127.0.0.1 and an ephemeral port.
 *
 * Environment: BENCH_STORE (memory | pglite | postgres), BENCH_DATASET
 * (directory | empty), BENCH_TOKEN, BENCH_SCHEMA and DATABASE_URL (postgres),
 * BENCH_DATA_DIR (pglite), BENCH_CHANGE_FEED (off: no change feed),
 * BENCH_POOL_SIZE (postgres pool size). Reports `{ port, loadSeconds }` over IPC when it listens.
 */

import { performance } from "node:perf_hooks";
import type { ScimStore } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import { postgresStore } from "@scimkit/store-postgres";
import { serveBenchStore } from "./bench-server";
import { loadPostgres, loadStore } from "./http-dataset";

const kind = process.env.BENCH_STORE ?? "memory";
const dataset = process.env.BENCH_DATASET ?? "empty";

interface Opened {
  readonly store: ScimStore;
  readonly close: () => Promise<void>;
}

async function openStore(): Promise<Opened> {
  switch (kind) {
    case "memory": {
      const store = memoryStore();
      if (dataset === "directory") await loadStore(store);
      return { store, close: async () => {} };
    }
    case "pglite": {
      const { PGlite } = await import("@electric-sql/pglite");
      const client = await PGlite.create({ dataDir: process.env.BENCH_DATA_DIR });
      const store = postgresStore({ client });
      await store.migrate();
      if (dataset === "directory") await loadPostgres(client, store.schema);
      return { store, close: () => client.close() };
    }
    case "postgres": {
      const { default: pg } = await import("pg");
      // The quickstart's pool: pg's default of 10 connections (BENCH_POOL_SIZE to sweep).
      const pool = new pg.Pool({
        connectionString: process.env.DATABASE_URL,
        ...(process.env.BENCH_POOL_SIZE ? { max: Number(process.env.BENCH_POOL_SIZE) } : {}),
      });
      const store = postgresStore({ client: pool, schema: process.env.BENCH_SCHEMA });
      await store.migrate();
      if (dataset === "directory") await loadPostgres(pool, store.schema);
      return { store, close: () => pool.end() };
    }
    default:
      throw new Error(`Unknown BENCH_STORE "${kind}".`);
  }
}

const start = performance.now();
const opened = await openStore();
serveBenchStore(opened, (performance.now() - start) / 1000);
