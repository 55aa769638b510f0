/**
 * scimkit over HTTP: the quickstart's composition (Express + `scimRouter`) in a
 * child process, driven by autocannon or by an Entra-like client from this one.
 *
 * 1. Directory scale (100 000 users, 1 000 groups, one with 100 000 members),
 *    memory store and PostgreSQL:
 *    - `GET /Users?filter=userName eq "<random existing>"` requests/s;
 *    - PATCH adding one member to the 100 000-member group vs 10-member groups
 *      (p50/p99 latency), with `excludedAttributes=members` and without.
 * 2. An Entra-style initial sync end to end (10 000 users, 100 groups) on the
 *    memory store, PGlite and PostgreSQL: total time and requests/s.
 *
 * Run: `npm run bench:http -w @scimkit/benchmarks` (see benchmarks/README.md).
 * Reads DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); each
 * PostgreSQL run gets its own schema, dropped afterwards. Environment knobs:
 * HTTP_BENCH_SECONDS (10), HTTP_BENCH_CONNECTIONS (10), HTTP_BENCH_SYNC_USERS
 * (10000), HTTP_BENCH_SYNC_ROUNDS (1: interleaved rounds, median ratios), HTTP_BENCH_CASES
 * (lookup,patch,sync), HTTP_BENCH_STORES (memory,pglite,postgres).
 */

import { randomBytes } from "node:crypto";
import http from "node:http";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { startBenchServer } from "./bench-server";
import { BIG_GROUP, GROUPS, USERS, userId, userName } from "./http-dataset";
import { median } from "./median";

const SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.HTTP_BENCH_CONNECTIONS ?? 10);
const SYNC_USERS = Number(process.env.HTTP_BENCH_SYNC_USERS ?? 10_000);
const SYNC_GROUPS = Math.max(1, Math.round(SYNC_USERS / 100));
/** Interleaved rounds of the sync case (each store once per round). */
const SYNC_ROUNDS = Number(process.env.HTTP_BENCH_SYNC_ROUNDS ?? 1);
const CASES = (process.env.HTTP_BENCH_CASES ?? "lookup,patch,sync").split(",");
const STORES = (process.env.HTTP_BENCH_STORES ?? "memory,pglite,postgres").split(",");
/** Member adds per PATCH case (each adds a different spare user, so none is a no-op). */
const PATCHES = 2_000;
const PATCHES_FULL_RESPONSE = 100;
/** The 10-member groups: every group but the big one. */
const SMALL_GROUPS = Array.from({ length: GROUPS - 1 }, (_, index) => `group-${index + 2}`);
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const TOKEN = randomBytes(24).toString("hex");
const SCIM_JSON = "application/scim+json";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

interface Server {
  readonly base: string;
  readonly path: string;
  readonly loadSeconds: number;
  stop(): Promise<void>;
}

type StoreKind = "memory" | "pglite" | "postgres";

