import type { ScimHandler, ScimRequest } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it, vi } from "vitest";
import { scimPlugin } from "../src/index";

// What only Fastify has: encapsulation, its trustProxy, its request in
// verify/onError, plugin registration. The rest is the shared HTTP suite.

/** A handler that records requests (the suite's own helper is out of reach: a workspace cycle). */
function fakeHandler() {
  const received: ScimRequest[] = [];
  const handler: ScimHandler = async (request) => {
    received.push(request);
    return { status: 200, headers: {}, body: { ok: true } };
  };
  return { handler, last: () => received.at(-1) as ScimRequest };
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function listen(instance: FastifyInstance): Promise<string> {
  app = instance;
  await instance.listen({ port: 0, host: "127.0.0.1" });
  const address = instance.server.address();
  return `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
}

describe("scimPlugin", () => {
  it("leaves the app's own JSON parser to the app's other routes", async () => {
    const fake = fakeHandler();
    const instance = Fastify();
    instance.post("/api/echo", async (request) => ({ got: request.body }));
    await instance.register(scimPlugin({ handler: fake.handler, auth: { none: true } }), {
      prefix: "/scim/v2",
    });
    const origin = await listen(instance);
    const echo = await fetch(`${origin}/api/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
    expect(await echo.json()).toEqual({ got: { a: 1 } });
    // Fastify alone would refuse both: no parser for SCIM's media type, and
    // a `__proto__` key is an error for its JSON parser.
    const scim = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "content-type": "application/scim+json" },
      body: '{"userName":"x","__proto__":{"a":1}}',
    });
    expect(scim.status).toBe(200);
    expect(fake.last().body).toMatchObject({ userName: "x" });
  });

  it("mounts twice in one app, one per tenant, each with its own tokens", async () => {
    const fake = fakeHandler();
    const instance = Fastify();
    for (const tenant of ["acme", "globex"]) {
      await instance.register(
        scimPlugin({ handler: fake.handler, auth: { tokens: [{ token: `t-${tenant}`, tenant }] } }),
        { prefix: `/${tenant}/scim/v2` },
      );
    }
    const origin = await listen(instance);
    for (const tenant of ["acme", "globex"]) {
      const response = await fetch(`${origin}/${tenant}/scim/v2/Users`, {
        headers: { authorization: `Bearer t-${tenant}` },
      });
      expect(response.status).toBe(200);
      expect(fake.last()).toMatchObject({
        tenant,
        baseUrl: `${origin}/${tenant}/scim/v2`,
        path: "/Users",
      });
    }
    const crossed = await fetch(`${origin}/acme/scim/v2/Users`, {
      headers: { authorization: "Bearer t-globex" },
    });
    expect(crossed.status).toBe(401);
  });

  it("creates the service from a store and exposes its events", async () => {
    const plugin = scimPlugin({ store: memoryStore(), auth: { none: true, tenant: "acme" } });
    const created: string[] = [];
    plugin.service.on("user.created", ({ tenant, id }) => void created.push(`${tenant}/${id}`));
    const instance = Fastify();
    await instance.register(plugin, { prefix: "/scim/v2" });
    const origin = await listen(instance);
    const response = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "content-type": "application/scim+json" },
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: "fastify@example.com",
      }),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    expect(response.headers.get("location")).toBe(`${origin}/scim/v2/Users/${id}`);
    expect(created).toEqual([`acme/${id}`]);
  });

  it("follows Fastify's trustProxy unless the option decides", async () => {
    const fake = fakeHandler();
    const forwarded = { "x-forwarded-proto": "https", "x-forwarded-host": "scim.example.com" };
    const trusting = Fastify({ trustProxy: true });
    await trusting.register(scimPlugin({ handler: fake.handler, auth: { none: true } }), {
      prefix: "/scim/v2",
    });
    const origin = await listen(trusting);
    await fetch(`${origin}/scim/v2/Users`, { headers: forwarded });
    expect(fake.last().baseUrl).toBe("https://scim.example.com/scim/v2");
    await trusting.close();

    const overridden = Fastify({ trustProxy: true });
    await overridden.register(
      scimPlugin({ handler: fake.handler, auth: { none: true }, trustProxy: false }),
      { prefix: "/scim/v2" },
    );
    const second = await listen(overridden);
    await fetch(`${second}/scim/v2/Users`, { headers: forwarded });
    expect(fake.last().baseUrl).toBe(`${second}/scim/v2`);
  });

  it("passes the Fastify request to verify and onError", async () => {
    const onError = vi.fn();
    const verify = vi.fn(async (_token: string, _request: unknown) => ({ tenant: "acme" }));
    const instance = Fastify();
    await instance.register(
      scimPlugin({
        auth: { verify },
        onError,
        handler: async () => {
          throw new Error("boom");
        },
      }),
      { prefix: "/scim/v2" },
    );
    const origin = await listen(instance);
    const response = await fetch(`${origin}/scim/v2/Users?x=1`, {
      headers: { authorization: "Bearer abc" },
    });
    expect(response.status).toBe(500);
    expect(verify.mock.calls[0]?.[1]).toMatchObject({ url: "/scim/v2/Users?x=1" });
    expect(onError.mock.calls[0]?.[1]).toMatchObject({ method: "GET", url: "/scim/v2/Users?x=1" });
  });

  it("validates its options when called, naming scimPlugin and the option", () => {
    expect(() => scimPlugin({ auth: { none: true } } as never)).toThrow(
      /^scimPlugin: options\.handler must be a function/,
    );
    expect(() =>
      scimPlugin({ handler: fakeHandler().handler, auth: { none: true }, bodyLimit: -1 }),
    ).toThrow(TypeError);
  });
});
