import { memoryStore } from "@scimkit/store-memory";
import { describe, expect, it, vi } from "vitest";
import { attribute, defineSchema } from "../src/schema/define-schema";
import type { ScimEventMap } from "../src/service/events";
import { BASE_URL, GROUP_SCHEMA, patchOp, setup, USER_SCHEMA } from "./service-harness";

describe("discovery", () => {
  it("serves /Schemas and /ResourceTypes as lists and by id, with meta.location", async () => {
    const { call } = setup();
    const schemas = await call("GET", "/Schemas");
    // The resource schemas, then RFC 7643 §5-§7's discovery schemas and scimkit's limits.
    expect(schemas.body).toMatchObject({ totalResults: 7, itemsPerPage: 7, startIndex: 1 });
    expect(schemas.body.Resources.map((schema: { id: string }) => schema.id)).toEqual([
      USER_SCHEMA,
      "urn:ietf:params:scim:schemas:core:2.0:Group",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
      "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
      "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
      "urn:ietf:params:scim:schemas:core:2.0:Schema",
      "urn:scimkit:params:scim:schemas:extension:limits:1.0:ServiceProviderConfig",
    ]);
    const config = await call(
      "GET",
      "/Schemas/urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
    );
    expect(config.status).toBe(200);
    expect(config.body.meta.location).toBe(
      `${BASE_URL}/Schemas/urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig`,
    );
    // RFC 7644 §4: discovery refuses filters (403), so no client assumes one applied.
    for (const path of ["/Schemas", "/ResourceTypes", "/ServiceProviderConfig"]) {
      const filtered = await call("GET", path, undefined, { query: { filter: 'id eq "x"' } });
      expect(filtered.status).toBe(403);
      expect(filtered.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
    }
    const user = await call("GET", `/Schemas/${USER_SCHEMA}`);
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({
      id: USER_SCHEMA,
      meta: { resourceType: "Schema", location: `${BASE_URL}/Schemas/${USER_SCHEMA}` },
    });
    const types = await call("GET", "/ResourceTypes");
    expect(types.body.Resources.map((type: { id: string }) => type.id)).toEqual(["User", "Group"]);
    const group = await call("GET", "/ResourceTypes/Group");
    expect(group.body).toMatchObject({
      endpoint: "/Groups",
      meta: { resourceType: "ResourceType", location: `${BASE_URL}/ResourceTypes/Group` },
    });
    expect(group.body.membersAttribute).toBeUndefined();
    expect((await call("GET", "/Schemas/urn:nope")).status).toBe(404);
    expect((await call("GET", "/ResourceTypes/Nope")).status).toBe(404);
  });
});

describe("responses", () => {
  it("patchResponse noContent answers 204 with the new ETag", async () => {
    const { call, createUser } = setup({ patchResponse: "noContent" });
    const user = await createUser("quiet");
    const response = await call(
      "PATCH",
      `/Users/${user.id}`,
      patchOp({ op: "replace", path: "title", value: "x" }),
    );
    expect(response).toEqual({ status: 204, headers: expect.objectContaining({ ETag: 'W/"2"' }) });
    expect(response.body).toBeUndefined();
  });

  it("patchResponse auto (the default): 204 for groups unless a projection is asked, 200 for users", async () => {
    const { call, createUser, createGroup } = setup();
    const user = await createUser("auto");
    const group = await createGroup("Auto", []);
    const addMember = patchOp({ op: "add", path: "members", value: [{ value: user.id }] });

    const quiet = await call("PATCH", `/Groups/${group.id}`, addMember);
    expect(quiet).toEqual({ status: 204, headers: expect.objectContaining({ ETag: 'W/"2"' }) });

    const rename = patchOp({ op: "replace", path: "displayName", value: "Automatic" });
    const shown = await call("PATCH", `/Groups/${group.id}`, rename, {
      query: { excludedAttributes: "members" },
    });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id: group.id, displayName: "Automatic" });
    expect(shown.body.members).toBeUndefined();

    const userPatch = patchOp({ op: "replace", path: "title", value: "x" });
    const userResponse = await call("PATCH", `/Users/${user.id}`, userPatch);
    expect(userResponse.status).toBe(200);
    expect(userResponse.body).toMatchObject({ id: user.id, title: "x" });
  });

  it("patchResponse resource answers 200 with the group and its members", async () => {
    const { call, createUser, createGroup } = setup({ patchResponse: "resource" });
    const user = await createUser("loud");
    const group = await createGroup("Loud", []);
    const response = await call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOp({ op: "add", path: "members", value: [{ value: user.id }] }),
    );
    expect(response.status).toBe(200);
    expect(response.body.members).toEqual([expect.objectContaining({ value: user.id })]);
  });

  it("an unexpected store failure is a generic 500, reported to onError with the request", async () => {
    const onError = vi.fn();
    const store = memoryStore();
    const broken = {
      ...store,
      get: () => Promise.reject(new Error("connection refused at 10.0.0.7")),
    };
    const { call } = setup({ store: broken, onError });
    const response = await call("GET", "/Users/abc");
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "500",
      detail: "An internal error occurred.",
    });
    expect(JSON.stringify(response.body)).not.toContain("10.0.0.7");
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: "connection refused at 10.0.0.7" }),
      { request: expect.objectContaining({ method: "GET", path: "/Users/abc" }) },
    );
  });

  it("never answers 500 for hostile input", async () => {
    const onError = vi.fn();
    const { call, createUser } = setup({ onError });
    const user = await createUser("target");
    const bodies: unknown[] = [
      null,
      42,
      "text",
      [],
      { Operations: "x" },
      { Operations: [null] },
      { userName: { a: 1 } },
    ];
    for (const body of bodies) {
      for (const [method, path] of [
        ["POST", "/Users"],
        ["PUT", `/Users/${user.id}`],
        ["PATCH", `/Users/${user.id}`],
        ["POST", "/Users/.search"],
        ["POST", "/.search"],
        ["POST", "/Bulk"],
      ] as const) {
        const response = await call(method, path, body);
        expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBeLessThan(500);
      }
    }
    const queries: Record<string, string>[] = [
      { filter: "((((" },
      { sortBy: "[" },
      { startIndex: "x" },
      { attributes: "a..b" },
      { cursor: "%%" },
    ];
    for (const query of queries) {
      expect((await call("GET", "/Users", undefined, { query })).status).toBeLessThan(500);
    }
    expect(onError).not.toHaveBeenCalled();
  });
});

