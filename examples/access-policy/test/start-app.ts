import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const SCIM_TOKEN = "access-policy-test-scim-token";
export const ADMIN_TOKEN = "access-policy-test-admin-token";
export const SCIM_JSON = "application/scim+json";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const SERVER = fileURLToPath(new URL("../dist/server.js", import.meta.url));

export interface RunningApp {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  readonly output: () => string;
  /** SIGTERM, and wait for the exit. */
  readonly stop: () => Promise<void>;
  /** SIGKILL (kill -9): no shutdown code runs. */
  readonly kill: () => Promise<void>;
  /** Resolves when the output contains `text` (a string or a pattern). */
  readonly waitFor: (text: string | RegExp, timeoutMs?: number) => Promise<void>;
  readonly scim: (path: string, init?: RequestInit) => Promise<Response>;
  readonly api: (path: string, init?: RequestInit) => Promise<Response>;
  readonly admin: (path: string, init?: RequestInit) => Promise<Response>;
}

/**
 * Starts the built app (`node dist/server.js`, as `npm start` does) on an
 * ephemeral 127.0.0.1 port, on the memory store unless `env` says otherwise.
 * Resolves once it printed its SCIM base URL and its consumer holds its lease.
 */
export function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  if (!existsSync(SERVER)) {
    throw new Error(`${SERVER} is missing: run "npm run build" in examples/access-policy first.`);
  }
  const child: ChildProcess = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      STORE: "memory",
      SCIM_TOKEN,
      ADMIN_TOKEN,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  const waitFor = (text: string | RegExp, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const matches = () => (typeof text === "string" ? output.includes(text) : text.test(output));
      if (matches()) return resolve();
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`Timed out waiting for ${String(text)}. Output:\n${output}`));
      }, timeoutMs);
      const check = () => {
        if (!matches()) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
    });
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of [...listeners]) listener();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return new Promise((resolve, reject) => {
    child.once("exit", (code) =>
      reject(new Error(`The app exited with code ${code}. Output:\n${output}`)),
    );
    Promise.all([
      waitFor(/SCIM base URL: \S+/, 120_000),
      waitFor("change consumer active", 120_000),
    ]).then(() => {
      const origin = /SCIM base URL: (http:\/\/[^/\s]+)\/scim\/v2/.exec(output)![1]!;
      const call =
        (prefix: string, headers: Record<string, string>) =>
        (requestPath: string, init: RequestInit = {}) =>
          fetch(`${origin}${prefix}${requestPath}`, {
            ...init,
            headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
          });
      resolve({
        origin,
        port: Number(new URL(origin).port),
        output: () => output,
        stop: () => signal("SIGTERM"),
        kill: () => signal("SIGKILL"),
        waitFor,
        scim: call("/scim/v2", {
          authorization: `Bearer ${env.SCIM_TOKEN ?? SCIM_TOKEN}`,
          "content-type": SCIM_JSON,
        }),
        api: call("/api", { "content-type": "application/json" }),
        admin: call("", { authorization: `Bearer ${env.ADMIN_TOKEN ?? ADMIN_TOKEN}` }),
      });
    }, reject);
  });
}

/** A temporary folder with a policy file in it; `write` replaces the file. */
export async function policyFolder(policy: unknown) {
  const folder = await mkdtemp(path.join(os.tmpdir(), "access-policy-"));
  const file = path.join(folder, "policy.json");
  const write = (next: unknown) =>
    writeFile(file, typeof next === "string" ? next : JSON.stringify(next, null, 2));
  await write(policy);
  return { folder, file, write, remove: () => rm(folder, { recursive: true, force: true }) };
}

/** Writes a policy and waits until the app has it in force (or refused it). */
export async function applyPolicy(
  app: RunningApp,
  folder: { write: (next: unknown) => Promise<void> },
  policy: unknown,
): Promise<{ sha256?: string; error?: { messages: string[] } }> {
  const { createHash } = await import("node:crypto");
  const text = typeof policy === "string" ? policy : JSON.stringify(policy, null, 2);
  const sha256 = createHash("sha256").update(text).digest("hex");
  await folder.write(text);
  let status: { sha256?: string; error?: { messages: string[]; sha256?: string } } = {};
  await expect
    .poll(
      async () => {
        status = (await (await app.admin("/api/admin/policy")).json()) as typeof status;
        return status.sha256 === sha256 || status.error?.sha256 === sha256;
      },
      { timeout: 5000, interval: 50 },
    )
    .toBe(true);
  return status;
}

export interface AccessAnswer {
  allowed: boolean;
  via: {
    rule: number;
    src: string;
    dst: string;
    group: { id: string; displayName: string };
    through?: { id: string }[];
  }[];
}

export async function access(app: RunningApp, user: string, dst: string): Promise<AccessAnswer> {
  const response = await app.api(
    `/access?user=${encodeURIComponent(user)}&dst=${encodeURIComponent(dst)}`,
  );
  expect(response.status).toBe(200);
  return (await response.json()) as AccessAnswer;
}

/** Polls the access check until it answers `allowed` (the consumer applies changes asynchronously). */
export async function expectAccess(
  app: RunningApp,
  user: string,
  dst: string,
  allowed: boolean,
): Promise<AccessAnswer> {
  let answer: AccessAnswer = { allowed: !allowed, via: [] };
  await expect
    .poll(
      async () => {
        answer = await access(app, user, dst);
        return answer.allowed;
      },
      { timeout: 2000, interval: 25, message: `access of ${user} to ${dst}` },
    )
    .toBe(allowed);
  return answer;
}

export async function policyErrors(app: RunningApp): Promise<{ ref: string; message: string }[]> {
  const response = await app.api("/policy/errors");
  expect(response.status).toBe(200);
  return ((await response.json()) as { errors: { ref: string; message: string }[] }).errors;
}

export async function createSession(app: RunningApp, userName: string): Promise<string> {
  let response: Response | undefined;
  // The consumer may not have seen the user yet: retry briefly.
  await expect
    .poll(
      async () => {
        response = await app.api("/sessions", {
          method: "POST",
          body: JSON.stringify({ userName }),
        });
        return response.status;
      },
      { timeout: 2000, interval: 25 },
    )
    .toBe(201);
  return ((await response!.json()) as { id: string }).id;
}

export const sessionStatus = async (app: RunningApp, id: string) =>
  (await app.api(`/sessions/${id}`)).status;

/** Waits until the session answers 401 and returns how long that took after `since`. */
export async function revokedWithin(app: RunningApp, id: string, since: number): Promise<number> {
  await expect.poll(() => sessionStatus(app, id), { timeout: 5000, interval: 10 }).toBe(401);
  return Date.now() - since;
}
