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
  unwrap,
} from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import { postgresStore } from "@scimkit/store-postgres";
import pg from "pg";
import { GROUPS, loadPostgres, loadStore, TENANT, USERS, userName } from "./http-dataset";

const LOOKUP_SECONDS = 5;
const CONCURRENCY = 8;
const MEMBER_ADDS = 300;
const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `scimkit_bench_${randomBytes(4).toString("hex")}`;

const registry = createSchemaRegistry();
const userSchema = registry.resourceSchema("User");

const seconds = (start: number) => ((performance.now() - start) / 1000).toFixed(2);

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
  await loadPostgres(pool, schema);
  console.log(
    `postgres: loaded ${USERS} users, ${GROUPS} groups (${USERS} + ${(GROUPS - 1) * 10} memberships) in ${seconds(start)} s`,
  );
  const memory = memoryStore();
  start = performance.now();
  await loadStore(memory);
  console.log(`memory:   loaded the same data set in ${seconds(start)} s`);

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
