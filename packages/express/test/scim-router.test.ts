import { createHash } from "node:crypto";
import type { Express } from "express";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hashToken, type ScimRouterOptions, scimRouter } from "../src/index";
import { type ExpressVersion, expressVersions, fakeHandler, rawRequest, serve } from "./serve";

// What only Express has: nested routers, app-level body parsers, `trust proxy`,
// and its request in `verify`/`onError`. Everything else is in the shared HTTP
// conformance suite (conformance.test.ts).

const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
const TOKEN = "scim_test-token-acme-0001";

type Server = Awaited<ReturnType<typeof serve>>;

describe("hashToken", () => {
  it("is the SHA-256 hex of the token, as @scimkit/http computes it", () => {
    expect(hashToken("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(hashToken("Jürgen")).toBe(createHash("sha256").update("Jürgen").digest("hex"));
  });
});

describe.each(expressVersions)("scimRouter on $name", (version: ExpressVersion) => {
  let server: Server | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(
    options: Partial<ScimRouterOptions> & Pick<ScimRouterOptions, "handler">,
    before?: (app: Express) => void,
  ) {
    server = await serve(version, (app) => {
      before?.(app);
      app.use("/scim/v2", scimRouter({ auth: { none: true }, ...options } as ScimRouterOptions));
    });
    return server;
  }

  it("works deep inside nested routers", async () => {
    const fake = fakeHandler();
    server = await serve(version, (app) => {
      const api = version.create();
      api.use("/tenants/acme/scim", scimRouter({ handler: fake.handler, auth: { none: true } }));
      app.use("/api", api);
    });
    await fetch(`${server.origin}/api/tenants/acme/scim/`);
    expect(fake.last()).toMatchObject({
      path: "/",
      baseUrl: `${server.origin}/api/tenants/acme/scim`,
    });
    await fetch(`${server.origin}/api/tenants/acme/scim/ServiceProviderConfig`);
    expect(fake.last().path).toBe("/ServiceProviderConfig");
  });

  it("uses a body already parsed by an app-level express.json()", async () => {
    const fake = fakeHandler();
    const body = { userName: "Jürgen" };
    const { origin } = await start({ handler: fake.handler }, (app) => {
      app.use(version.json({ type: ["application/json", "application/scim+json"] }));
    });
    for (const contentType of ["application/json", "application/scim+json"]) {
      const response = await fetch(`${origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "Content-Type": contentType },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      expect(fake.last().body).toEqual(body);
    }
    const get = await fetch(`${origin}/scim/v2/Users`);
    expect(get.status).toBe(200);
    expect(fake.last().body).toBeUndefined();
  });

  it("parses, limits and checks bytes an app-level raw or text parser collected", async () => {
    const fake = fakeHandler();
    const { origin } = await start({ handler: fake.handler, bodyLimit: 32 }, (app) => {
      app.use((request, _response, next) => {
        // What express.raw() leaves: the stream read, a Buffer in req.body.
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          request.body = Buffer.concat(chunks);
          (request as unknown as { _body: boolean })._body = true;
          next();
        });
      });
    });
    const ok = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "Content-Type": "application/scim+json" },
      body: '{"userName":"raw"}',
    });
    expect(ok.status).toBe(200);
    expect(fake.last().body).toEqual({ userName: "raw" });
    const big = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "Content-Type": "application/scim+json" },
      body: JSON.stringify({ userName: "x".repeat(40) }),
    });
    expect(big.status).toBe(413);
    const text = await fetch(`${origin}/scim/v2/Users`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: "{}",
    });
    expect(text.status).toBe(415);
    expect(fake.received).toHaveLength(1);
  });

  it("honours X-Forwarded-Proto and -Host when the app sets trust proxy", async () => {
    const fake = fakeHandler();
    const { origin } = await start({ handler: fake.handler }, (app) => {
      app.set("trust proxy", "loopback");
    });
    await fetch(`${origin}/scim/v2/Users`, {
      headers: { "X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "scim.example.com, x" },
    });
    expect(fake.last().baseUrl).toBe("https://scim.example.com/scim/v2");
  });

  it("lets trustProxy: false override the app's trust proxy", async () => {
    const fake = fakeHandler();
    const { origin } = await start({ handler: fake.handler, trustProxy: false }, (app) =>
      app.set("trust proxy", true),
    );
    await fetch(`${origin}/scim/v2/Users`, {
      headers: { "X-Forwarded-Proto": "https", "X-Forwarded-Host": "scim.example.com" },
    });
    expect(fake.last().baseUrl).toBe(`${origin}/scim/v2`);
  });

  it("answers a malformed Host header with a SCIM 400", async () => {
    const fake = fakeHandler();
    const { port } = await start({ handler: fake.handler });
    const bad = await rawRequest(port, {
      path: "/scim/v2/Users",
      headers: { Host: "evil.example.com/path?x=" },
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ schemas: [ERROR_SCHEMA], status: "400" });
    expect(fake.received).toHaveLength(0);
  });

  it("passes the Express request to verify and onError", async () => {
    const onError = vi.fn();
    const verify = vi.fn(async (_token: string, _request: unknown) => ({ tenant: "acme" }));
    const { origin } = await start({
      onError,
      auth: { verify },
      handler: async () => {
        throw new Error("boom");
      },
    });
    const response = await fetch(`${origin}/scim/v2/Users?x=1`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(500);
    expect(verify.mock.calls[0]).toEqual([TOKEN, expect.objectContaining({ method: "GET" })]);
    expect(onError.mock.calls[0]?.[1]).toMatchObject({ originalUrl: "/scim/v2/Users?x=1" });
  });

  it("keeps headers the app set before the router", async () => {
    const fake = fakeHandler(() => ({ status: 200, headers: { ETag: 'W/"1"' }, body: {} }));
    const { origin } = await start({ handler: fake.handler }, (app) => {
      app.use((_request, response, next) => {
        response.setHeader("X-Request-Id", "r-1");
        next();
      });
    });
    const response = await fetch(`${origin}/scim/v2/Users/1`);
    expect(response.headers.get("x-request-id")).toBe("r-1");
    expect(response.headers.get("etag")).toBe('W/"1"');
  });
});
