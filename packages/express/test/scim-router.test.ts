import { ScimError, type ScimResponse } from "@scimkit/core";
import type { Express } from "express";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateToken, hashToken, type ScimRouterOptions, scimRouter } from "../src/index";
import { type ExpressVersion, expressVersions, fakeHandler, rawRequest, serve } from "./serve";

const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
const TOKEN = "scim_test-token-acme-0001";

type Server = Awaited<ReturnType<typeof serve>>;

describe.each(expressVersions)("scimRouter on $name", (version: ExpressVersion) => {
  let server: Server | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** Boots an app with the router mounted at `mount` and `auth: none` unless options say otherwise. */
  async function start(
    options: Partial<ScimRouterOptions> & Pick<ScimRouterOptions, "handler">,
    mount = "/scim/v2",
    before?: (app: Express) => void,
  ) {
    server = await serve(version, (app) => {
      before?.(app);
      app.use(mount, scimRouter({ auth: { none: true }, ...options } as ScimRouterOptions));
    });
    return server;
  }

  describe("request translation", () => {
    it("passes method, path below the mount point, tenant and base URL", async () => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler });
      const response = await fetch(`${origin}/scim/v2/Users/2819c223`, { method: "DELETE" });
      expect(response.status).toBe(200);
      expect(fake.last()).toMatchObject({
        method: "DELETE",
        path: "/Users/2819c223",
        query: {},
        tenant: "default",
        baseUrl: `${origin}/scim/v2`,
        body: undefined,
      });
    });

    it("works mounted at the root, deep inside nested routers, and with a trailing slash", async () => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler }, "/");
      await fetch(`${origin}/Users`);
      expect(fake.last()).toMatchObject({ path: "/Users", baseUrl: origin });
      await server?.close();

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

    it("hands every method and path to the handler, unknown ones included", async () => {
      const fake = fakeHandler(() => ({ status: 404, headers: {}, body: { nope: true } }));
      const { origin } = await start({ handler: fake.handler });
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
        const response = await fetch(`${origin}/scim/v2/Nope/x/y`, { method });
        expect(response.status).toBe(404);
        expect(fake.last()).toMatchObject({ method, path: "/Nope/x/y" });
      }
    });

    it("percent-decodes the path per segment", async () => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler });
      await fetch(
        `${origin}/scim/v2/Schemas/urn%3Aietf%3Aparams%3Ascim%3Aschemas%3Acore%3A2.0%3AUser`,
      );
      expect(fake.last().path).toBe("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User");
      await fetch(`${origin}/scim/v2/Users/J%C3%BCrgen+x%20y`);
      expect(fake.last().path).toBe("/Users/Jürgen+x y");
    });

    it("decodes Entra's `+` spaces and raw quotes in the query", async () => {
      const fake = fakeHandler();
      const { port } = await start({ handler: fake.handler });
      const response = await rawRequest(port, {
        path: '/scim/v2/Users?filter=externalId+eq+"4045ea11-7c3d-4b9e"&aadOptscim062020',
      });
      expect(response.status).toBe(200);
      expect(fake.last().query).toEqual({
        filter: 'externalId eq "4045ea11-7c3d-4b9e"',
        aadOptscim062020: "",
      });
    });

    it("decodes Okta's percent-encoded query, keeps first values and survives malformed %", async () => {
      const fake = fakeHandler();
      const { port } = await start({ handler: fake.handler });
      await rawRequest(port, {
        path: "/scim/v2/Users?filter=userName%20eq%20%22a%2Bb%40x.com%22&startIndex=1&count=100&count=5",
      });
      expect(fake.last().query).toEqual({
        filter: 'userName eq "a+b@x.com"',
        startIndex: "1",
        count: "100",
      });
      const response = await rawRequest(port, {
        path: "/scim/v2/Groups?filter=displayName+eq+%22100%+off%zz%22",
      });
      expect(response.status).toBe(200);
      expect(fake.last().query).toEqual({ filter: 'displayName eq "100% off%zz"' });
    });

    it("passes headers lower-cased, without the Authorization header", async () => {
      const fake = fakeHandler();
      const { origin } = await start({
        handler: fake.handler,
        auth: { tokens: [{ token: TOKEN }] },
      });
      await fetch(`${origin}/scim/v2/Users/1`, {
        headers: {
          Authorization: `Bearer ${TOKEN}`,
          "If-None-Match": 'W/"3"',
          "X-Request-ID": "abc",
          "User-Agent": "Okta SCIM Client 1.0.0",
        },
      });
      const { headers } = fake.last();
      expect(headers).toMatchObject({
        "if-none-match": 'W/"3"',
        "x-request-id": "abc",
        "user-agent": "Okta SCIM Client 1.0.0",
      });
      expect(headers.authorization).toBeUndefined();
      expect(JSON.stringify(headers)).not.toContain(TOKEN);
      for (const name of Object.keys(headers)) expect(name).toBe(name.toLowerCase());
    });

    it("answers HEAD as a GET without a body", async () => {
      const fake = fakeHandler(() => ({ status: 200, headers: { ETag: 'W/"1"' }, body: { a: 1 } }));
      const { origin } = await start({ handler: fake.handler });
      const response = await fetch(`${origin}/scim/v2/Users/1`, { method: "HEAD" });
      expect(response.status).toBe(200);
      expect(response.headers.get("etag")).toBe('W/"1"');
      expect(await response.text()).toBe("");
      expect(fake.last().method).toBe("GET");
    });
  });

  describe("response translation", () => {
    it("writes status, ETag and Location with a SCIM content type", async () => {
      const resource = { id: "1", userName: "bjensen" };
      const fake = fakeHandler(() => ({
        status: 201,
        headers: { ETag: 'W/"a1"', Location: "https://x/scim/v2/Users/1" },
        body: resource,
      }));
      const { origin } = await start({ handler: fake.handler });
      const response = await fetch(`${origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "Content-Type": "application/scim+json" },
        body: JSON.stringify({ userName: "bjensen" }),
      });
      expect(response.status).toBe(201);
      expect(response.headers.get("content-type")).toBe("application/scim+json; charset=utf-8");
      expect(response.headers.get("etag")).toBe('W/"a1"');
      expect(response.headers.get("location")).toBe("https://x/scim/v2/Users/1");
      expect(await response.json()).toEqual(resource);
    });

    it.each([204, 304])("sends %i without a body or content type", async (status) => {
      const fake = fakeHandler(() => ({ status, headers: { ETag: 'W/"2"' }, body: { x: 1 } }));
      const { port } = await start({ handler: fake.handler });
      const response = await rawRequest(port, { path: "/scim/v2/Users/1" });
      expect(response.status).toBe(status);
      expect(response.text).toBe("");
      expect(response.headers["content-type"]).toBeUndefined();
      expect(response.headers.etag).toBe('W/"2"');
    });

    it("lets the adapter's content type win over the handler's", async () => {
      const fake = fakeHandler(() => ({
        status: 200,
        headers: { "content-type": "text/html" },
        body: { a: 1 },
      }));
      const { origin } = await start({ handler: fake.handler });
      const response = await fetch(`${origin}/scim/v2/Users`);
      expect(response.headers.get("content-type")).toBe("application/scim+json; charset=utf-8");
    });
  });

  describe("request bodies", () => {
    const body = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "Jürgen" };

    it.each([
      "application/scim+json",
      "application/scim+json; charset=utf-8",
      "application/json",
      "Application/JSON; Charset=UTF-8",
      'application/json; charset="utf8"',
    ])("accepts %s", async (contentType) => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler });
      const response = await fetch(`${origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "Content-Type": contentType },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      expect(fake.last().body).toEqual(body);
    });

    it("accepts a JSON body without a content type", async () => {
      const fake = fakeHandler();
      const { port } = await start({ handler: fake.handler });
      const response = await rawRequest(port, {
        method: "PUT",
        path: "/scim/v2/Users/1",
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      expect(fake.last().body).toEqual(body);
    });

    it("treats an empty body as no body", async () => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler });
      await fetch(`${origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "Content-Type": "application/scim+json" },
        body: "",
      });
      expect(fake.last().body).toBeUndefined();
    });

    it.each([
      ["text/plain", "a non-JSON media type"],
      ["application/xml", "XML"],
      ["application/json; charset=iso-8859-1", "a non-UTF-8 charset"],
    ])("answers 415 for %s (%s)", async (contentType) => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler });
      const response = await fetch(`${origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "Content-Type": contentType },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(415);
      expect(response.headers.get("content-type")).toBe("application/scim+json; charset=utf-8");
      expect(await response.json()).toMatchObject({ schemas: [ERROR_SCHEMA], status: "415" });
      expect(fake.received).toHaveLength(0);
    });

    it("answers 415 for a compressed body", async () => {
      const fake = fakeHandler();
      const { port } = await start({ handler: fake.handler });
      const response = await rawRequest(port, {
        method: "POST",
        path: "/scim/v2/Users",
        headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
        body: "xxxx",
      });
      expect(response.status).toBe(415);
    });

    it("answers 400 invalidSyntax for malformed JSON and for invalid UTF-8", async () => {
      const fake = fakeHandler();
      const { origin, port } = await start({ handler: fake.handler });
      const response = await fetch(`${origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "Content-Type": "application/scim+json" },
        body: '{"userName": "bjensen",',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        schemas: [ERROR_SCHEMA],
        status: "400",
        scimType: "invalidSyntax",
        detail: "The request body is not valid JSON.",
      });
      const binary = await rawRequest(port, {
        method: "POST",
        path: "/scim/v2/Users",
        headers: { "Content-Type": "application/json" },
        body: Buffer.from([0x22, 0xff, 0xfe, 0x22]),
      });
      expect(binary.status).toBe(400);
      expect(JSON.parse(binary.text)).toMatchObject({ scimType: "invalidSyntax" });
      expect(fake.received).toHaveLength(0);
    });

    it("accepts a body of exactly bodyLimit bytes and answers 413 above it", async () => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler, bodyLimit: 64 });
      const exact = JSON.stringify({ userName: "x".repeat(64 - 15) });
      expect(Buffer.byteLength(exact)).toBe(64);
      const accepted = await fetch(`${origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "Content-Type": "application/scim+json" },
        body: exact,
      });
      expect(accepted.status).toBe(200);
      const rejected = await fetch(`${origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "Content-Type": "application/scim+json" },
        body: JSON.stringify({ userName: "x".repeat(64 - 14) }),
      });
      expect(rejected.status).toBe(413);
      expect(await rejected.json()).toEqual({
        schemas: [ERROR_SCHEMA],
        status: "413",
        detail: "The request body exceeds the limit of 64 bytes.",
      });
      expect(fake.received).toHaveLength(1);
    });

    it("answers 413 for large chunked and declared bodies and keeps serving", async () => {
      const fake = fakeHandler();
      const { origin, port } = await start({ handler: fake.handler });
      const big = Buffer.alloc(3 * 1024 * 1024, 0x20);
      const response = await rawRequest(port, {
        method: "POST",
        path: "/scim/v2/Users",
        headers: { "Content-Type": "application/scim+json", "Transfer-Encoding": "chunked" },
        body: big,
      });
      expect(response.status).toBe(413);
      expect(JSON.parse(response.text)).toMatchObject({ status: "413" });
      const declared = await fetch(`${origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "Content-Type": "application/scim+json" },
        body: big,
      });
      expect(declared.status).toBe(413);
      expect((await fetch(`${origin}/scim/v2/Users`)).status).toBe(200);
      expect(fake.received).toHaveLength(1);
    });

    it("uses a body already parsed by an app-level express.json()", async () => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler }, "/scim/v2", (app) => {
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
  });

  describe("authentication", () => {
    async function expectUnauthorized(response: Response, detail: RegExp) {
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="SCIM"');
      expect(response.headers.get("content-type")).toBe("application/scim+json; charset=utf-8");
      const text = await response.text();
      expect(text).not.toContain(TOKEN);
      const body = JSON.parse(text);
      expect(body).toEqual({ schemas: [ERROR_SCHEMA], status: "401", detail: expect.any(String) });
      expect(body.detail).toMatch(detail);
    }

    it("refuses a missing header, a wrong scheme and a wrong token without calling the handler", async () => {
      const fake = fakeHandler();
      const { origin } = await start({
        handler: fake.handler,
        auth: { tokens: [{ token: TOKEN }] },
      });
      const url = `${origin}/scim/v2/Users`;
      await expectUnauthorized(await fetch(url), /Authentication required/);
      await expectUnauthorized(
        await fetch(url, { headers: { Authorization: `Basic ${btoa(`user:${TOKEN}`)}` } }),
        /scheme/,
      );
      await expectUnauthorized(
        await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}x` } }),
        /not valid/,
      );
      await expectUnauthorized(
        await fetch(url, { headers: { Authorization: `Bearer ${TOKEN.slice(0, -1)}` } }),
        /not valid/,
      );
      expect(fake.received).toHaveLength(0);
    });

    it("refuses before reading the body", async () => {
      const fake = fakeHandler();
      const { origin } = await start({
        handler: fake.handler,
        auth: { tokens: [{ token: TOKEN }] },
      });
      const response = await fetch(`${origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "Content-Type": "text/plain" },
        body: "not json",
      });
      expect(response.status).toBe(401);
    });

    it("accepts the scheme in any case and passes the token's tenant", async () => {
      const fake = fakeHandler();
      const { origin } = await start({
        handler: fake.handler,
        auth: {
          tokens: [
            { token: TOKEN, tenant: "acme" },
            { token: "scim_globex-token-0001", tenant: "globex" },
          ],
        },
      });
      for (const scheme of ["Bearer", "bearer", "BEARER"]) {
        const response = await fetch(`${origin}/scim/v2/Users`, {
          headers: { Authorization: `${scheme} ${TOKEN}` },
        });
        expect(response.status).toBe(200);
        expect(fake.last().tenant).toBe("acme");
      }
      await fetch(`${origin}/scim/v2/Users`, {
        headers: { Authorization: "Bearer scim_globex-token-0001" },
      });
      expect(fake.last().tenant).toBe("globex");
    });

    it("gives tokens without a tenant the default tenant", async () => {
      const fake = fakeHandler();
      const { origin } = await start({
        handler: fake.handler,
        auth: { tokens: [{ token: TOKEN }] },
      });
      await fetch(`${origin}/scim/v2/Users`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(fake.last().tenant).toBe("default");
    });

    it("accepts old and new tokens during rotation and refuses a revoked one", async () => {
      const fake = fakeHandler();
      const oldToken = generateToken();
      const newToken = generateToken();
      const during = await start({
        handler: fake.handler,
        auth: {
          tokens: [
            { token: oldToken, tenant: "acme" },
            { token: newToken, tenant: "acme" },
          ],
        },
      });
      for (const token of [oldToken, newToken]) {
        const response = await fetch(`${during.origin}/scim/v2/Users`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        expect(response.status).toBe(200);
        expect(fake.last().tenant).toBe("acme");
      }
      await server?.close();

      const after = await start({
        handler: fake.handler,
        auth: { tokenHashes: [{ sha256: hashToken(newToken), tenant: "acme" }] },
      });
      const revoked = await fetch(`${after.origin}/scim/v2/Users`, {
        headers: { Authorization: `Bearer ${oldToken}` },
      });
      expect(revoked.status).toBe(401);
      expect(await revoked.text()).not.toContain(oldToken);
      const current = await fetch(`${after.origin}/scim/v2/Users`, {
        headers: { Authorization: `Bearer ${newToken}` },
      });
      expect(current.status).toBe(200);
    });

    it("asks a custom verify callback and honours its answer", async () => {
      const fake = fakeHandler();
      const revoked = new Set<string>();
      const verify = vi.fn(async (token: string, _request: unknown) =>
        token === TOKEN && !revoked.has(token) ? { tenant: "db-tenant" } : null,
      );
      const { origin } = await start({ handler: fake.handler, auth: { verify } });
      const send = () =>
        fetch(`${origin}/scim/v2/Users?x=1`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect((await send()).status).toBe(200);
      expect(fake.last().tenant).toBe("db-tenant");
      expect(verify.mock.calls[0]?.[0]).toBe(TOKEN);
      expect(verify.mock.calls[0]?.[1]).toMatchObject({ method: "GET" });
      revoked.add(TOKEN);
      expect((await send()).status).toBe(401);
      expect(fake.received).toHaveLength(1);
    });

    it("turns a throwing verify into a 500 reported to onError", async () => {
      const fake = fakeHandler();
      const onError = vi.fn();
      const failure = new Error("database down");
      const { origin } = await start({
        handler: fake.handler,
        onError,
        auth: {
          verify: async () => {
            throw failure;
          },
        },
      });
      const response = await fetch(`${origin}/scim/v2/Users`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(500);
      expect(await response.text()).not.toContain("database");
      expect(onError).toHaveBeenCalledWith(failure, expect.objectContaining({ method: "GET" }));
    });

    it("serves every request as the configured tenant with auth none", async () => {
      const fake = fakeHandler();
      const { origin } = await start({
        handler: fake.handler,
        auth: { none: true, tenant: "dev" },
      });
      expect((await fetch(`${origin}/scim/v2/Users`)).status).toBe(200);
      expect(fake.last().tenant).toBe("dev");
    });
  });

  describe("errors", () => {
    it("maps an unexpected throw to a generic 500 and reports it to onError", async () => {
      const onError = vi.fn();
      const failure = new Error("connection to postgres://admin:hunter2@db failed");
      const { origin } = await start({
        onError,
        handler: async () => {
          throw failure;
        },
      });
      const response = await fetch(`${origin}/scim/v2/Users`);
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).not.toMatch(/hunter2|postgres|at |\.ts/);
      expect(JSON.parse(text)).toEqual({
        schemas: [ERROR_SCHEMA],
        status: "500",
        detail: "An internal error occurred.",
      });
      expect(onError).toHaveBeenCalledTimes(1);
      expect(onError.mock.calls[0]?.[0]).toBe(failure);
      expect(onError.mock.calls[0]?.[1]).toMatchObject({ originalUrl: "/scim/v2/Users" });
    });

    it("still answers 500 when onError itself throws", async () => {
      const { origin } = await start({
        onError: () => {
          throw new Error("hook broke");
        },
        handler: async () => {
          throw new Error("boom");
        },
      });
      expect((await fetch(`${origin}/scim/v2/Users`)).status).toBe(500);
    });

    it("answers 500 for a response that cannot be written", async () => {
      const onError = vi.fn();
      const { origin } = await start({
        onError,
        handler: async (request): Promise<ScimResponse> =>
          request.path === "/bigint"
            ? { status: 200, headers: {}, body: { n: 1n } }
            : request.path === "/status"
              ? { status: 42, headers: {} }
              : { status: 200, headers: { "X-Partial": "1", "Bad Header": "x" }, body: {} },
      });
      for (const path of ["/bigint", "/status", "/header"]) {
        const response = await fetch(`${origin}/scim/v2${path}`);
        expect(response.status).toBe(500);
        expect(response.headers.get("x-partial")).toBeNull();
      }
      expect(onError).toHaveBeenCalledTimes(3);
    });

    it("writes a thrown ScimError as its error body without calling onError", async () => {
      const onError = vi.fn();
      const { origin } = await start({
        onError,
        handler: async () => {
          throw new ScimError({ status: 409, scimType: "uniqueness", detail: "userName taken" });
        },
      });
      const response = await fetch(`${origin}/scim/v2/Users`, { method: "POST" });
      expect(response.status).toBe(409);
      expect(await response.json()).toEqual({
        schemas: [ERROR_SCHEMA],
        status: "409",
        scimType: "uniqueness",
        detail: "userName taken",
      });
      expect(onError).not.toHaveBeenCalled();
    });
  });

  describe("base URL behind a proxy", () => {
    const forwarded = { "X-Forwarded-Proto": "https", "X-Forwarded-Host": "scim.example.com" };

    it("ignores X-Forwarded-* unless the app trusts its proxy", async () => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler });
      await fetch(`${origin}/scim/v2/Users`, { headers: forwarded });
      expect(fake.last().baseUrl).toBe(`${origin}/scim/v2`);
    });

    it("honours X-Forwarded-Proto and -Host when the app sets trust proxy", async () => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler }, "/scim/v2", (app) => {
        app.set("trust proxy", "loopback");
      });
      await fetch(`${origin}/scim/v2/Users`, {
        headers: { "X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "scim.example.com, x" },
      });
      expect(fake.last().baseUrl).toBe("https://scim.example.com/scim/v2");
    });

    it("lets the trustProxy option override the app setting both ways", async () => {
      const fake = fakeHandler();
      const trusting = await start({ handler: fake.handler, trustProxy: true });
      await fetch(`${trusting.origin}/scim/v2/Users`, { headers: forwarded });
      expect(fake.last().baseUrl).toBe("https://scim.example.com/scim/v2");
      await server?.close();

      const distrusting = await start(
        { handler: fake.handler, trustProxy: false },
        "/scim/v2",
        (app) => app.set("trust proxy", true),
      );
      await fetch(`${distrusting.origin}/scim/v2/Users`, { headers: forwarded });
      expect(fake.last().baseUrl).toBe(`${distrusting.origin}/scim/v2`);
    });

    it("uses the Host header and refuses a malformed one", async () => {
      const fake = fakeHandler();
      const { port } = await start({ handler: fake.handler });
      await rawRequest(port, { path: "/scim/v2/Users", headers: { Host: "app.example.com:8443" } });
      expect(fake.last().baseUrl).toBe("http://app.example.com:8443/scim/v2");
      const bad = await rawRequest(port, {
        path: "/scim/v2/Users",
        headers: { Host: "evil.example.com/path?x=" },
      });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.text)).toMatchObject({ schemas: [ERROR_SCHEMA], status: "400" });
      expect(fake.received).toHaveLength(1);
    });
  });
});
