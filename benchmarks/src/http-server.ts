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
import { scimRouter } from "@scimkit/express";
import { memoryStore } from "@scimkit/store-memory";
import { postgresStore } from "@scimkit/store-postgres";
import express from "express";
import { loadPostgres, loadStore } from "./http-dataset";

const kind = process.env.BENCH_STORE ?? "memory";
const dataset = process.env.BENCH_DATASET ?? "empty";
const token = process.env.BENCH_TOKEN ?? "";

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
const { store, close } = await openStore();
const loadSeconds = (performance.now() - start) / 1000;
const app = express();
app.disable("x-powered-by");
// BENCH_CHANGE_FEED=off measures the store without recording changes (on by default).
const service = process.env.BENCH_CHANGE_FEED === "off" ? { changeFeed: false } : {};
app.use("/scim/v2", scimRouter({ store, service, auth: { tokens: [{ token }] } }));
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  process.send?.({ port, loadSeconds });
});

process.on("message", (message) => {
  if (message !== "stop") return;
  server.close();
  server.closeAllConnections();
  // Requests the load generator abandoned at its deadline are still being handled:
  // let them finish before the store's client goes away.
  setTimeout(() => void close().then(() => process.exit(0)), 500);
});
