import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROUP_SCHEMA, newUser, type ScimClient, startScim, USER_SCHEMA } from "./e2e-harness";

let scim: ScimClient;
let baseUrl: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const started = await startScim({
    limits: { bulk: { maxOperations: 5, maxPayloadSize: 100_000 } },
  });
  scim = started.scim;
  baseUrl = started.baseUrl;
  close = started.close;
});
afterAll(() => close());

describe("discovery over HTTP", () => {
  it("GET /ServiceProviderConfig describes the service with its location", async () => {
    const reply = await scim("GET", "/ServiceProviderConfig");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    expect(reply.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 5, maxPayloadSize: 100_000 },
      filter: { supported: true },
      etag: { supported: true },
      sort: { supported: true },
      authenticationSchemes: [{ type: "oauthbearertoken" }],
      meta: { location: `${baseUrl}/ServiceProviderConfig` },
    });
  });

  it("GET /Schemas/{urn} and /ResourceTypes/{id} answer with meta.location", async () => {
    const schema = await scim("GET", `/Schemas/${GROUP_SCHEMA}`);
    expect(schema.status).toBe(200);
    expect(schema.body.meta.location).toBe(`${baseUrl}/Schemas/${GROUP_SCHEMA}`);
    const type = await scim("GET", "/ResourceTypes/User");
    expect(type.body).toMatchObject({
      id: "User",
      endpoint: "/Users",
      schema: USER_SCHEMA,
      schemaExtensions: [
        { schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", required: false },
      ],
      meta: { location: `${baseUrl}/ResourceTypes/User` },
    });
  });
});

describe("content types", () => {
  it("accepts application/json (Google) and answers application/scim+json", async () => {
    const reply = await scim("POST", "/Users", newUser("google@example.com"), {
      "content-type": "application/json",
    });
    expect(reply.status).toBe(201);
    expect(reply.headers.get("content-type")).toMatch(/^application\/scim\+json/);
  });
});

describe("bulk over HTTP", () => {
  it("creates a user and a group referring to it by bulkId in one request", async () => {
    const reply = await scim("POST", "/Bulk", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [
        { method: "POST", path: "/Users", bulkId: "u", data: newUser("bulk@example.com") },
        {
          method: "POST",
          path: "/Groups",
          bulkId: "g",
          data: { schemas: [GROUP_SCHEMA], displayName: "Bulk", members: [{ value: "bulkId:u" }] },
        },
      ],
    });
    expect(reply.status).toBe(200);
    const [user, group] = reply.body.Operations;
    expect(user).toMatchObject({
      status: "201",
      location: expect.stringMatching(`^${baseUrl}/Users/`),
    });
    expect(group).toMatchObject({
      status: "201",
      location: expect.stringMatching(`^${baseUrl}/Groups/`),
    });
    const read = await scim("GET", new URL(group.location).pathname.replace("/scim/v2", ""));
    expect(read.body.members[0].value).toBe(new URL(user.location).pathname.split("/").at(-1));
  });

  it("answers 413 when a request carries more than maxOperations", async () => {
    const operation = { method: "DELETE", path: "/Users/x" };
    const reply = await scim("POST", "/Bulk", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: Array.from({ length: 6 }, () => operation),
    });
    expect(reply.status).toBe(413);
    expect(reply.body).toMatchObject({ status: "413" });
  });
});
