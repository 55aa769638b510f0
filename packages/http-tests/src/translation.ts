import { createHash, randomBytes } from "node:crypto";
import { ScimError, type ScimResponse } from "@scimkit/core";
import type { ScimHandlerOptions } from "@scimkit/http";
import { afterEach, describe, expect, vi } from "vitest";
import { fakeHandler, rawRequest } from "./helpers";
import type { ConformanceTest, HttpAdapterUnderTest, StartedServer } from "./run-http-conformance";

const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
const SCIM_JSON = "application/scim+json; charset=utf-8";
const TOKEN = "scim_test-token-acme-0001";

// The suite depends on no adapter (each adapter's runner depends on the suite), so
// it makes tokens and their SHA-256 itself, as the layer's helpers do.
const generateToken = () => `scim_${randomBytes(32).toString("base64url")}`;
const hashToken = async (token: string) => createHash("sha256").update(token).digest("hex");

/** Request and response translation with a recording handler: what the layer does, not the service. */
export function describeTranslation(adapter: HttpAdapterUnderTest, test: ConformanceTest): void {
  let server: StartedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** Starts the adapter at `basePath` with `auth: none` unless the options say otherwise. */
  async function start(
    options: Partial<ScimHandlerOptions<unknown>> & { handler: ScimHandlerOptions["handler"] },
    basePath = "/scim/v2",
  ) {
    server = await adapter.start({
      options: { auth: { none: true }, ...options } as ScimHandlerOptions<unknown>,
      basePath,
    });
    return server;
  }

  describe("request translation", () => {
    test("passes method, path below the mount point, tenant and base URL", async () => {
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
      expect(fake.last().tokenId).toBeUndefined();
    });

    test("works mounted at the root and deep below it, with a trailing slash", async () => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler }, "");
      await fetch(`${origin}/Users`);
      expect(fake.last()).toMatchObject({ path: "/Users", baseUrl: origin });
      await server?.close();

      const deep = await start({ handler: fake.handler }, "/api/tenants/acme/scim");
      await fetch(`${deep.origin}/api/tenants/acme/scim/`);
      expect(fake.last()).toMatchObject({
        path: "/",
        baseUrl: `${deep.origin}/api/tenants/acme/scim`,
      });
      await fetch(`${deep.origin}/api/tenants/acme/scim/ServiceProviderConfig?x=1`);
      expect(fake.last()).toMatchObject({ path: "/ServiceProviderConfig", query: { x: "1" } });
    });

    test("hands every method and path to the handler, unknown ones included", async () => {
      const fake = fakeHandler(() => ({ status: 404, headers: {}, body: { nope: true } }));
      const { origin } = await start({ handler: fake.handler });
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
        const response = await fetch(`${origin}/scim/v2/Nope/x/y`, { method });
        expect(response.status).toBe(404);
        expect(fake.last()).toMatchObject({ method, path: "/Nope/x/y" });
      }
    });

    test("percent-decodes the path per segment", async () => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler });
      await fetch(
        `${origin}/scim/v2/Schemas/urn%3Aietf%3Aparams%3Ascim%3Aschemas%3Acore%3A2.0%3AUser`,
      );
      expect(fake.last().path).toBe("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User");
      await fetch(`${origin}/scim/v2/Users/J%C3%BCrgen+x%20y`);
      expect(fake.last().path).toBe("/Users/Jürgen+x y");
    });

    test("decodes Entra's `+` spaces and raw quotes in the query", async () => {
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

    test("decodes Okta's percent-encoded query, keeps first values and survives malformed %", async () => {
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

    test("passes headers lower-cased, without the Authorization header", async () => {
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

    test("answers HEAD as a GET without a body", async () => {
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
    test("writes status, ETag and Location with a SCIM content type", async () => {
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
      expect(response.headers.get("content-type")).toBe(SCIM_JSON);
      expect(response.headers.get("etag")).toBe('W/"a1"');
      expect(response.headers.get("location")).toBe("https://x/scim/v2/Users/1");
      const text = await response.text();
      expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
      expect(JSON.parse(text)).toEqual(resource);
    });

    for (const status of [204, 304]) {
      test(`sends ${status} without a body or content type`, async () => {
        const fake = fakeHandler(() => ({ status, headers: { ETag: 'W/"2"' }, body: { x: 1 } }));
        const { port } = await start({ handler: fake.handler });
        const response = await rawRequest(port, { path: "/scim/v2/Users/1" });
        expect(response.status).toBe(status);
        expect(response.text).toBe("");
        expect(response.headers["content-type"]).toBeUndefined();
        expect(response.headers.etag).toBe('W/"2"');
      });
    }

    test("lets the adapter's content type win over the handler's", async () => {
      const fake = fakeHandler(() => ({
        status: 200,
        headers: { "content-type": "text/html", "Content-Length": "1" },
        body: { a: 1 },
      }));
      const { origin } = await start({ handler: fake.handler });
      const response = await fetch(`${origin}/scim/v2/Users`);
      expect(response.headers.get("content-type")).toBe(SCIM_JSON);
      expect(await response.json()).toEqual({ a: 1 });
    });
  });

  describe("request bodies", () => {
    const body = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "Jürgen" };

    for (const contentType of [
      "application/scim+json",
      "application/scim+json; charset=utf-8",
      "application/json",
      "Application/JSON; Charset=UTF-8",
      'application/json; charset="utf8"',
    ]) {
      test(`accepts ${contentType}`, async () => {
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
    }

    test("accepts a JSON body without a content type", async () => {
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

    test("keeps __proto__ and constructor keys as data", async () => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler });
      const text = '{"userName":"x","__proto__":{"admin":true},"constructor":{"prototype":1}}';
      const response = await fetch(`${origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "Content-Type": "application/scim+json" },
        body: text,
      });
      expect(response.status).toBe(200);
      const received = fake.last().body as Record<string, unknown>;
      expect(Object.getOwnPropertyDescriptor(received, "__proto__")?.value).toEqual({
        admin: true,
      });
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    test("treats an empty body as no body", async () => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler });
      await fetch(`${origin}/scim/v2/Users`, {
        method: "POST",
        headers: { "Content-Type": "application/scim+json" },
        body: "",
      });
      expect(fake.last().body).toBeUndefined();
    });

    for (const contentType of [
      "text/plain",
      "application/xml",
      "application/json; charset=iso-8859-1",
    ]) {
      test(`answers 415 for ${contentType}`, async () => {
        const fake = fakeHandler();
        const { origin } = await start({ handler: fake.handler });
        const response = await fetch(`${origin}/scim/v2/Users`, {
          method: "POST",
          headers: { "Content-Type": contentType },
          body: JSON.stringify(body),
        });
        expect(response.status).toBe(415);
        expect(response.headers.get("content-type")).toBe(SCIM_JSON);
        expect(await response.json()).toMatchObject({ schemas: [ERROR_SCHEMA], status: "415" });
        expect(fake.received).toHaveLength(0);
      });
    }

    test("answers 415 for a compressed body", async () => {
      const fake = fakeHandler();
      const { port } = await start({ handler: fake.handler });
      const response = await rawRequest(port, {
        method: "POST",
        path: "/scim/v2/Users",
        headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
        body: "xxxx",
      });
      expect(response.status).toBe(415);
      expect(JSON.parse(response.text)).toEqual({
        schemas: [ERROR_SCHEMA],
        status: "415",
        detail: "Unsupported Content-Encoding: send identity.",
      });
    });

    test("answers 400 invalidSyntax for malformed JSON and for invalid UTF-8", async () => {
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
      expect(JSON.parse(binary.text)).toMatchObject({
        scimType: "invalidSyntax",
        detail: "The request body is not valid UTF-8.",
      });
      expect(fake.received).toHaveLength(0);
    });

    test("accepts a body of exactly bodyLimit bytes and answers 413 above it", async () => {
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
      expect(rejected.headers.get("content-type")).toBe(SCIM_JSON);
      expect(await rejected.json()).toEqual({
        schemas: [ERROR_SCHEMA],
        status: "413",
        detail: "The request body exceeds the limit of 64 bytes.",
      });
      expect(fake.received).toHaveLength(1);
    });

    test("answers 413 for large chunked and declared bodies and keeps serving", async () => {
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
  });

  describe("authentication", () => {
    async function expectUnauthorized(response: Response, detail: RegExp) {
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="SCIM"');
      expect(response.headers.get("content-type")).toBe(SCIM_JSON);
      const text = await response.text();
      expect(text).not.toContain(TOKEN);
      const body = JSON.parse(text);
      expect(body).toEqual({ schemas: [ERROR_SCHEMA], status: "401", detail: expect.any(String) });
      expect(body.detail).toMatch(detail);
    }

    test("refuses a missing header, a wrong scheme and a wrong token without calling the handler", async () => {
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

    test("refuses before reading the body", async () => {
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

    test("accepts the scheme in any case and passes the token's tenant and id", async () => {
      const fake = fakeHandler();
      const { origin } = await start({
        handler: fake.handler,
        auth: {
          tokens: [
            { token: TOKEN, tenant: "acme", id: "acme-2024" },
            { token: "scim_globex-token-0001", tenant: "globex" },
          ],
        },
      });
      for (const scheme of ["Bearer", "bearer", "BEARER"]) {
        const response = await fetch(`${origin}/scim/v2/Users`, {
          headers: { Authorization: `${scheme} ${TOKEN}` },
        });
        expect(response.status).toBe(200);
        expect(fake.last()).toMatchObject({ tenant: "acme", tokenId: "acme-2024" });
      }
      await fetch(`${origin}/scim/v2/Users`, {
        headers: { Authorization: "Bearer scim_globex-token-0001" },
      });
      expect(fake.last().tenant).toBe("globex");
      expect(fake.last().tokenId).toBeUndefined();
    });

    test("gives tokens without a tenant the default tenant", async () => {
      const fake = fakeHandler();
      const { origin } = await start({
        handler: fake.handler,
        auth: { tokens: [{ token: TOKEN }] },
      });
      await fetch(`${origin}/scim/v2/Users`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(fake.last().tenant).toBe("default");
    });

    test("accepts old and new tokens during rotation and refuses a revoked one", async () => {
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
        auth: {
          tokenHashes: [{ sha256: await hashToken(newToken), tenant: "acme", id: "new" }],
        },
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
      expect(fake.last().tokenId).toBe("new");
    });

    test("asks a custom verify callback and honours its answer", async () => {
      const fake = fakeHandler();
      const revoked = new Set<string>();
      const verify = vi.fn(async (token: string, _request: unknown) =>
        token === TOKEN && !revoked.has(token) ? { tenant: "db-tenant", tokenId: "row-42" } : null,
      );
      const { origin } = await start({ handler: fake.handler, auth: { verify } });
      const send = () =>
        fetch(`${origin}/scim/v2/Users?x=1`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect((await send()).status).toBe(200);
      expect(fake.last()).toMatchObject({ tenant: "db-tenant", tokenId: "row-42" });
      expect(verify.mock.calls[0]?.[0]).toBe(TOKEN);
      expect(verify.mock.calls[0]?.[1]).toBeDefined();
      revoked.add(TOKEN);
      expect((await send()).status).toBe(401);
      expect(fake.received).toHaveLength(1);
    });

    test("answers a ScimError thrown by verify as that error, without onError", async () => {
      const fake = fakeHandler();
      const onError = vi.fn();
      const { origin } = await start({
        handler: fake.handler,
        onError,
        auth: {
          verify: async (token) => {
            if (token === "expired") {
              throw new ScimError({ status: 401, detail: "The token has expired." });
            }
            throw new ScimError({
              status: 403,
              detail: "Provisioning is disabled for this tenant.",
            });
          },
        },
      });
      const forbidden = await fetch(`${origin}/scim/v2/Users`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers.get("www-authenticate")).toBeNull();
      expect(forbidden.headers.get("content-type")).toBe(SCIM_JSON);
      expect(await forbidden.json()).toEqual({
        schemas: [ERROR_SCHEMA],
        status: "403",
        detail: "Provisioning is disabled for this tenant.",
      });
      const expired = await fetch(`${origin}/scim/v2/Users`, {
        headers: { Authorization: "Bearer expired" },
      });
      expect(expired.status).toBe(401);
      expect(expired.headers.get("www-authenticate")).toBe('Bearer realm="SCIM"');
      expect(onError).not.toHaveBeenCalled();
      expect(fake.received).toHaveLength(0);
    });

    test("turns a throwing verify into a 500 reported to onError", async () => {
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
      expect(onError).toHaveBeenCalledWith(failure, expect.anything());
    });

    test("serves every request as the configured tenant with auth none", async () => {
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
    test("maps an unexpected throw to a generic 500 and reports it to onError", async () => {
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
      expect(response.headers.get("content-type")).toBe(SCIM_JSON);
      const text = await response.text();
      expect(text).not.toMatch(/hunter2|postgres|at |\.ts/);
      expect(JSON.parse(text)).toEqual({
        schemas: [ERROR_SCHEMA],
        status: "500",
        detail: "An internal error occurred.",
      });
      expect(onError).toHaveBeenCalledTimes(1);
      expect(onError.mock.calls[0]?.[0]).toBe(failure);
      expect(onError.mock.calls[0]?.[1]).toBeDefined();
    });

    test("still answers 500 when onError itself throws", async () => {
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

    test("answers 500 for a response that cannot be written", async () => {
      const onError = vi.fn();
      const { origin } = await start({
        onError,
        handler: async (request): Promise<ScimResponse> =>
          request.path === "/bigint"
            ? { status: 200, headers: {}, body: { n: 1n } }
            : request.path === "/status"
              ? { status: 42, headers: {} }
              : request.path === "/value"
                ? { status: 200, headers: { "X-Partial": "1", "X-Split": "a\r\nb: c" }, body: {} }
                : { status: 200, headers: { "X-Partial": "1", "Bad Header": "x" }, body: {} },
      });
      for (const path of ["/bigint", "/status", "/header", "/value"]) {
        const response = await fetch(`${origin}/scim/v2${path}`);
        expect(response.status).toBe(500);
        expect(response.headers.get("x-partial")).toBeNull();
        expect(response.headers.get("b")).toBeNull();
      }
      expect(onError).toHaveBeenCalledTimes(4);
    });

    test("writes a thrown ScimError as its error body without calling onError", async () => {
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

    test("ignores X-Forwarded-* by default", async () => {
      const fake = fakeHandler();
      const { origin } = await start({ handler: fake.handler });
      await fetch(`${origin}/scim/v2/Users`, { headers: forwarded });
      expect(fake.last().baseUrl).toBe(`${origin}/scim/v2`);
    });

    test("honours the first X-Forwarded-Proto and -Host with trustProxy: true, never with false", async () => {
      const fake = fakeHandler();
      const trusting = await start({ handler: fake.handler, trustProxy: true });
      await fetch(`${trusting.origin}/scim/v2/Users`, {
        headers: { "X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "scim.example.com, x" },
      });
      expect(fake.last().baseUrl).toBe("https://scim.example.com/scim/v2");
      await server?.close();

      const distrusting = await start({ handler: fake.handler, trustProxy: false });
      await fetch(`${distrusting.origin}/scim/v2/Users`, { headers: forwarded });
      expect(fake.last().baseUrl).toBe(`${distrusting.origin}/scim/v2`);
    });

    test("uses the Host header and refuses a malformed one", async () => {
      const fake = fakeHandler();
      const { port } = await start({ handler: fake.handler });
      await rawRequest(port, { path: "/scim/v2/Users", headers: { Host: "app.example.com:8443" } });
      expect(fake.last().baseUrl).toBe("http://app.example.com:8443/scim/v2");
      const bad = await rawRequest(port, {
        path: "/scim/v2/Users",
        headers: { Host: "evil.example.com/path?x=" },
      });
      expect(bad.status).toBe(400);
      expect(fake.received).toHaveLength(1);
    });

    test("refuses a malformed forwarded host when proxies are trusted", async () => {
      const fake = fakeHandler();
      const { port } = await start({ handler: fake.handler, trustProxy: true });
      const bad = await rawRequest(port, {
        path: "/scim/v2/Users",
        headers: { "X-Forwarded-Host": "evil.example.com/x?y=" },
      });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.text)).toEqual({
        schemas: [ERROR_SCHEMA],
        status: "400",
        detail: "The Host header is missing or malformed.",
      });
      expect(fake.received).toHaveLength(0);
    });
  });
}
