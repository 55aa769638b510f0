import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./start-server";

describe("quickstart with DELETE_MODE=soft on its default store", () => {
  let server: RunningServer;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "scimkit-quickstart-soft-"));
    server = await startServer({
      STORE: "",
      DATA_DIR: dataDir,
      SCIM_TOKEN: "soft-token",
      DELETE_MODE: "soft",
      DELETE_RETENTION_DAYS: "7",
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${server.baseUrl}${path}`, {
      ...init,
      headers: {
        authorization: "Bearer soft-token",
        "content-type": "application/scim+json",
        ...init.headers,
      },
    });

  it("says so at start-up, and a deleted user answers 404 and frees its userName", async () => {
    await expect.poll(() => server.output()).toContain("DELETE:        soft, purged after 7 days");
    expect(server.output()).toContain("(store: pglite)");
    const create = () =>
      call("/Users", {
        method: "POST",
        body: JSON.stringify({
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
          userName: "soft@example.com",
        }),
      });
    const created = await create();
    const { id } = (await created.json()) as { id: string };
    expect((await call(`/Users/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await call(`/Users/${id}`)).status).toBe(404);
    await expect.poll(() => server.output()).toContain(`event user.deleted User/${id}`);
    const again = await create();
    expect(again.status).toBe(201);
    expect(((await again.json()) as { id: string }).id).not.toBe(id);
  });
});

it("refuses an unknown DELETE_MODE at start-up", () => {
  const server = fileURLToPath(new URL("../dist/server.js", import.meta.url));
  const result = spawnSync(process.execPath, [server], {
    env: { ...process.env, PORT: "0", STORE: "memory", DELETE_MODE: "archive" },
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain('DELETE_MODE must be "hard" or "soft", got "archive".');
});
