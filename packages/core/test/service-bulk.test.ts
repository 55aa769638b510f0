import { memoryStore } from "@scimkit/store-memory";
import { describe, expect, it, vi } from "vitest";
import { BASE_URL, GROUP_SCHEMA, setup, USER_SCHEMA } from "./service-harness";

const BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const bulk = (Operations: unknown[], extra: Record<string, unknown> = {}) => ({
  schemas: [BULK_REQUEST],
  Operations,
  ...extra,
});

describe("POST /Bulk", () => {
  it("resolves bulkId references in data and paths, even to a later operation", async () => {
    const { call } = setup();
    const response = await call(
      "POST",
      "/Bulk",
      bulk([
        // Refers to bulkId "u1" before the operation that defines it.
        {
          method: "POST",
          path: "/Groups",
          bulkId: "g1",
          data: {
            schemas: [GROUP_SCHEMA],
            displayName: "Tour Guides",
            members: [{ value: "bulkId:u1" }],
          },
        },
        {
          method: "POST",
          path: "/Users",
          bulkId: "u1",
          data: { schemas: [USER_SCHEMA], userName: "alice" },
        },
        {
          method: "PATCH",
          path: "/Groups/bulkId:g1",
          data: {
            schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            Operations: [{ op: "replace", path: "displayName", value: "Guides" }],
          },
        },
      ]),
    );
    expect(response.status).toBe(200);
    expect(response.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:BulkResponse"]);
    const [group, user, patch] = response.body.Operations;
    expect(group).toMatchObject({ method: "POST", bulkId: "g1", status: "201", version: 'W/"1"' });
    expect(user).toMatchObject({ method: "POST", bulkId: "u1", status: "201" });
    expect(patch).toMatchObject({ method: "PATCH", status: "204", location: group.location });
    const userId = user.location.slice(user.location.lastIndexOf("/") + 1);
    expect(user.location).toBe(`${BASE_URL}/Users/${userId}`);
    const read = await call("GET", group.location.slice(BASE_URL.length));
    expect(read.body).toMatchObject({
      displayName: "Guides",
      members: [{ value: userId, type: "User" }],
    });
  });

  it("resolves groups that contain each other (RFC 7644 §3.7.1) by adding one side's members afterwards", async () => {
    const { call } = setup();
    const response = await call(
      "POST",
      "/Bulk",
      bulk([
        {
          method: "POST",
          path: "/Groups",
          bulkId: "a",
          data: { schemas: [GROUP_SCHEMA], displayName: "A", members: [{ value: "bulkId:b" }] },
        },
        {
          method: "POST",
          path: "/Groups",
          bulkId: "b",
          data: { schemas: [GROUP_SCHEMA], displayName: "B", members: [{ value: "bulkId:a" }] },
        },
      ]),
    );
    const [a, b] = response.body.Operations;
    expect(a).toMatchObject({ bulkId: "a", status: "201", version: 'W/"2"' });
    expect(b).toMatchObject({ bulkId: "b", status: "201" });
    const idOf = (location: string) => location.slice(location.lastIndexOf("/") + 1);
    const groupA = await call("GET", `/Groups/${idOf(a.location)}`);
    const groupB = await call("GET", `/Groups/${idOf(b.location)}`);
    expect(groupA.body.members).toEqual([
      expect.objectContaining({ value: idOf(b.location), type: "Group" }),
    ]);
    expect(groupB.body.members).toEqual([
      expect.objectContaining({ value: idOf(a.location), type: "Group" }),
    ]);
  });

  it("fails unbreakable cycles and unresolvable references with 409 and runs the rest", async () => {
    const { call } = setup();
    const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    const response = await call(
      "POST",
      "/Bulk",
      bulk([
        // Each user's single-valued manager is the other: neither can be created first.
        {
          method: "POST",
          path: "/Users",
          bulkId: "x",
          data: { userName: "x", [enterprise]: { manager: { value: "bulkId:y" } } },
        },
        {
          method: "POST",
          path: "/Users",
          bulkId: "y",
          data: { userName: "y", [enterprise]: { manager: { value: "bulkId:x" } } },
        },
        { method: "DELETE", path: "/Users/bulkId:nowhere" },
        { method: "POST", path: "/Users", bulkId: "ok", data: { userName: "fine" } },
      ]),
    );
    const statuses = response.body.Operations.map(
      (operation: { status: string }) => operation.status,
    );
    expect(statuses).toEqual(["409", "409", "409", "201"]);
    expect(response.body.Operations[0].response).toMatchObject({
      status: "409",
      detail: expect.stringContaining("Circular"),
    });
    expect(response.body.Operations[2].response.detail).toContain('"nowhere"');
  });

  it("reports each failed operation with its SCIM error and stops after failOnErrors", async () => {
    const { call } = setup();
    const operations = [
      { method: "POST", path: "/Users", bulkId: "1", data: { userName: "dup" } },
      { method: "POST", path: "/Users", bulkId: "2", data: { userName: "dup" } },
      { method: "DELETE", path: "/Users/missing" },
      { method: "POST", path: "/Users", bulkId: "3", data: { userName: "never" } },
    ];
    const response = await call("POST", "/Bulk", bulk(operations, { failOnErrors: 2 }));
    expect(response.body.Operations).toEqual([
      expect.objectContaining({ status: "201" }),
      expect.objectContaining({
        status: "409",
        response: expect.objectContaining({ scimType: "uniqueness", status: "409" }),
      }),
      expect.objectContaining({ method: "DELETE", status: "404" }),
    ]);
    const never = await call("GET", "/Users", undefined, {
      query: { filter: 'userName eq "never"' },
    });
    expect(never.body.totalResults).toBe(0);
  });

  it("answers 413 beyond maxOperations or maxPayloadSize, naming the limit", async () => {
    const { call } = setup({ limits: { bulk: { maxOperations: 2, maxPayloadSize: 400 } } });
    const operation = { method: "DELETE", path: "/Users/x" };
    const tooMany = await call("POST", "/Bulk", bulk([operation, operation, operation]));
    expect(tooMany.status).toBe(413);
    expect(tooMany.body).toMatchObject({
      status: "413",
      detail: expect.stringContaining("maxOperations is 2"),
    });
    expect(tooMany.body.scimType).toBeUndefined();
    const big = await call("POST", "/Bulk", bulk([{ ...operation, padding: "x".repeat(500) }]));
    expect(big.status).toBe(413);
    expect(big.body.detail).toContain("maxPayloadSize (400)");
  });

  it("rejects malformed requests and operations", async () => {
    const { call } = setup();
    expect((await call("POST", "/Bulk", { schemas: [BULK_REQUEST] })).body.scimType).toBe(
      "invalidSyntax",
    );
    expect((await call("POST", "/Bulk", bulk([], { failOnErrors: 0 }))).body.scimType).toBe(
      "invalidValue",
    );
    const response = await call(
      "POST",
      "/Bulk",
      bulk([
        { method: "GET", path: "/Users" },
        { method: "POST", path: "/Users", data: { userName: "no-bulk-id" } },
        { method: "POST", path: "/Bulk", bulkId: "x", data: {} },
        "nonsense",
      ]),
    );
    expect(
      response.body.Operations.map((operation: { status: string }) => operation.status),
    ).toEqual(["400", "400", "400", "400"]);
  });

  it("turns an unexpected failure in one operation into that operation's 500 and reports it", async () => {
    const onError = vi.fn();
    const store = memoryStore();
    const broken = {
      ...store,
      delete: () => Promise.reject(new Error("disk on fire")),
    };
    const { call } = setup({ store: broken, onError });
    const response = await call(
      "POST",
      "/Bulk",
      bulk([
        { method: "DELETE", path: "/Users/anything" },
        { method: "POST", path: "/Users", bulkId: "after", data: { userName: "after" } },
      ]),
    );
    expect(response.status).toBe(200);
    expect(response.body.Operations).toEqual([
      expect.objectContaining({
        status: "500",
        response: expect.objectContaining({ detail: "An internal error occurred." }),
      }),
      expect.objectContaining({ status: "201" }),
    ]);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: "disk on fire" }), {
      request: expect.objectContaining({ method: "DELETE", path: "/Users/anything" }),
    });
  });
});
