import { createScimService } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import { afterEach, describe, expect, it } from "vitest";
import { generateToken, scimRouter } from "../src/index";
import { expressVersions, rawRequest, serve } from "./serve";

describe.each(expressVersions)("scimRouter with the real service on $name", (version) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it("creates a user, finds it with Entra's filter encoding and serves Location and ETag", async () => {
    const token = generateToken();
    const service = createScimService({ store: memoryStore() });
    const server = await serve(version, (app) => {
      app.use(
        "/scim/v2",
        scimRouter({ handler: service.handle, auth: { tokens: [{ token, tenant: "acme" }] } }),
      );
    });
    close = server.close;
    const authorization = `Bearer ${token}`;
    const created = await fetch(`${server.origin}/scim/v2/Users`, {
      method: "POST",
      headers: {
        Authorization: authorization,
        "Content-Type": "application/scim+json; charset=utf-8",
      },
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: "bjensen@example.com",
        externalId: "4045ea11-7c3d",
      }),
    });
    expect(created.status).toBe(201);
    const user = (await created.json()) as { id: string; meta: { location: string } };
    expect(created.headers.get("location")).toBe(`${server.origin}/scim/v2/Users/${user.id}`);
    expect(user.meta.location).toBe(`${server.origin}/scim/v2/Users/${user.id}`);
    expect(created.headers.get("etag")).toBeTruthy();

    const found = await rawRequest(server.port, {
      path: '/scim/v2/Users?filter=externalId+eq+"4045ea11-7c3d"',
      headers: { Authorization: authorization },
    });
    expect(found.status).toBe(200);
    expect(JSON.parse(found.text)).toMatchObject({ totalResults: 1, Resources: [{ id: user.id }] });

    const missing = await fetch(`${server.origin}/scim/v2/Users/does-not-exist`, {
      headers: { Authorization: authorization },
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: "404" });
  });
});
