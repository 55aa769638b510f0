/**
 * The Postgres store at directory scale, on a real PostgreSQL server:
 * 100 000 users and 1 000 groups, one with 100 000 members. Prints
 * - `userName eq` lookups per second through core's repository, Postgres vs the
 *   memory store (the lookup IdPs make before every create);
 * - the latency of adding one member to the 100 000-member group vs a 10-member
 *   group (one row either way, so the ratio should stay near 1).
 *
 * Run: `npm run bench:postgres -w @scimkit/benchmarks`. Reads DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/test); works in its own schema and
 * drops it afterwards.
 */

import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  bindFilter,
  createRepository,
  createSchemaRegistry,
  parseFilter,
  type Repository,
  type ScimStore,
  USER_SCHEMA,
  unwrap,
} from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import { postgresStore } from "@scimkit/store-postgres";
import pg from "pg";

const USERS = 100_000;
const GROUPS = 1_000;
const LOOKUP_SECONDS = 5;
const CONCURRENCY = 8;
const MEMBER_ADDS = 300;
const TENANT = "bench";
const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `scimkit_bench_${randomBytes(4).toString("hex")}`;

const registry = createSchemaRegistry();
const userSchema = registry.resourceSchema("User");
const userName = (n: number) => `user${n}@example.com`;
const userId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

const seconds = (start: number) => ((performance.now() - start) / 1000).toFixed(2);

/** Bulk-loads the data set with set-based INSERT ... SELECT, not one create per row. */
async function loadPostgres(pool: pg.Pool) {
  const resources = `"${schema}".resources`;
  await pool.query(
    `INSERT INTO ${resources} (tenant, resource_type, id, version, created, last_modified, data)
     SELECT $1, 'User', '00000000-0000-4000-8000-' || lpad(n::text, 12, '0'), 1, $2, $2,
       jsonb_build_object(
         'schemas', jsonb_build_array($3::text),
         'userName', 'user' || n || '@example.com',
         'externalId', 'ext-' || n,
         'displayName', 'User ' || n,
         'name', jsonb_build_object('givenName', 'Given' || n, 'familyName', 'Family' || n),
         'emails', jsonb_build_array(jsonb_build_object('value', 'user' || n || '@example.com', 'type', 'work', 'primary', true)),
         'active', true)
     FROM generate_series(1, $4::int) AS n`,
    [TENANT, new Date().toISOString(), USER_SCHEMA, USERS],
  );
  await pool.query(
    `INSERT INTO "${schema}".unique_keys (tenant, resource_type, attribute, value, id)
     SELECT tenant, resource_type, 'userName', lower(data ->> 'userName'), id FROM ${resources}
     WHERE tenant = $1 AND resource_type = 'User'`,
    [TENANT],
  );
  await pool.query(
    `INSERT INTO ${resources} (tenant, resource_type, id, version, created, last_modified, data)
     SELECT $1, 'Group', 'group-' || n, 1, $2, $2, jsonb_build_object('displayName', 'Group ' || n)
     FROM generate_series(1, $3::int) AS n`,
    [TENANT, new Date().toISOString(), GROUPS],
  );
  // group-1: every user; group-2: 10 users; the others: 10 users each.
  await pool.query(
    `INSERT INTO "${schema}".memberships (tenant, group_type, group_id, member_id, member_type)
     SELECT $1, 'Group', 'group-1', '00000000-0000-4000-8000-' || lpad(n::text, 12, '0'), 'User'
     FROM generate_series(1, $2::int) AS n`,
    [TENANT, USERS],
  );
  await pool.query(
    `INSERT INTO "${schema}".memberships (tenant, group_type, group_id, member_id, member_type)
     SELECT $1, 'Group', 'group-' || g, '00000000-0000-4000-8000-' || lpad((g * 10 + m)::text, 12, '0'), 'User'
     FROM generate_series(2, $2::int) AS g, generate_series(1, 10) AS m`,
    [TENANT, GROUPS],
  );
  await pool.query(`ANALYZE "${schema}".resources`);
  await pool.query(`ANALYZE "${schema}".memberships`);
}

