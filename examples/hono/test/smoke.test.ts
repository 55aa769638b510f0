import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const SERVER = fileURLToPath(new URL("../dist/server.js", import.meta.url));

/** Starts the built example (`npm start`) on an ephemeral port; resolves its URL, token and output. */
function start(env: Record<string, string>) {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run "npm run build" first.`);
  const child: ChildProcess = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", SCIM_TOKEN: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  const ready = new Promise<{ baseUrl: string; token: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /SCIM base URL: (\S+)/.exec(output)?.[1];
      const token = /Bearer token: {2}(\S+)/.exec(output)?.[1];
      if (url !== undefined && token !== undefined) {
        clearTimeout(timer);
        resolve({ baseUrl: url, token: env.SCIM_TOKEN || token });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return { ready, stop, output: () => output };
}

describe("the Hono example (built, started as npm start does)", () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  for (const store of ["memory", "pglite"]) {
    it(`serves SCIM with a generated token on the ${store} store`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "scimkit-hono-"));
      const server = start({ STORE: store, DATA_DIR: dataDir });
      stop = async () => {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      };
      const { baseUrl, token } = await server.ready;
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
      expect(token).toMatch(/^scimkit_/);
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
      expect((await fetch(`${baseUrl}/Users`)).status).toBe(401);
      const created = await fetch(`${baseUrl}/Users`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
          userName: "hono@example.com",
        }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      expect(created.headers.get("location")).toBe(`${baseUrl}/Users/${id}`);
      const found = await fetch(
        `${baseUrl}/Users?filter=${encodeURIComponent('userName eq "HONO@example.com"')}`,
        { headers },
      );
      expect(await found.json()).toMatchObject({ totalResults: 1, Resources: [{ id }] });
      await expect.poll(() => server.output()).toContain(`event user.created User/${id}`);
      const home = await fetch(new URL("/", baseUrl));
      expect(await home.text()).toContain("/scim/v2");
      // PGlite boots a WebAssembly Postgres: allow for a loaded machine.
    }, 120_000);
  }
});
