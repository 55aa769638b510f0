/**
 * The SCIM HTTP layer against the frameworks it runs on: for each framework, the
 * SCIM endpoint (`userName eq` lookups and GET by id over a memory store with
 * `HTTP_BENCH_USERS` users) beside a bare route of the same framework answering a
 * JSON body of the same size. The ratio scim / bare says how close the layer gets
 * to the limit the framework sets. Every target runs in its own child process
 * (`http-frameworks-server.ts`); measurements are interleaved over
 * `HTTP_BENCH_ROUNDS` rounds and the median is printed, so load from other
 * processes on the machine hits every target alike.
 *
 * Run: `npm run bench:frameworks -w @scimkit/benchmarks` (see benchmarks/README.md).
 * Environment knobs: HTTP_BENCH_TARGETS (every target), HTTP_BENCH_SECONDS (5),
 * HTTP_BENCH_ROUNDS (3), HTTP_BENCH_CONNECTIONS (10), HTTP_BENCH_USERS (5000),
 * HTTP_BENCH_CASES (lookup,get; also patch), HTTP_BENCH_BASELINE_EXPRESS (a bundled
 * `scimRouter` of an earlier commit, enables the `express-baseline` target),
 * HTTP_BENCH_PIN=1 (Linux `taskset`: the load generator on CPU 0, every server on CPU 1).
 */

import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { userId, userName } from "./http-dataset";
import { TARGETS, type Target } from "./http-targets";
import { median } from "./median";

const SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.HTTP_BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.HTTP_BENCH_CONNECTIONS ?? 10);
const USERS = Number(process.env.HTTP_BENCH_USERS ?? 5_000);
const CASES = (process.env.HTTP_BENCH_CASES ?? "lookup,get").split(",") as CaseName[];
const BASELINE = process.env.HTTP_BENCH_BASELINE_EXPRESS ?? "";
const WANTED = (process.env.HTTP_BENCH_TARGETS ?? TARGETS.join(",")).split(",") as Target[];
const PIN = process.env.HTTP_BENCH_PIN === "1";
const TOKEN = randomBytes(24).toString("hex");
const MOUNT = "/scim/v2";

type CaseName = "lookup" | "get" | "patch";

const randomUser = () => 1 + Math.floor(Math.random() * USERS);
const PATHS: Record<CaseName, () => string> = {
  lookup: () =>
    `${MOUNT}/Users?filter=${encodeURIComponent(`userName eq "${userName(randomUser())}"`)}`,
  get: () => `${MOUNT}/Users/${userId(randomUser())}`,
  patch: () => `${MOUNT}/Users/${userId(randomUser())}`,
};
let patches = 0;
/** Entra's one-attribute user PATCH, a new title each time so every PATCH writes. */
const patchBody = () => {
  patches += 1;
  return JSON.stringify({
    schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    Operations: [{ op: "Replace", path: "title", value: `title ${patches}` }],
  });
};
/** Bare routes answer GETs only. */
const runsCase = (target: Target, name: CaseName) => name !== "patch" || !target.endsWith("-bare");