async function loadMemory(store: ScimStore) {
  const created = new Date().toISOString();
  for (let n = 1; n <= USERS; n += 1) {
    await store.create(TENANT, {
      resourceType: "User",
      id: userId(n),
      created,
      data: {
        schemas: [USER_SCHEMA],
        userName: userName(n),
        externalId: `ext-${n}`,
        displayName: `User ${n}`,
        name: { givenName: `Given${n}`, familyName: `Family${n}` },
        emails: [{ value: userName(n), type: "work", primary: true }],
        active: true,
      },
      uniqueKeys: [{ attribute: "userName", value: userName(n) }],
    });
  }
}

/** `userName eq` lookups per second, `CONCURRENCY` callers for `LOOKUP_SECONDS`. */
async function lookupsPerSecond(repository: Repository): Promise<number> {
  const deadline = performance.now() + LOOKUP_SECONDS * 1000;
  let done = 0;
  const caller = async () => {
    while (performance.now() < deadline) {
      const n = 1 + Math.floor(Math.random() * USERS);
      const text = `userName eq "${userName(n).toUpperCase()}"`;
      const filter = unwrap(bindFilter(unwrap(parseFilter(text)), userSchema));
      const result = await repository.query(TENANT, {
        resourceType: "User",
        filter,
        page: { kind: "index", startIndex: 1, count: 100 },
      });
      if (result.totalResults !== 1)
        throw new Error(`lookup of user ${n} found ${result.totalResults}`);
      done += 1;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, caller));
  return done / ((performance.now() - start) / 1000);
}

/** Median and p95 latency (ms) of adding one new member to each group, interleaved. */
async function memberAdds(repository: Repository, groups: readonly string[]) {
  const timings = new Map(groups.map((group) => [group, [] as number[]]));
  for (let index = 0; index < MEMBER_ADDS; index += 1) {
    for (const group of groups) {
      const start = performance.now();
      await repository.update(TENANT, {
        resourceType: "Group",
        id: group,
        members: { add: [{ value: `added-${group}-${index}`, type: "User" }], remove: [] },
      });
      timings.get(group)!.push(performance.now() - start);
    }
  }
  return groups.map((group) => {
    const sorted = [...timings.get(group)!].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return { group, median: at(0.5), p95: at(0.95) };
  });
}

const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY * 2 });
try {
  const store = postgresStore({ client: pool, schema });
  await store.migrate();
  let start = performance.now();
  await loadPostgres(pool);
  console.log(
    `postgres: loaded ${USERS} users, ${GROUPS} groups (${USERS} + ${(GROUPS - 1) * 10} memberships) in ${seconds(start)} s`,
  );
  const memory = memoryStore();
  start = performance.now();
  await loadMemory(memory);
  console.log(`memory:   loaded ${USERS} users in ${seconds(start)} s`);

  const postgresRepository = createRepository({ store, registry });
  const memoryRepository = createRepository({ store: memory, registry });
  const postgresRate = await lookupsPerSecond(postgresRepository);
  const memoryRate = await lookupsPerSecond(memoryRepository);
  console.log(
    `userName eq lookups/s (${CONCURRENCY} concurrent callers, ${LOOKUP_SECONDS} s, through the repository): postgres ${postgresRate.toFixed(0)}, memory ${memoryRate.toFixed(0)}`,
  );

  const [big, small] = await memberAdds(postgresRepository, ["group-1", "group-2"]);
  console.log(
    `add one member (postgres, ${MEMBER_ADDS} each): 100 000-member group median ${big!.median.toFixed(2)} ms p95 ${big!.p95.toFixed(2)} ms; 10-member group median ${small!.median.toFixed(2)} ms p95 ${small!.p95.toFixed(2)} ms; ratio ${(big!.median / small!.median).toFixed(2)}x`,
  );
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
}
