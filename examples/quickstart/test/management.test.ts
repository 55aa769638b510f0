import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./start-server";

const ADMIN_TOKEN = "quickstart-admin-token-0123456789";
const USER = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "t@example.com" };

describe("quickstart with ADMIN_TOKEN: the management API at /admin/api", () => {
  let server: RunningServer;
  let admin: string;
  beforeAll(async () => {
    server = await startServer({ ADMIN_TOKEN, SCIM_TOKEN: "default-tenant-token-000000" });
    admin = server.baseUrl.replace(/\/scim\/v2$/, "/admin/api");
  });
  afterAll(async () => {
    await server?.stop();
  });

  const manage = (path: string, init: RequestInit = {}, token = ADMIN_TOKEN) =>
    fetch(`${admin}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
  const scim = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${server.baseUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
    });

  it("issues tenant tokens that provision their own tenant, refused at once when revoked", async () => {
    expect(
      (
        await manage("/tenants", {
          method: "POST",
          body: JSON.stringify({ id: "acme", name: "Acme" }),
        })
      ).status,
    ).toBe(201);
    const issued = (await (
      await manage("/tenants/acme/tokens", {
        method: "POST",
        body: JSON.stringify({ description: "Entra" }),
      })
    ).json()) as { id: string; token: string };
    expect(
      (await scim(issued.token, "/Users", { method: "POST", body: JSON.stringify(USER) })).status,
    ).toBe(201);
    // The default tenant's token sees its own tenant only: the same userName is free there.
    expect(
      (
        await scim("default-tenant-token-000000", "/Users", {
          method: "POST",
          body: JSON.stringify(USER),
        })
      ).status,
    ).toBe(201);
    const acmeUsers = (await (await scim(issued.token, "/Users")).json()) as {
      totalResults: number;
    };
    expect(acmeUsers.totalResults).toBe(1);

    // The log is written in batches just after the responses.
    let paths: string[] = [];
    for (let attempt = 0; attempt < 50 && !paths.includes("201 /Users"); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const log = (await (await manage("/tenants/acme/log")).json()) as {
        entries: { status: number; path: string }[];
      };
      paths = log.entries.map((entry) => `${entry.status} ${entry.path}`);
    }
    expect(paths).toContain("201 /Users");

    expect((await manage(`/tenants/acme/tokens/${issued.id}`, { method: "DELETE" })).status).toBe(
      204,
    );
    expect((await scim(issued.token, "/Users")).status).toBe(401);
    expect(server.output()).not.toContain(issued.token);
  });

  it("refuses every token of a disabled tenant with 403, keeping its data", async () => {
    await manage("/tenants", {
      method: "POST",
      body: JSON.stringify({ id: "beta", name: "Beta" }),
    });
    const { token } = (await (
      await manage("/tenants/beta/tokens", { method: "POST", body: "{}" })
    ).json()) as {
      token: string;
    };
    await scim(token, "/Users", { method: "POST", body: JSON.stringify(USER) });
    await manage("/tenants/beta/disable", { method: "POST" });
    expect((await scim(token, "/Users")).status).toBe(403);
    await manage("/tenants/beta/enable", { method: "POST" });
    expect(
      ((await (await scim(token, "/Users")).json()) as { totalResults: number }).totalResults,
    ).toBe(1);
  });

  it("is guarded by ADMIN_TOKEN, never by a SCIM token", async () => {
    expect((await manage("/tenants", {}, "default-tenant-token-000000")).status).toBe(401);
    expect((await manage("/tenants", {}, "wrong")).status).toBe(401);
  });
});

describe("quickstart without ADMIN_TOKEN", () => {
  it("mounts no management API", async () => {
    const server = await startServer();
    try {
      const response = await fetch(server.baseUrl.replace(/\/scim\/v2$/, "/admin/api/tenants"));
      expect(response.status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
