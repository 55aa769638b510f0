import { memoryStore } from "@scimkit/store-memory";
import { describe, expect, it } from "vitest";
import { createManagementService } from "../src/management/create-management-service";
import { createScimService } from "../src/service/create-scim-service";
import { guessIdp } from "../src/service/guess-idp";
import { createLogWriter } from "../src/service/provisioning-log";
import type { ScimRequest } from "../src/service/types";
import type { LogEntry } from "../src/store/contract";
import { GROUP_SCHEMA, PATCH_SCHEMA, USER_SCHEMA } from "./service-harness";

const request = (
  method: string,
  path: string,
  body?: unknown,
  extra: Partial<ScimRequest> = {},
): ScimRequest => ({
  method,
  path,
  query: {},
  headers: {},
  body,
  tenant: "acme",
  baseUrl: "https://sp.example.com/scim/v2",
  ...extra,
});

describe("the provisioning log", () => {
  it("keeps one entry per request with what an admin debugs with, and never a value", async () => {
    const store = memoryStore();
    const service = createScimService({ store });
    const entra = {
      headers: { "user-agent": "Azure Active Directory SCIM Client" },
      tokenId: "tok_1",
    };
    const created = await service.handle(
      request(
        "POST",
        "/Users",
        {
          schemas: [USER_SCHEMA],
          userName: "ann@example.com",
          password: "Secret-P4ss!",
          title: "Boss",
        },
        entra,
      ),
    );
    const id = (created.body as { id: string }).id;
    await service.handle(
      request(
        "PATCH",
        `/Users/${id}`,
        {
          schemas: [PATCH_SCHEMA],
          Operations: [
            { op: "Replace", path: "active", value: "False" },
            { op: "add", path: "password", value: "Other-P4ss!" },
            {
              op: "replace",
              path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
              value: "R&D",
            },
          ],
        },
        entra,
      ),
    );
    await service.handle(
      request("GET", "/Users/missing", undefined, {
        headers: { "user-agent": "Okta SCIM Client 1.0.0" },
      }),
    );
    await service.handle(request("POST", "/Users", { schemas: [USER_SCHEMA], userName: 5 }));
    await service.handle(
      request("POST", "/Users", { schemas: [USER_SCHEMA], userName: "ANN@example.com" }),
    );
    await service.handle(request("GET", "/Users", undefined, { tenant: "other" }));
    await service.flush();

    const entries = await store.log!.query("acme", { limit: 10 });
    expect(entries.map((entry) => `${entry.method} ${entry.path} ${entry.status}`)).toEqual([
      "POST /Users 409",
      "POST /Users 400",
      "GET /Users/missing 404",
      `PATCH /Users/${id} 200`,
      "POST /Users 201",
    ]);
    const [conflict, invalid, missing, patched, create] = entries;
    expect(create).toMatchObject({
      tenant: "acme",
      tokenId: "tok_1",
      resourceType: "User",
      resourceId: id,
      changedAttributes: ["password", "title", "userName"],
      idp: "entra",
    });
    expect(patched).toMatchObject({
      resourceType: "User",
      resourceId: id,
      changedAttributes: [
        "active",
        "password",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
      ],
    });
    expect(missing).toMatchObject({ resourceType: "User", resourceId: "missing", idp: "okta" });
    expect(missing?.detail).toContain("not found");
    expect(invalid).toMatchObject({ scimType: "invalidValue", resourceType: "User" });
    expect(conflict).toMatchObject({ scimType: "uniqueness" });
    for (const entry of entries) {
      expect(entry.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(entry.time)).not.toBeNaN();
    }
    const text = JSON.stringify(entries);
    expect(text).not.toContain("Secret-P4ss!");
    expect(text).not.toContain("Other-P4ss!");
    expect(text).not.toContain("Boss");
    expect(await store.log!.query("other", { limit: 10 })).toHaveLength(1);

    // The management API reads it newest first, filtered and paged.
    const management = createManagementService({ store });
    await store.tenants!.create({
      id: "acme",
      name: "Acme",
      createdAt: "2030-01-01T00:00:00.000Z",
    });
    const errors = await management.handle({
      method: "GET",
      path: "/tenants/acme/log",
      query: { status: "4xx" },
    });
    expect((errors.body as { entries: unknown[] }).entries).toHaveLength(3);
    const page = await management.handle({
      method: "GET",
      path: "/tenants/acme/log",
      query: { limit: "2" },
    });
    const { entries: first, nextCursor } = page.body as {
      entries: { path: string }[];
      nextCursor: string;
    };
    const next = await management.handle({
      method: "GET",
      path: "/tenants/acme/log",
      query: { limit: "2", cursor: nextCursor },
    });
    expect(
      [...first, ...(next.body as { entries: { path: string }[] }).entries].map(
        (entry) => entry.path,
      ),
    ).toEqual(entries.slice(0, 4).map((entry) => entry.path));
    const byResource = await management.handle({
      method: "GET",
      path: "/tenants/acme/log",
      query: { resourceId: id },
    });
    expect((byResource.body as { entries: unknown[] }).entries).toHaveLength(2);
    const badQueries: Record<string, string>[] = [
      { status: "teapot" },
      { limit: "0" },
      { cursor: "???" },
      { from: "yesterday" },
    ];
    for (const query of badQueries) {
      expect(
        (await management.handle({ method: "GET", path: "/tenants/acme/log", query })).status,
      ).toBe(400);
    }
  });

  it("logs nothing with log: false, and never slows or fails a request when the store's log fails", async () => {
    const quiet = memoryStore();
    const off = createScimService({ store: quiet, log: false });
    await off.handle(request("GET", "/Users"));
    await off.flush();
    expect(await quiet.log!.query("acme", { limit: 10 })).toEqual([]);

    const store = memoryStore();
    const errors: unknown[] = [];
    const failing = {
      ...store,
      log: { ...store.log!, append: () => Promise.reject(new Error("log down")) },
    };
    const service = createScimService({ store: failing, onError: (error) => errors.push(error) });
    const response = await service.handle(
      request("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Still works" }),
    );
    expect(response.status).toBe(201);
    await service.flush();
    expect(errors.map((error) => (error as Error).message)).toEqual(["log down"]);
  });

  it("prunes changes and log entries past their retention", async () => {
    const store = memoryStore();
    let now = new Date("2030-01-01T00:00:00.000Z");
    const service = createScimService({
      store,
      clock: () => now,
      log: { retentionDays: 1 },
      changeFeed: { retentionDays: 2 },
    });
    await service.handle(
      request("POST", "/Users", { schemas: [USER_SCHEMA], userName: "old@example.com" }),
    );
    await service.flush();
    now = new Date("2030-01-02T12:00:00.000Z");
    expect(await service.prune()).toEqual({ changes: 0, logEntries: 1 });
    now = new Date("2030-01-03T12:00:00.000Z");
    expect(await service.prune()).toEqual({ changes: 1, logEntries: 0 });
    expect(await store.feed!.read("acme", { after: 0, limit: 10 })).toEqual([]);
  });

  it("guesses the IdP from the User-Agent or Entra's tenant-URL flag", () => {
    expect(guessIdp("Okta SCIM Client 1.0.0", {})).toBe("okta");
    expect(guessIdp("Google-Auto-Provisioning", {})).toBe("google");
    expect(guessIdp("Microsoft.AAD.Provisioning", {})).toBe("entra");
    expect(guessIdp(undefined, { aadOptscim062020: "" })).toBe("entra");
    expect(guessIdp("curl/8.5.0", {})).toBeUndefined();
  });
});

