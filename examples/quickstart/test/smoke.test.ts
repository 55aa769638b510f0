import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./start-server";

describe("quickstart (the built app, started as npm start does)", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${server.baseUrl}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${server.token}`,
        "content-type": "application/scim+json",
        ...init.headers,
      },
    });

  it("prints a generated token that authenticates, on 127.0.0.1", async () => {
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/v2$/);
    const response = await call("/ServiceProviderConfig");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    const body = (await response.json()) as { patch: { supported: boolean } };
    expect(body.patch.supported).toBe(true);
  });

  it("rejects a wrong token with a SCIM 401", async () => {
    const response = await call("/Users", { headers: { authorization: "Bearer wrong" } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ status: "401" });
  });

  it("creates a user, finds it by userName and emits the event", async () => {
    const created = await call("/Users", {
      method: "POST",
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: "smoke@example.com",
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(created.headers.get("location")).toBe(`${server.baseUrl}/Users/${id}`);
    const found = await call(
      `/Users?filter=${encodeURIComponent('userName eq "SMOKE@example.com"')}`,
    );
    expect(await found.json()).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    await expect.poll(() => server.output()).toContain(`event user.created User/${id}`);
  });
});
