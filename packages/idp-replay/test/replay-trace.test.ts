import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolvePointer } from "../src/json-pointer";
import { ReplayError, replayTrace, substitute } from "../src/replay-trace";
import type { Trace, TraceStep } from "../src/trace";

/** The runner must be able to fail: a fake server whose answers each test controls. */
let port: number;
let server: http.Server;
const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body,
      });
      if (request.url?.endsWith("/empty")) {
        response.writeHead(204).end();
        return;
      }
      response.writeHead(request.method === "POST" ? 201 : 200, {
        "Content-Type": "application/scim+json",
        ETag: 'W/"1"',
      });
      response.end(
        JSON.stringify({
          id: "abc",
          "urn:x:2.0:User": { n: 1 },
          members: [{ value: "m2" }, { value: "m1" }],
          echo: body === "" ? null : JSON.parse(body),
        }),
      );
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const trace = (...steps: TraceStep[]): Trace => ({
  id: "t",
  client: "test",
  description: "",
  steps,
});

describe("replayTrace", () => {
  it("puts the target on the wire byte for byte, adds the token and a SCIM content type", async () => {
    seen.length = 0;
    await replayTrace(
      trace({
        name: "raw",
        source: "[E1]",
        request: { method: "POST", path: '/Users?filter=userName+eq+"a+b"&flag', body: { a: 1 } },
        expect: { status: 201 },
      }),
      { port, variables: { token: "secret" } },
    );
    expect(seen[0]).toMatchObject({
      method: "POST",
      url: '/scim/v2/Users?filter=userName+eq+"a+b"&flag',
      body: '{"a":1}',
    });
    expect(seen[0]?.headers.authorization).toBe("Bearer secret");
    expect(seen[0]?.headers["content-type"]).toBe("application/scim+json");
  });

  it("captures variables and substitutes them in later paths, bodies and expectations", async () => {
    seen.length = 0;
    const result = await replayTrace(
      trace(
        {
          name: "create",
          source: "s",
          request: { method: "POST", path: "/Users", body: {} },
          expect: { status: 201 },
          capture: { userId: "/id" },
        },
        {
          name: "use",
          source: "s",
          request: {
            method: "PATCH",
            path: "/Users/{{userId}}",
            headers: { Authorization: null, "Content-Type": "application/json" },
            body: { value: "{{userId}}" },
          },
          expect: {
            status: [200, 204],
            headers: { etag: 'W/"1"', "content-type": /scim/ },
            body: [
              { pointer: "/echo/value", equals: "{{userId}}" },
              { pointer: "/members", values: ["m1", "m2"] },
              { pointer: "/urn:x:2.0:User/n", equals: 1 },
              { pointer: "/nothing", absent: true },
              { pointer: "/members", length: 2 },
              { pointer: "/id", notEquals: "other" },
            ],
          },
        },
      ),
      { port, variables: { token: "t" } },
    );
    expect(result.variables.userId).toBe("abc");
    expect(seen[1]?.url).toBe("/scim/v2/Users/abc");
    expect(seen[1]?.headers.authorization).toBeUndefined();
    expect(seen[1]?.headers["content-type"]).toBe("application/json");
  });

  const failing: [string, TraceStep["expect"], RegExp][] = [
    ["a wrong status", { status: 404 }, /expected status 404, got 200/],
    [
      "a wrong value",
      { status: 200, body: [{ pointer: "/id", equals: "x" }] },
      /expected "x", found "abc"/,
    ],
    [
      "a present attribute",
      { status: 200, body: [{ pointer: "/id", absent: true }] },
      /expected absent/,
    ],
    [
      "a missing attribute",
      { status: 200, body: [{ pointer: "/x", present: true }] },
      /expected a value/,
    ],
    [
      "a wrong member set",
      { status: 200, body: [{ pointer: "/members", values: ["m1"] }] },
      /expected values/,
    ],
    ["a wrong length", { status: 200, body: [{ pointer: "/members", length: 3 }] }, /array of 3/],
    [
      "an equal value",
      { status: 200, body: [{ pointer: "/id", notEquals: "abc" }] },
      /anything but/,
    ],
    ["a wrong header", { status: 200, headers: { etag: "nope" } }, /header etag/],
  ];

  it.each(failing)(
    "fails the step on %s, showing the request and response",
    async (_label, expectation, message) => {
      const attempt = replayTrace(
        trace({
          name: "step",
          source: "[O1]",
          request: { method: "GET", path: "/Users/abc" },
          expect: expectation,
        }),
        { port },
      );
      await expect(attempt).rejects.toThrow(ReplayError);
      await expect(attempt).rejects.toThrow(message);
      await expect(attempt).rejects.toThrow(
        /t step 1 "step" \[O1\][\s\S]*> GET \/scim\/v2\/Users\/abc[\s\S]*< 200/,
      );
    },
  );

  it("fails when a body is required but the response has none, and when a capture finds nothing", async () => {
    await expect(
      replayTrace(
        trace({
          name: "empty",
          source: "s",
          request: { method: "GET", path: "/empty" },
          expect: { status: 204, requireBody: true, body: [] },
        }),
        { port },
      ),
    ).rejects.toThrow(/expected a JSON body/);
    await expect(
      replayTrace(
        trace({
          name: "capture",
          source: "s",
          request: { method: "GET", path: "/x" },
          expect: { status: 200 },
          capture: { missing: "/nope" },
        }),
        { port },
      ),
    ).rejects.toThrow(/cannot capture \{\{missing\}\}/);
  });

  it("rejects an unknown placeholder as a trace bug", () => {
    expect(() => substitute({ path: "/Users/{{nope}}" }, {})).toThrow(
      /Unknown trace variable \{\{nope\}\}/,
    );
  });
});

describe("resolvePointer", () => {
  it("follows RFC 6901, including escaped segments and keys with dots", () => {
    const document = { "a/b": { "c~d": [10, 20] }, "urn:x:2.0:User": { n: 1 } };
    expect(resolvePointer(document, "")).toBe(document);
    expect(resolvePointer(document, "/a~1b/c~0d/1")).toBe(20);
    expect(resolvePointer(document, "/urn:x:2.0:User/n")).toBe(1);
    expect(resolvePointer(document, "/a~1b/c~0d/01")).toBeUndefined();
    expect(resolvePointer(document, "/missing/deeper")).toBeUndefined();
  });
});
