import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startServer } from "./start-server";

describe("quickstart on its default store", () => {
  let dataDir: string | undefined;
  afterAll(async () => {
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps users across a restart (embedded Postgres in DATA_DIR)", async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "scimkit-quickstart-"));
    const env = { STORE: "", DATA_DIR: dataDir, SCIM_TOKEN: "persist-token" };
    const headers = {
      authorization: "Bearer persist-token",
      "content-type": "application/scim+json",
    };

    const first = await startServer(env);
    let id: string;
    try {
      expect(first.output()).toContain("(store: pglite)");
      const created = await fetch(`${first.baseUrl}/Users`, {
        method: "POST",
        headers,
        body: JSON.stringify({ userName: "persisted@example.com" }),
      });
      expect(created.status).toBe(201);
      id = ((await created.json()) as { id: string }).id;
    } finally {
      await first.stop();
    }

    const second = await startServer(env);
    try {
      const read = await fetch(`${second.baseUrl}/Users/${id}`, { headers });
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ userName: "persisted@example.com" });
    } finally {
      await second.stop();
    }
    // PGlite boots a WebAssembly Postgres twice here; slow on a loaded CI machine.
  }, 240_000);

  it("keeps its generated token across a restart, storing only the token's hash", async () => {
    const tokenDir = await mkdtemp(path.join(os.tmpdir(), "scimkit-quickstart-token-"));
    try {
      const env = { STORE: "", DATA_DIR: tokenDir };
      const first = await startServer(env);
      const token = first.token;
      await first.stop();
      expect(token).toMatch(/^scimkit_/);
      const kept = await readFile(path.join(tokenDir, "scim-token.sha256"), "utf8");
      expect(kept).not.toContain(token);
      expect(kept.trim()).toMatch(/^[0-9a-f]{64}$/);

      const second = await startServer(env);
      try {
        expect(second.output()).not.toContain("scimkit_");
        const read = await fetch(`${second.baseUrl}/ServiceProviderConfig`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(read.status).toBe(200);
        const wrong = await fetch(`${second.baseUrl}/Users`, {
          headers: { authorization: "Bearer scim_not-the-token" },
        });
        expect(wrong.status).toBe(401);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(tokenDir, { recursive: true, force: true });
    }
  }, 240_000);
});