describe("reading members only when needed", () => {
  it.each([
    ["reads its groups with the record", true],
    ["asks memberOf for its groups", false],
  ])(
    "excludedAttributes=members and attributes=id never load the member list; groups is read only when returned (a store that %s)",
    async (_name, readsMemberOf) => {
      const store = memoryStore();
      const reads: string[] = [];
      const spied = {
        ...store,
        capabilities: { ...store.capabilities, readsMemberOf },
        get: ((tenant, type, id, options) => {
          reads.push(
            `get ${type} members=${options?.includeMembers === true} groups=${options?.includeMemberOf === true}`,
          );
          return store.get(tenant, type, id, options);
        }) as typeof store.get,
        query: ((tenant, query) => {
          reads.push(
            `query ${query.resourceType} members=${query.includeMembers === true} groups=${query.includeMemberOf === true}`,
          );
          return store.query(tenant, query);
        }) as typeof store.query,
        memberOf: ((tenant, id) => {
          reads.push("memberOf");
          return store.memberOf(tenant, id);
        }) as typeof store.memberOf,
      };
      const { call, createUser, createGroup } = setup({ store: spied });
      const user = await createUser("reader");
      const group = await createGroup("Readers", [user.id]);
      reads.length = 0;
      await call("GET", `/Groups/${group.id}`, undefined, {
        query: { excludedAttributes: "members" },
      });
      await call("GET", "/Groups", undefined, { query: { attributes: "id,displayName" } });
      await call(
        "PATCH",
        `/Groups/${group.id}`,
        patchOp({ op: "add", path: "members", value: [{ value: user.id }] }),
        {
          query: { excludedAttributes: "members" },
        },
      );
      await call("GET", `/Users/${user.id}`, undefined, { query: { attributes: "userName" } });
      await call("GET", "/Users", undefined, { query: { attributes: "userName" } });
      expect(
        reads.filter((read) => /members=true|groups=true/.test(read) || read === "memberOf"),
      ).toEqual([]);
      reads.length = 0;
      await call("GET", `/Groups/${group.id}`);
      await call("GET", `/Users/${user.id}`);
      const users = await call("GET", "/Users");
      // The user's groups are shown either way; only where they are read from differs.
      expect((users.body as { Resources: { groups?: { value: string }[] }[] }).Resources).toEqual([
        expect.objectContaining({ groups: [expect.objectContaining({ value: group.id })] }),
      ]);
      expect(reads).toEqual(
        readsMemberOf
          ? [
              "get Group members=true groups=false",
              "get User members=false groups=true",
              "query User members=false groups=true",
            ]
          : [
              "get Group members=true groups=false",
              "get User members=false groups=false",
              "memberOf",
              "query User members=false groups=false",
              "memberOf",
            ],
      );
    },
  );
});

