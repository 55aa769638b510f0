import { describe, expect, it } from "vitest";
import { listChecks, runChecks } from "../src";

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/scim+json" },
  });

/** A server whose ServiceProviderConfig turns every optional feature off and that has no Group type. */
const minimalServer: typeof fetch = async (input) => {
  const url = new URL(String(input instanceof Request ? input.url : input));
  if (url.pathname.endsWith("/ServiceProviderConfig")) {
    return json({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      patch: { supported: false },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: false, maxResults: 0 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
      authenticationSchemes: [],
    });
  }
  if (url.pathname.endsWith("/ResourceTypes")) {
    return json({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 1,
      Resources: [
        { name: "User", endpoint: "/Users", schema: "urn:ietf:params:scim:schemas:core:2.0:User" },
      ],
    });
  }
  return json(
    {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "404",
      detail: "nothing here",
    },
    404,
  );
};

describe("runChecks", () => {
  it("validates its options when called", async () => {
    await expect(runChecks({ baseUrl: "nope", token: "t" })).rejects.toThrow(/not a URL/);
    await expect(runChecks({ baseUrl: "http://a/scim", token: "" })).rejects.toThrow(/token/);
    await expect(
      runChecks({ baseUrl: "http://a/scim", token: "t", concurrency: 0 }),
    ).rejects.toThrow(/concurrency/);
  });

  it("skips, never fails, what /ServiceProviderConfig says is not offered", async () => {
    const report = await runChecks({
      baseUrl: "http://scim.test/v2",
      token: "t",
      fetch: minimalServer,
    });
    const statusOf = (id: string) => report.checks.find((result) => result.id === id);
    for (const [prefix, reason] of [
      ["patch.", "PATCH (patch.supported is false)"],
      ["bulk.", "Bulk (bulk.supported is false)"],
      ["filter.eq", "filtering (filter.supported is false)"],
      ["etag.", "ETags (etag.supported is false)"],
      ["groups.", "a Group resource type"],
    ] as const) {
      const matching = report.checks.filter((result) => result.id.startsWith(prefix));
      expect(matching.length, prefix).toBeGreaterThan(0);
      for (const result of matching) {
        expect(result.status, result.id).toBe("skipped");
        expect(result.reason).toContain(reason);
      }
    }
    expect(statusOf("sort.descending")?.status).toBe("skipped");
    expect(statusOf("cursor.follow")?.status).toBe("skipped");
    expect(statusOf("patch.change-password")?.status).toBe("skipped");
    // A check that can run but whose fixture cannot be made is skipped with the reason, not failed.
    expect(statusOf("users.put.replace")).toMatchObject({
      status: "skipped",
      reason: expect.stringContaining("prerequisite failed: could not create a user"),
    });
    // What the server really gets wrong still fails.
    expect(statusOf("users.create.status")?.status).toBe("failed");
  });

  it("reports an unreachable server as one failure and skips the rest with the reason", async () => {
    const report = await runChecks({
      baseUrl: "http://127.0.0.1:9/scim",
      token: "t",
      only: "discovery.schemas.*",
      fetch: () =>
        Promise.reject(
          Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }),
        ),
    });
    expect(report.checks[0]).toMatchObject({ id: "discovery.connect", status: "failed" });
    expect(report.checks.slice(1).every((result) => result.status === "skipped")).toBe(true);
    expect(report.summary).toMatchObject({ ok: false, failed: 1 });
  });

  it("bounds every request by a time limit", async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      );
    const report = await runChecks({
      baseUrl: "http://scim.test/v2",
      token: "t",
      only: "discovery.spc.status",
      requestTimeoutMs: 50,
      fetch: hanging,
    });
    expect(report.checks[0]?.got).toContain("no answer within 50 ms");
  });

  it("selects vendor checks with idp and checks with only", async () => {
    const ids = async (options: { only?: string; idp?: "entra" | "okta" | "all" }) =>
      (
        await runChecks({
          baseUrl: "http://scim.test/v2",
          token: "t",
          fetch: minimalServer,
          ...options,
        })
      ).checks.map((result) => result.id);
    const entraOnly = await ids({ idp: "entra" });
    expect(entraOnly.some((id) => id.startsWith("entra."))).toBe(true);
    expect(entraOnly.some((id) => id.startsWith("okta."))).toBe(false);
    expect(await ids({ only: "okta.*", idp: "entra" })).toEqual([]);
    expect(await ids({ only: "filter.precedence" })).toEqual([
      "filter.precedence.and-over-or",
      "filter.precedence.parentheses",
    ]);
  });
});

describe("the catalogue", () => {
  const checks = listChecks();

  it("has at least 150 checks with unique ids, each naming an RFC section or a vendor document", () => {
    expect(checks.length).toBeGreaterThanOrEqual(150);
    expect(new Set(checks.map((check) => check.id)).size).toBe(checks.length);
    for (const check of checks) {
      expect(check.ref, check.id).toMatch(
        /RFC (7643|7644|9865) §\d|Entra ID|Okta SCIM 2\.0 protocol reference/,
      );
      expect(check.id.startsWith(`${check.area}.`), check.id).toBe(true);
      if (check.idp !== undefined) expect(check.area).toBe(check.idp);
    }
  });

  it("covers every filter operator and every PATCH path form", () => {
    const ids = new Set(checks.map((check) => check.id));
    for (const operator of [
      "eq",
      "ne",
      "co",
      "sw",
      "ew",
      "pr",
      "gt",
      "ge",
      "lt",
      "le",
      "and",
      "or",
      "not",
    ]) {
      expect(ids.has(`filter.${operator}`), operator).toBe(true);
    }
    for (const form of [
      "add.attribute",
      "add.no-path",
      "replace.sub-attribute",
      "replace.value-filter",
      "remove.value-filter",
      "extension.attribute",
      "extension.object",
      "extension.no-path",
    ]) {
      expect(ids.has(`patch.${form}`), form).toBe(true);
    }
  });
});