/** Starts `http-server` in a child process and waits until it listens. */
async function startServer(store: StoreKind, dataset: "directory" | "empty"): Promise<Server> {
  const server = await startBenchServer({
    script: new URL("./http-server.mjs", import.meta.url),
    store,
    token: TOKEN,
    databaseUrl: DATABASE_URL,
    name: "scimkit_http_bench",
    env: { BENCH_DATASET: dataset },
  });
  return {
    base: `http://127.0.0.1:${server.port}`,
    path: "/scim/v2",
    loadSeconds: server.loadSeconds,
    stop: () => server.stop(),
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

/** One request with a JSON body; resolves with the status and the parsed body. */
function send(
  server: Server,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${server.base}${server.path}${path}`,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          accept: SCIM_JSON,
          ...(payload === undefined
            ? {}
            : { "content-type": SCIM_JSON, "content-length": Buffer.byteLength(payload) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: response.statusCode ?? 0,
            body: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>),
          });
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

function expectStatus(
  response: { status: number; body: unknown },
  status: number,
  what: string,
): void {
  if (response.status !== status) {
    throw new Error(
      `${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`,
    );
  }
}

const filterQuery = (filter: string) => `filter=${encodeURIComponent(filter)}`;

interface Run {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly total: number;
}

/** Runs autocannon (`amount` requests, or `SECONDS` when absent) and fails on any non-2xx. */
async function cannon(
  server: Server,
  request: { method: "GET" | "PATCH"; next: () => { path: string; body?: string } },
  amount?: number,
): Promise<Run> {
  const start = performance.now();
  const result = await autocannon({
    url: server.base,
    // A PATCH answering 100 000 members takes seconds on a loaded machine.
    timeout: 60,
    connections: CONNECTIONS,
    ...(amount === undefined ? { duration: SECONDS } : { amount }),
    headers: {
      authorization: `Bearer ${TOKEN}`,
      accept: SCIM_JSON,
      "content-type": SCIM_JSON,
    },
    requests: [
      {
        method: request.method,
        setupRequest: (raw) => {
          const { path, body } = request.next();
          return { ...raw, path: `${server.path}${path}`, ...(body === undefined ? {} : { body }) };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `autocannon: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return {
    // Over the whole run: autocannon's per-second figures are coarse for short runs.
    requestsPerSecond: result.requests.total / ((performance.now() - start) / 1000),
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
  };
}

const randomLookup = () => {
  const n = 1 + Math.floor(Math.random() * USERS);
  return { path: `/Users?${filterQuery(`userName eq "${userName(n)}"`)}` };
};

/**
 * Each call adds the next spare user (in no group) to the next of `groups`, so
 * no add is a no-op and the small groups stay at about 10 members.
 */
let nextSpare = USERS + 1;
const memberAdd = (groups: readonly string[], query: string) => {
  let turn = 0;
  return () => {
    const group = groups[turn % groups.length] as string;
    turn += 1;
    const member = userId(nextSpare);
    nextSpare += 1;
    return {
      path: `/Groups/${group}${query}`,
      body: JSON.stringify({
        schemas: [PATCH_OP],
        Operations: [{ op: "Add", path: "members", value: [{ value: member }] }],
      }),
    };
  };
};

interface DirectoryResult {
  readonly store: StoreKind;
  readonly loadSeconds: number;
  readonly lookup: Run | undefined;
  readonly patches: { label: string; big: Run; small: Run }[];
}

async function directoryCase(store: StoreKind): Promise<DirectoryResult> {
  const server = await startServer(store, "directory");
  try {
    // The lookup answers one match, by any case of the userName.
    const check = await send(
      server,
      "GET",
      `/Users?${filterQuery(`userName eq "${userName(4242).toUpperCase()}"`)}`,
    );
    expectStatus(check, 200, "lookup");
    if (check.body?.totalResults !== 1) throw new Error(`lookup found ${check.body?.totalResults}`);

    let lookup: Run | undefined;
    if (CASES.includes("lookup")) {
      await cannon(server, { method: "GET", next: randomLookup }, 2_000); // warm-up
      lookup = await cannon(server, { method: "GET", next: randomLookup });
    }
    if (!CASES.includes("patch"))
      return { store, loadSeconds: server.loadSeconds, lookup, patches: [] };

    nextSpare = USERS + 1;
    const lean = "?excludedAttributes=members";
    const big = [BIG_GROUP];
    const small = SMALL_GROUPS;
    await cannon(server, { method: "PATCH", next: memberAdd(small, lean) }, 200); // warm-up
    const patches = [];
    for (const [label, query, amount] of [
      ["excludedAttributes=members (200, no members)", lean, PATCHES],
      ["default (204, what Entra expects)", "", PATCHES],
      ["attributes=members (200 with every member)", "?attributes=members", PATCHES_FULL_RESPONSE],
    ] as const) {
      patches.push({
        label,
        big: await cannon(server, { method: "PATCH", next: memberAdd(big, query) }, amount),
        small: await cannon(server, { method: "PATCH", next: memberAdd(small, query) }, amount),
      });
    }

    const members = await send(server, "GET", `/Groups/${BIG_GROUP}?attributes=members`);
    const count = (members.body?.members as unknown[] | undefined)?.length;
    const expected = USERS + 2 * PATCHES + PATCHES_FULL_RESPONSE;
    if (count !== expected) throw new Error(`${BIG_GROUP} has ${count} members, not ${expected}`);
    return { store, loadSeconds: server.loadSeconds, lookup, patches };
  } finally {
    await server.stop();
  }
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

interface SyncResult {
  readonly store: StoreKind;
  readonly seconds: number;
  /** Time the users took (one lookup and one POST each); the rest went to groups. */
  readonly usersSeconds: number;
  readonly requests: number;
}

/**
 * Entra's initial cycle: per user a lookup by userName (empty list) then a POST;
 * per group a lookup by displayName without members, a POST without members,
 * then one PATCH per member, several in flight.
 */
async function syncCase(store: StoreKind): Promise<SyncResult> {
  const server = await startServer(store, "empty");
  let requests = 0;
  const call = async (method: string, path: string, body: unknown, status: number) => {
    requests += 1;
    const response = await send(server, method, path, body);
    expectStatus(response, status, `${method} ${path}`);
    return response.body;
  };
  try {
    const start = performance.now();
    const ids: string[] = new Array(SYNC_USERS);
    const users = Array.from({ length: SYNC_USERS }, (_, index) => index);
    await inParallel(users, CONNECTIONS, async (index) => {
      const name = `sync.user${index}@example.com`;
      const found = await call(
        "GET",
        `/Users?${filterQuery(`userName eq "${name}"`)}`,
        undefined,
        200,
      );
      if (found?.totalResults !== 0) throw new Error(`${name} already exists`);
      const created = await call(
        "POST",
        "/Users",
        {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
          externalId: `sync-${index}`,
          userName: name,
          active: true,
          displayName: `Sync User ${index}`,
          name: { givenName: "Sync", familyName: `User ${index}` },
          emails: [{ type: "work", value: name, primary: true }],
        },
        201,
      );
      ids[index] = created?.id as string;
    });
    const usersSeconds = (performance.now() - start) / 1000;
    const groups = Array.from({ length: SYNC_GROUPS }, (_, index) => index);
    const groupsInFlight = Math.max(1, Math.floor(CONNECTIONS / 4));
    await inParallel(groups, groupsInFlight, async (index) => {
      const displayName = `Sync Group ${index}`;
      const found = await call(
        "GET",
        `/Groups?excludedAttributes=members&${filterQuery(`displayName eq "${displayName}"`)}`,
        undefined,
        200,
      );
      if (found?.totalResults !== 0) throw new Error(`${displayName} already exists`);
      const created = await call(
        "POST",
        "/Groups",
        {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
          externalId: `sync-group-${index}`,
          displayName,
        },
        201,
      );
      const groupId = created?.id as string;
      const members = ids.filter((_, user) => user % SYNC_GROUPS === index);
      await inParallel(members, 4, async (member) => {
        await call(
          "PATCH",
          `/Groups/${groupId}`,
          {
            schemas: [PATCH_OP],
            Operations: [{ op: "Add", path: "members", value: [{ value: member }] }],
          },
          204,
        );
      });
    });
    const seconds = (performance.now() - start) / 1000;
    const listed = await send(server, "GET", "/Groups?count=1&excludedAttributes=members");
    if (listed.body?.totalResults !== SYNC_GROUPS) throw new Error("groups missing after sync");
    return { store, seconds, usersSeconds, requests };
  } finally {
    await server.stop();
  }
}

const ms = (value: number) => value.toFixed(2);

try {
  const directory: DirectoryResult[] = [];
  if (CASES.includes("lookup") || CASES.includes("patch")) {
    for (const store of ["postgres", "memory"] as const) {
      if (!STORES.includes(store)) continue;
      const result = await directoryCase(store);
      directory.push(result);
      console.log(`\n${store}: data set loaded in ${result.loadSeconds.toFixed(1)} s`);
      const lookup = result.lookup;
      if (lookup !== undefined) {
        console.log(
          `  GET /Users?filter=userName eq: ${lookup.requestsPerSecond.toFixed(0)} req/s, p50 ${ms(lookup.p50)} ms, p99 ${ms(lookup.p99)} ms (${lookup.total} requests, ${CONNECTIONS} connections, ${SECONDS} s)`,
        );
      }
      for (const { label, big, small } of result.patches) {
        console.log(
          `  PATCH add 1 member, ${label}: 100k-member group p50 ${ms(big.p50)} ms p99 ${ms(big.p99)} ms (${big.requestsPerSecond.toFixed(0)} req/s); 10-member group p50 ${ms(small.p50)} ms p99 ${ms(small.p99)} ms (${small.requestsPerSecond.toFixed(0)} req/s); p50 ratio ${(big.p50 / Math.max(small.p50, 0.01)).toFixed(2)}x`,
        );
      }
    }
    const postgres = directory.find((result) => result.store === "postgres");
    const memory = directory.find((result) => result.store === "memory");
    if (postgres?.lookup !== undefined && memory?.lookup !== undefined) {
      console.log(
        `\nuserName eq lookups over HTTP, postgres / memory: ${(postgres.lookup.requestsPerSecond / memory.lookup.requestsPerSecond).toFixed(2)} (target >= 0.5)`,
      );
    }
  }
  if (CASES.includes("sync")) {
    console.log(
      `\nEntra-style initial sync: ${SYNC_USERS} users, ${SYNC_GROUPS} groups (${SYNC_USERS} member PATCHes)`,
    );
    // Rounds interleave the stores, so a slow spell of the machine hits each alike;
    // the ratios are of each store's median round.
    const rates = new Map<StoreKind, number[]>();
    for (let round = 1; round <= SYNC_ROUNDS; round += 1) {
      if (SYNC_ROUNDS > 1) console.log(`  round ${round} of ${SYNC_ROUNDS}`);
      for (const store of ["memory", "pglite", "postgres"] as const) {
        if (!STORES.includes(store)) continue;
        const result = await syncCase(store);
        const rate = result.requests / result.seconds;
        rates.set(store, [...(rates.get(store) ?? []), rate]);
        console.log(
          `  ${store.padEnd(8)} ${result.seconds.toFixed(1)} s, ${result.requests} requests, ${rate.toFixed(0)} req/s (users ${result.usersSeconds.toFixed(1)} s, groups ${(result.seconds - result.usersSeconds).toFixed(1)} s)`,
        );
      }
    }
    const memory = rates.get("memory");
    for (const [store, target] of [
      ["pglite", 0.3],
      ["postgres", 0.5],
    ] as const) {
      const own = rates.get(store);
      if (memory === undefined || own === undefined) continue;
      const perRound = own.map((rate, index) => (rate / (memory[index] ?? rate)).toFixed(2));
      console.log(
        `  sync ${store} / memory: median ${(median(own) / median(memory)).toFixed(2)} (rounds ${perRound.join(", ")}; target >= ${target})`,
      );
    }
  }
} finally {
  agent.destroy();
}