interface Running {
  readonly target: Target;
  readonly url: string;
  /** The server process's CPU time so far, in microseconds (user + system). */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

async function start(target: Target): Promise<Running> {
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  const child: ChildProcess = fork(new URL("./http-frameworks-server.mjs", import.meta.url), {
    execArgv:
      profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}/${target}`],
    env: {
      ...process.env,
      BENCH_TARGET: target,
      BENCH_USERS: String(USERS),
      BENCH_TOKEN: TOKEN,
      BENCH_BASELINE_EXPRESS: BASELINE,
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once("message", (message) => resolve(message as { port: number }));
    child.once("exit", (code) => reject(new Error(`${target} exited with ${code}`)));
  });
  if (PIN && child.pid !== undefined) pinToCpu(child.pid, 1);
  return {
    target,
    url: `http://127.0.0.1:${port}`,
    cpu: () =>
      new Promise((resolve) => {
        child.once("message", (message) => {
          const { cpu } = message as { cpu: { user: number; system: number } };
          resolve(cpu.user + cpu.system);
        });
        child.send("cpu");
      }),
    async stop() {
      child.send("stop");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface Measurement {
  readonly requestsPerSecond: number;
  /** Server CPU per request: steadier than req/s when other processes share the machine. */
  readonly cpuMicroseconds: number;
  readonly p50: number;
  readonly p99: number;
}

/** `amount` requests, or `SECONDS` of them; any non-2xx, error or timeout fails the run. */
async function measure(server: Running, name: CaseName, amount?: number): Promise<Measurement> {
  const cpuBefore = await server.cpu();
  const begin = performance.now();
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    timeout: 10,
    ...(amount === undefined ? { duration: SECONDS } : { amount }),
    headers: {
      authorization: `Bearer ${TOKEN}`,
      accept: "application/scim+json",
      "content-type": "application/scim+json",
    },
    requests: [
      name === "patch"
        ? {
            method: "PATCH",
            setupRequest: (raw) => ({ ...raw, path: PATHS[name](), body: patchBody() }),
          }
        : { method: "GET", setupRequest: (raw) => ({ ...raw, path: PATHS[name]() }) },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${server.target} ${name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  const seconds = (performance.now() - begin) / 1000;
  return {
    requestsPerSecond: result.requests.total / seconds,
    cpuMicroseconds: ((await server.cpu()) - cpuBefore) / result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

async function checkBodySizes(servers: readonly Running[]): Promise<void> {
  for (const name of CASES.filter((entry) => entry !== "patch")) {
    const sizes = new Map<string, number>();
    for (const server of servers) {
      const response = await fetch(`${server.url}${PATHS[name]()}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      if (response.status !== 200) throw new Error(`${server.target} ${name}: ${response.status}`);
      sizes.set(server.target, (await response.arrayBuffer()).byteLength);
    }
    console.log(
      `  ${name} body bytes: ${[...sizes].map(([target, size]) => `${target} ${size}`).join(", ")}`,
    );
  }
}

/**
 * Binds every thread of a process to one CPU. With the load generator on one core
 * and the server on the other they stop taking turns on both, so a server's
 * requests/s and CPU per request are its own (the 2-core machines here).
 */
function pinToCpu(pid: number, cpu: number): void {
  execFileSync("taskset", ["-a", "-cp", String(cpu), String(pid)], { stdio: "ignore" });
}

if (PIN) pinToCpu(process.pid, 0);
const targets = WANTED.filter((target) => target !== "express-baseline" || BASELINE !== "");
const servers: Running[] = [];
try {
  for (const target of targets) servers.push(await start(target));
  console.log(
    `Framework benchmark: ${USERS} users, memory store, ${CONNECTIONS} connections, ${SECONDS} s x ${ROUNDS} rounds (median)${PIN ? ", load generator on CPU 0, servers on CPU 1" : ""}`,
  );
  await checkBodySizes(servers);
  for (const server of servers) {
    for (const name of CASES) {
      if (runsCase(server.target, name)) await measure(server, name, 2_000); // warm-up
    }
  }
  const results = new Map<string, Measurement[]>();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const name of CASES) {
      for (const server of servers) {
        if (!runsCase(server.target, name)) continue;
        const key = `${server.target} ${name}`;
        results.set(key, [...(results.get(key) ?? []), await measure(server, name)]);
      }
    }
  }
  const runsOf = (target: string, name: CaseName) => results.get(`${target} ${name}`) ?? [];
  const rate = (target: string, name: CaseName) =>
    median(runsOf(target, name).map((run) => run.requestsPerSecond));
  const cpu = (target: string, name: CaseName) =>
    median(runsOf(target, name).map((run) => run.cpuMicroseconds));
  /**
   * `target` against `other` three ways: medians of requests/s; the median of the
   * rounds' own ratios (both measured in the same minute); server CPU per request
   * (`other`'s over `target`'s), which the load generator sharing the cores
   * disturbs least.
   */
  const compare = (target: string, other: string, name: CaseName) => {
    const mine = runsOf(target, name);
    const theirs = runsOf(other, name);
    const perRound = mine.map(
      (run, index) => run.requestsPerSecond / (theirs[index]?.requestsPerSecond ?? Number.NaN),
    );
    return `${target} / ${other} ${(rate(target, name) / rate(other, name)).toFixed(2)} (per round ${median(perRound).toFixed(2)}, CPU ${(cpu(other, name) / cpu(target, name)).toFixed(2)})`;
  };
  for (const name of CASES) {
    const titles = {
      lookup: "GET /Users?filter=userName eq",
      get: "GET /Users/{id}",
      patch: "PATCH /Users/{id}",
    };
    console.log(`\n${titles[name]}:`);
    for (const server of servers) {
      if (!runsCase(server.target, name)) continue;
      const runs = runsOf(server.target, name);
      console.log(
        `  ${server.target.padEnd(18)} ${rate(server.target, name).toFixed(0).padStart(6)} req/s  ${cpu(
          server.target,
          name,
        )
          .toFixed(0)
          .padStart(
            4,
          )} µs CPU/req  p50 ${median(runs.map((run) => run.p50)).toFixed(1)} ms  p99 ${median(runs.map((run) => run.p99)).toFixed(1)} ms  (rounds: ${runs.map((run) => run.requestsPerSecond.toFixed(0)).join(", ")})`,
      );
    }
    const ratios: string[] = [];
    for (const server of servers) {
      const [framework, kind] = server.target.split("-");
      if (kind === "bare" || framework === "auth" || !runsCase(server.target, name)) continue;
      const bare = `${framework}-bare`;
      if (targets.includes(bare as Target)) {
        ratios.push(compare(server.target, bare, name));
      }
    }
    if (targets.includes("auth-static") && targets.includes("auth-store")) {
      ratios.push(compare("auth-store", "auth-static", name));
    }
    if (targets.includes("express-baseline") && targets.includes("express-scim")) {
      ratios.push(compare("express-scim", "express-baseline", name));
    }
    for (const ratio of ratios) console.log(`  ratio ${ratio}`);
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
}
