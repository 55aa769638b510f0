/**
 * Starts a benchmark's server script in a child process (its own event loop, so
 * the load generator never shares one with it) and waits until it reports its
 * port over IPC. Each run works in a store of its own: a fresh PGlite data
 * directory or a fresh PostgreSQL schema, removed again by `stop()`. The child
 * side of that exchange is `serveBenchStore`, so both ends live here.
 */

import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScimStore } from "@scimkit/core";
import { scimRouter } from "@scimkit/express";
import express from "express";
import pg from "pg";

export interface BenchServer {
  readonly port: number;
  /** How long the server took to load its data set, as it reported. */
  readonly loadSeconds: number;
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  /** The bundled server script (`new URL("./x-server.mjs", import.meta.url)`). */
  readonly script: URL;
  /** BENCH_STORE: memory, pglite or postgres. */
  readonly store: string;
  readonly token: string;
  readonly databaseUrl: string;
  /** Prefix of the PostgreSQL schema and the PGlite directory. */
  readonly name: string;
  /** More environment for the script. */
  readonly env?: Record<string, string>;
}

export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const { store, databaseUrl } = options;
  const schema = `${options.name}_${randomBytes(4).toString("hex")}`;
  const dataDir = store === "pglite" ? mkdtempSync(join(tmpdir(), `${options.name}-`)) : undefined;
  // BENCH_CPU_PROFILE_DIR=dir writes the server's V8 CPU profile there when it stops.
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  const child: ChildProcess = fork(options.script, {
    execArgv: profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`],
    env: {
      ...process.env,
      ...options.env,
      BENCH_STORE: store,
      BENCH_TOKEN: options.token,
      BENCH_SCHEMA: schema,
      DATABASE_URL: databaseUrl,
      ...(dataDir === undefined ? {} : { BENCH_DATA_DIR: dataDir }),
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const cleanUp = async () => {
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    if (store !== "postgres") return;
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    try {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await pool.end();
    }
  };
  try {
    const ready = await new Promise<{ port: number; loadSeconds: number }>((resolve, reject) => {
      child.once("message", (message) => resolve(message as { port: number; loadSeconds: number }));
      child.once("exit", (code) => reject(new Error(`${store} server exited with ${code}`)));
    });
    return {
      port: ready.port,
      loadSeconds: ready.loadSeconds,
      async stop() {
        child.send("stop");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
        await cleanUp();
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    await cleanUp();
    throw error;
  }
}

/**
 * The child's side: serves `store` the quickstart's way (Express + `scimRouter`
 * with BENCH_TOKEN, the change feed on unless BENCH_CHANGE_FEED=off) on 127.0.0.1
 * and an ephemeral port, reports `{ port, loadSeconds }` to the parent, and on
 * "stop" closes, lets abandoned requests finish, closes the store and exits.
 */
export function serveBenchStore(
  opened: { readonly store: ScimStore; close(): Promise<void> },
  loadSeconds: number,
): void {
  const app = express();
  app.disable("x-powered-by");
  const service = process.env.BENCH_CHANGE_FEED === "off" ? { changeFeed: false } : {};
  const token = process.env.BENCH_TOKEN ?? "";
  app.use("/scim/v2", scimRouter({ store: opened.store, service, auth: { tokens: [{ token }] } }));
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
    setTimeout(() => void opened.close().then(() => process.exit(0)), 500);
  });
}
