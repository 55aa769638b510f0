/**
 * The server side of the member-change benchmark (`member-change-bench.ts`), a
 * child process like `http-server.ts`: Express + `scimRouter({ store, auth })`
 * on 127.0.0.1 and an ephemeral port, with the change feed on unless
 * BENCH_CHANGE_FEED=off. The data set: `USERS` users, groups `g-10`, `g-20000`
 * and `g-100000` holding users 1..size, and spare users in no group for the
 * members the benchmark adds and removes.
 *
 * Environment: BENCH_STORE (pglite | postgres | memory), BENCH_TOKEN,
 * BENCH_SCHEMA and DATABASE_URL (postgres), BENCH_DATA_DIR (pglite).
 * Reports `{ port, loadSeconds }` over IPC when it listens.
 */

import { performance } from "node:perf_hooks";
import { GROUP_SCHEMA, type ScimStore, USER_SCHEMA } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import { postgresStore } from "@scimkit/store-postgres";
import { serveBenchStore } from "./bench-server";
import { TENANT, userId, userName } from "./http-dataset";
import { GROUP_SIZES, groupId, MEMBER_USERS, SPARE_MEMBERS } from "./member-change-dataset";

interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** Set-based load into the store's tables (already migrated). */
async function loadTables(client: Queryable, schema: string): Promise<void> {
  const now = new Date().toISOString();
  await client.query(
    `INSERT INTO "${schema}".resources (tenant, resource_type, id, version, created, last_modified, data)
     SELECT $1, 'User', '00000000-0000-4000-8000-' || lpad(n::text, 12, '0'), 1, $2, $2,
       jsonb_build_object('schemas', jsonb_build_array($3::text), 'userName', 'user' || n || '@example.com',
         'displayName', 'User ' || n, 'active', true)
     FROM generate_series(1, $4::int) AS n`,
    [TENANT, now, USER_SCHEMA, MEMBER_USERS + SPARE_MEMBERS],
  );
  await client.query(
    `INSERT INTO "${schema}".unique_keys (tenant, resource_type, attribute, value, id)
     SELECT tenant, resource_type, 'userName', lower(data ->> 'userName'), id FROM "${schema}".resources
     WHERE tenant = $1 AND resource_type = 'User'`,
    [TENANT],
  );
  for (const size of GROUP_SIZES) {
    await client.query(
      `INSERT INTO "${schema}".resources (tenant, resource_type, id, version, created, last_modified, data)
       VALUES ($1, 'Group', $2, 1, $3, $3, jsonb_build_object('schemas', jsonb_build_array($4::text), 'displayName', $2::text))`,
      [TENANT, groupId(size), now, GROUP_SCHEMA],
    );
    await client.query(
      `INSERT INTO "${schema}".memberships (tenant, group_type, group_id, member_id, member_type)
       SELECT $1, 'Group', $2, '00000000-0000-4000-8000-' || lpad(n::text, 12, '0'), 'User'
       FROM generate_series(1, $3::int) AS n`,
      [TENANT, groupId(size), size],
    );
  }
  // BENCH_ANALYZE=off leaves the planner without statistics, as for a directory an
  // IdP synced into PGlite (which runs no autovacuum).
  if (process.env.BENCH_ANALYZE === "off") return;
  for (const table of ["resources", "memberships", "unique_keys"]) {
    await client.query(`ANALYZE "${schema}".${table}`);
  }
}

async function loadStore(store: ScimStore): Promise<void> {
  const created = new Date().toISOString();
  for (let n = 1; n <= MEMBER_USERS + SPARE_MEMBERS; n += 1) {
    await store.create(TENANT, {
      resourceType: "User",
      id: userId(n),
      created,
      data: { schemas: [USER_SCHEMA], userName: userName(n), active: true },
      uniqueKeys: [{ attribute: "userName", value: userName(n) }],
    });
  }
  for (const size of GROUP_SIZES) {
    await store.create(TENANT, {
      resourceType: "Group",
      id: groupId(size),
      created,
      data: { schemas: [GROUP_SCHEMA], displayName: groupId(size) },
      uniqueKeys: [],
      members: Array.from({ length: size }, (_, index) => ({
        value: userId(index + 1),
        type: "User",
      })),
    });
  }
}

async function openStore(kind: string): Promise<{ store: ScimStore; close: () => Promise<void> }> {
  switch (kind) {
    case "memory": {
      const store = memoryStore();
      await loadStore(store);
      return { store, close: async () => {} };
    }
    case "pglite": {
      const { PGlite } = await import("@electric-sql/pglite");
      const client = await PGlite.create({ dataDir: process.env.BENCH_DATA_DIR });
      const store = postgresStore({ client });
      await store.migrate();
      await loadTables(client, store.schema);
      return { store, close: () => client.close() };
    }
    case "postgres": {
      const { default: pg } = await import("pg");
      const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
      const store = postgresStore({ client: pool, schema: process.env.BENCH_SCHEMA });
      await store.migrate();
      await loadTables(pool, store.schema);
      return { store, close: () => pool.end() };
    }
    default:
      throw new Error(`Unknown BENCH_STORE "${kind}".`);
  }
}

const start = performance.now();
const opened = await openStore(process.env.BENCH_STORE ?? "postgres");
serveBenchStore(opened, (performance.now() - start) / 1000);