describe("the provisioning log's writer", () => {
  it("appends a busy service's entries about once per 100 ms, not once per append", async () => {
    const appended: number[] = [];
    const log = {
      append: async (entries: readonly LogEntry[]) => {
        appended.push(entries.length);
        await new Promise((resolve) => setTimeout(resolve, 15));
      },
    };
    const writer = createLogWriter(log as never, (error) => {
      throw error;
    });
    // 150 requests, one every 2 ms: 300 ms of traffic, each append taking 15 ms.
    for (let index = 0; index < 150; index += 1) {
      writer.push({ id: String(index) } as LogEntry);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await writer.flush();
    expect(appended.reduce((sum, count) => sum + count, 0)).toBe(150);
    // A few timer flushes and the final one (one append per 15 ms would be ~20).
    expect(appended.length).toBeLessThanOrEqual(8);
  });
});

describe("rateLimit", () => {
  it("answers 429 with Retry-After once a token exceeds its rate, per token", async () => {
    let now = 1_000_000;
    const service = createScimService({
      store: memoryStore(),
      rateLimit: { requestsPerSecond: 2, burst: 3 },
      clock: () => new Date(now),
    });
    const send = (tokenId: string) =>
      service.handle(request("GET", "/Users", undefined, { tokenId }));
    const statuses = [];
    for (let index = 0; index < 5; index += 1) statuses.push((await send("a")).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await send("a");
    expect(limited.headers["Retry-After"]).toBe("1");
    expect(limited.body).toMatchObject({
      status: "429",
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
    });
    expect((await send("b")).status).toBe(200);
    now += 1000;
    expect((await send("a")).status).toBe(200);
    expect(() =>
      createScimService({ store: memoryStore(), rateLimit: { requestsPerSecond: 0 } }),
    ).toThrow(TypeError);
  });
});
