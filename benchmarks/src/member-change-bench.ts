/**
 * One member change in a big group vs a small one, over HTTP, as Entra sends it:
 * `{"op":"Add","path":"members","value":[{"value":id}]}` and
 * `{"op":"Remove","path":"members[value eq \"id\"]"}` PATCHes (204 answers) on
 * groups of 10, 20 000 and 100 000 members. Requests go one at a time,
 * interleaved over the group sizes, so each figure is a latency; printed: the
 * MEAN per operation (and p50, p99) and each size's mean over the 10-member
 * group's (issue 13's target: at most 1.5x).
 *
 * Run: `npm run bench:member-change -w @scimkit/benchmarks` (uses the packages'
 * dist: `npm run build` first). Environment: MEMBER_BENCH_STORES (postgres,pglite),
 * MEMBER_BENCH_OPS (300 adds and 300 removes per group), BENCH_CHANGE_FEED=off,
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 */

import { randomBytes } from "node:crypto";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { startBenchServer } from "./bench-server";
import { userId } from "./http-dataset";
import { GROUP_SIZES, groupId, MEMBER_USERS, SPARE_MEMBERS } from "./member-change-dataset";

const STORES = (process.env.MEMBER_BENCH_STORES ?? "postgres,pglite").split(",");
const WARM_UP = 30;
const OPS = Math.min(Number(process.env.MEMBER_BENCH_OPS ?? 300), SPARE_MEMBERS - WARM_UP);
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const TOKEN = randomBytes(24).toString("hex");
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

interface Server {
  readonly base: string;
  readonly loadSeconds: number;
  stop(): Promise<void>;
}

async function startServer(store: string): Promise<Server> {
  const server = await startBenchServer({
    script: new URL("./member-change-server.mjs", import.meta.url),
    store,
    token: TOKEN,
    databaseUrl: DATABASE_URL,
    name: "scimkit_member_bench",
  });
  return {
    base: `http://127.0.0.1:${server.port}/scim/v2`,
    loadSeconds: server.loadSeconds,
    stop: () => server.stop(),
  };
}

/** One PATCH; resolves with its wall time in ms, failing on anything but 204. */
function patch(server: Server, group: string, operation: object): Promise<number> {
  const payload = JSON.stringify({ schemas: [PATCH_OP], Operations: [operation] });
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${server.base}/Groups/${group}`,
      {
        method: "PATCH",
        agent,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          "content-type": "application/scim+json",
          "content-length": Buffer.byteLength(payload),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          if (response.statusCode !== 204) {
            reject(new Error(`PATCH ${group}: ${response.statusCode} ${Buffer.concat(chunks)}`));
          } else resolve(performance.now() - start);
        });
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

interface Stats {
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
}

const stats = (samples: readonly number[]): Stats => {
  const sorted = [...samples].sort((left, right) => left - right);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    mean: samples.reduce((sum, value) => sum + value, 0) / samples.length,
    p50: at(0.5),
    p99: at(0.99),
  };
};

async function measure(store: string) {
  const server = await startServer(store);
  try {
    // Spare users (MEMBER_USERS + 1 ...) are in no group: every add adds, every remove removes.
    const spare = (index: number) => userId(MEMBER_USERS + 1 + index);
    const add = (size: number, index: number) =>
      patch(server, groupId(size), {
        op: "Add",
        path: "members",
        value: [{ value: spare(index) }],
      });
    const remove = (size: number, index: number) =>
      patch(server, groupId(size), {
        op: "Remove",
        path: `members[value eq "${spare(index)}"]`,
      });
    for (let index = 0; index < WARM_UP; index += 1) {
      for (const size of GROUP_SIZES) {
        await add(size, OPS + index);
        await remove(size, OPS + index);
      }
    }
    const timings = new Map(
      GROUP_SIZES.map((size) => [size, { add: [] as number[], remove: [] as number[] }]),
    );
    for (let index = 0; index < OPS; index += 1) {
      for (const size of GROUP_SIZES) timings.get(size)!.add.push(await add(size, index));
    }
    for (let index = 0; index < OPS; index += 1) {
      for (const size of GROUP_SIZES) timings.get(size)!.remove.push(await remove(size, index));
    }
    return { loadSeconds: server.loadSeconds, timings };
  } finally {
    await server.stop();
  }
}

const ms = (value: number) => value.toFixed(2);

try {
  console.log(
    `One member change per PATCH, one request at a time, ${OPS} adds then ${OPS} removes per group (change feed ${process.env.BENCH_CHANGE_FEED === "off" ? "off" : "on"})`,
  );
  for (const store of STORES) {
    const { loadSeconds, timings } = await measure(store);
    console.log(`\n${store} (data set loaded in ${loadSeconds.toFixed(1)} s)`);
    for (const operation of ["add", "remove"] as const) {
      const small = stats(timings.get(GROUP_SIZES[0])![operation]);
      for (const size of GROUP_SIZES) {
        const result = stats(timings.get(size)![operation]);
        console.log(
          `  ${operation.padEnd(6)} ${String(size).padStart(6)} members: mean ${ms(result.mean)} ms, p50 ${ms(result.p50)} ms, p99 ${ms(result.p99)} ms; mean / 10-member mean ${(result.mean / small.mean).toFixed(2)}x`,
        );
      }
    }
  }
} finally {
  agent.destroy();
}