describe("/Me", () => {
  it("serves the resolved user's resource and 404 when the resolver knows nobody", async () => {
    let current: string | undefined;
    const { call, createUser } = setup({ me: () => current });
    const user = await createUser("me@example.com");
    expect((await call("GET", "/Me")).status).toBe(404);
    current = user.id;
    const me = await call("GET", "/Me");
    expect(me.status).toBe(200);
    expect(me.body.userName).toBe("me@example.com");
    const patched = await call(
      "PATCH",
      "/Me",
      patchOp({ op: "replace", path: "nickName", value: "Me" }),
    );
    expect(patched.body.nickName).toBe("Me");
  });
});

describe("tenants", () => {
  it("keeps each tenant's resources apart", async () => {
    const { call } = setup();
    const created = await call("POST", "/Users", { userName: "shared-name" }, { tenant: "one" });
    expect(
      (await call("POST", "/Users", { userName: "shared-name" }, { tenant: "two" })).status,
    ).toBe(201);
    expect(
      (await call("GET", `/Users/${created.body.id}`, undefined, { tenant: "two" })).status,
    ).toBe(404);
    const listed = await call("GET", "/Users", undefined, { tenant: "two" });
    expect(listed.body.totalResults).toBe(1);
  });
});

describe("cursor pagination (RFC 9865)", () => {
  it("pages with cursor and nextCursor and omits startIndex", async () => {
    const { call, createUser } = setup();
    for (const name of ["c1", "c2", "c3"]) await createUser(name);
    const first = await call("GET", "/Users", undefined, { query: { cursor: "", count: "2" } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ itemsPerPage: 2, nextCursor: expect.any(String) });
    expect(first.body.startIndex).toBeUndefined();
    const second = await call("GET", "/Users", undefined, {
      query: { cursor: first.body.nextCursor, count: "2" },
    });
    expect(second.body.itemsPerPage).toBe(1);
    expect(second.body.nextCursor).toBeUndefined();
    const names = [...first.body.Resources, ...second.body.Resources].map(
      (user: { userName: string }) => user.userName,
    );
    expect(names.sort()).toEqual(["c1", "c2", "c3"]);
    const bad = await call("GET", "/Users", undefined, {
      query: { cursor: "not-a-cursor-we-issued" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe("invalidCursor");
  });
});

describe("custom resource types", () => {
  const deviceSchema = defineSchema({
    id: "urn:example:params:scim:schemas:Device",
    name: "Device",
    attributes: [
      attribute("serialNumber", "string", {
        required: true,
        uniqueness: "server",
        caseExact: true,
      }),
      attribute("model", "string"),
      attribute("enrolledBy", "string", { mutability: "immutable" }),
    ],
  });

  it("routes, validates and emits resource.* events for a registered type", async () => {
    const { service, call } = setup({
      schemas: [deviceSchema],
      resourceTypes: [
        {
          id: "Device",
          name: "Device",
          endpoint: "/Devices",
          schema: deviceSchema.id,
          schemaExtensions: [],
        },
      ],
    });
    const events: ScimEventMap["resource.created"][] = [];
    service.on("resource.created", (event) => void events.push(event));
    const created = await call("POST", "/devices", { serialNumber: "SN-1", model: "X" });
    expect(created.status).toBe(201);
    expect(created.headers.Location).toBe(`${BASE_URL}/Devices/${created.body.id}`);
    expect(events).toEqual([
      expect.objectContaining({ resourceType: "Device", id: created.body.id }),
    ]);
    expect((await call("POST", "/Devices", { serialNumber: "SN-1" })).status).toBe(409);
    expect((await call("POST", "/Devices", { model: "no serial" })).status).toBe(400);
    const found = await call("GET", "/Devices", undefined, { query: { filter: 'model eq "X"' } });
    expect(found.body.totalResults).toBe(1);
  });

  it("PUT keeps immutable attributes and rejects a different value with 400 mutability", async () => {
    const { call } = setup({
      schemas: [deviceSchema],
      resourceTypes: [
        {
          id: "Device",
          name: "Device",
          endpoint: "/Devices",
          schema: deviceSchema.id,
          schemaExtensions: [],
        },
      ],
    });
    const created = await call("POST", "/Devices", { serialNumber: "SN-9", enrolledBy: "alice" });
    const path = `/Devices/${created.body.id}`;
    const kept = await call("PUT", path, { serialNumber: "SN-9", model: "Y" });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ enrolledBy: "alice", model: "Y" });
    const same = await call("PUT", path, { serialNumber: "SN-9", enrolledBy: "alice" });
    expect(same.status).toBe(200);
    const changed = await call("PUT", path, { serialNumber: "SN-9", enrolledBy: "mallory" });
    expect(changed.status).toBe(400);
    expect(changed.body.scimType).toBe("mutability");
    expect((await call("GET", path)).body.enrolledBy).toBe("alice");
  });
});

describe("interop gaps found from outside (issue 14)", () => {
  it("refuses a body that names another resource type's core schema, also in lenient mode", async () => {
    const { call } = setup();
    const wrong = await call("POST", "/Users", {
      schemas: [GROUP_SCHEMA],
      userName: "x@example.com",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.scimType).toBe("invalidValue");
    expect((await call("GET", "/Users")).body.totalResults).toBe(0);
    // Entra's extra Microsoft URN next to the right core schema stays fine.
    const entra = await call("POST", "/Groups", {
      schemas: [
        GROUP_SCHEMA,
        "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
      ],
      displayName: "Entra",
    });
    expect(entra.status).toBe(201);
  });

  it("answers a PUT with the members as stored, under the ETag a GET then shows", async () => {
    const { call, createUser } = setup();
    const user = await createUser("m@example.com");
    const created = await call("POST", "/Groups", {
      schemas: [GROUP_SCHEMA],
      displayName: "Team",
      members: [{ value: user.id, display: "Old" }],
    });
    const put = await call("PUT", `/Groups/${created.body.id}`, {
      schemas: [GROUP_SCHEMA],
      displayName: "Team",
      members: [{ value: user.id, display: "New" }],
    });
    const read = await call("GET", `/Groups/${created.body.id}`);
    expect(put.status).toBe(200);
    expect(put.body.members).toEqual(read.body.members);
    expect(put.headers.ETag).toBe(read.headers.ETag);
    expect(put.body.meta.lastModified).toBe(read.body.meta.lastModified);
  });

  it("leaves out sub-attribute projections that are empty instead of answering [{}]", async () => {
    const { call, createUser, createGroup } = setup();
    const user = await createUser("p@example.com");
    const group = await createGroup("Projected", [user.id]);
    const read = await call("GET", `/Groups/${group.id}`, undefined, {
      query: { attributes: "members.display" },
    });
    expect(read.status).toBe(200);
    expect(read.body.members).toBeUndefined();
    const values = await call("GET", `/Groups/${group.id}`, undefined, {
      query: { attributes: "members.value" },
    });
    expect(values.body.members).toEqual([{ value: user.id }]);
  });

  it("refuses a BulkRequest whose schemas do not name BulkRequest", async () => {
    const { call } = setup();
    const wrong = await call("POST", "/Bulk", { schemas: [USER_SCHEMA], Operations: [] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.scimType).toBe("invalidSyntax");
  });
});
