import { memoryStore } from "@scimkit/store-memory";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hashToken, scimFetchHandler } from "../src/index";

const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
const handler = async () => ({ status: 200, headers: {}, body: { ok: true } });

// The fetch handler called as Next.js route handlers, Bun, Deno and Workers call
// it: a Request in, a Response out. The shared HTTP suite runs it over real sockets.

describe("scimFetchHandler", () => {
  it("serves below basePath with the request's origin, as a Next.js catch-all route would", async () => {
    const received: { path: string; baseUrl: string }[] = [];
    const scim = scimFetchHandler({
      basePath: "/scim/v2/",
      auth: { none: true },
      handler: async (request) => {
        received.push(request);
        return { status: 200, headers: { ETag: 'W/"1"' }, body: { id: "1" } };
      },
    });
    const response = await scim(new Request("https://app.example.com/scim/v2/Users/1?x=1"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/scim+json; charset=utf-8");
    expect(response.headers.get("etag")).toBe('W/"1"');
    expect(await response.json()).toEqual({ id: "1" });
    expect(received[0]).toMatchObject({
      path: "/Users/1",
      baseUrl: "https://app.example.com/scim/v2",
    });
    await scim(new Request("https://app.example.com/scim/v2"));
    expect(received[1]?.path).toBe("/");
  });

  it("answers 404 outside basePath without calling the handler", async () => {
    const spy = vi.fn(handler);
    const scim = scimFetchHandler({ basePath: "/scim/v2", auth: { none: true }, handler: spy });
    for (const url of ["http://x/Users", "http://x/scim/v2x/Users", "http://x/scim"]) {
      const response = await scim(new Request(url));
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ schemas: [ERROR_SCHEMA], status: "404" });
    }
    expect(spy).not.toHaveBeenCalled();
  });

  it("creates the service from a store and exposes it", async () => {
    const scim = scimFetchHandler({ store: memoryStore(), auth: { none: true } });
    const created: string[] = [];
    scim.service.on("user.created", ({ id }) => void created.push(id));
    const response = await scim(
      new Request("http://localhost:8787/Users", {
        method: "POST",
        headers: { "content-type": "application/scim+json" },
        body: JSON.stringify({
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
          userName: "fetch@example.com",
        }),
      }),
    );
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    expect(response.headers.get("location")).toBe(`http://localhost:8787/Users/${id}`);
    expect(created).toEqual([id]);
  });

  it.each([
    [{ basePath: 7 }, /options\.basePath must be a string/],
    [{ basePath: "scim" }, /options\.basePath must be a path/],
    [{ basePath: "/scim v2" }, /options\.basePath must be a path/],
    [{ basePath: "/scim?x" }, /options\.basePath must be a path/],
    [{ auth: undefined }, /^scimFetchHandler: options\.auth is required/],
  ])("rejects %j with a TypeError naming the option", (extra, message) => {
    const build = () => scimFetchHandler({ handler, auth: { none: true }, ...extra } as never);
    expect(build).toThrow(TypeError);
    expect(build).toThrow(message);
  });
});

describe("on a runtime with Web Crypto only (no node:crypto)", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it("hashes configured and presented tokens asynchronously and still matches them", async () => {
    vi.stubGlobal("process", { ...process, getBuiltinModule: undefined });
    vi.resetModules();
    const layer = await import("../src/index");
    const { digestToken } = await import("../src/token");
    expect(digestToken("abc")).toBeInstanceOf(Promise);
    const scim = layer.scimFetchHandler({
      handler,
      auth: { tokens: [{ token: "scim_web", tenant: "acme" }] },
    });
    const ok = await scim(
      new Request("http://x/Users", { headers: { authorization: "Bearer scim_web" } }),
    );
    expect(ok.status).toBe(200);
    const refused = await scim(
      new Request("http://x/Users", { headers: { authorization: "Bearer scim_other" } }),
    );
    expect(refused.status).toBe(401);
    expect(await layer.hashToken("abc")).toBe(await hashToken("abc"));
  });
});
