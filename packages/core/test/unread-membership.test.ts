import { memoryStore } from "@scimkit/store-memory";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyPatch } from "../src/patch/apply-patch";
import { createSchemaRegistry } from "../src/schema/create-schema-registry";
import type { ScimObject } from "../src/schema/types";
import { createScimService } from "../src/service/create-scim-service";
import type { ScimStore } from "../src/store/contract";
import { BASE_URL, GROUP_SCHEMA, patchOp, USER_SCHEMA } from "./service-harness";

const GROUP = createSchemaRegistry().resourceSchema("Group");

/** Entra's and Okta's member operations, and operations on the group's attributes. */
const memberOperation = fc.oneof(
  fc.record({
    op: fc.constantFrom("add", "Add"),
    path: fc.constant("members"),
    value: fc.array(fc.record({ value: fc.constantFrom("u1", "u2", "u3") }), { minLength: 1 }),
  }),
  fc.record({
    op: fc.constantFrom("remove", "Remove"),
    path: fc.constantFrom('members[value eq "u1"]', 'members[value eq "u2"]'),
  }),
  fc.record({
    op: fc.constant("remove"),
    path: fc.constant("members"),
    value: fc.array(fc.record({ value: fc.constantFrom("u1", "u2") }), { minLength: 1 }),
  }),
  fc.record({
    op: fc.constant("replace"),
    path: fc.constant("members"),
    value: fc.array(fc.record({ value: fc.constantFrom("u1", "u3") })),
  }),
  fc.record({
    op: fc.constant("add"),
    value: fc.record({ members: fc.array(fc.record({ value: fc.constant("u2") })) }),
  }),
);
const attributeOperation = fc.oneof(
  fc.record({
    op: fc.constant("replace"),
    path: fc.constant("displayName"),
    value: fc.constantFrom("A", "B"),
  }),
  fc.record({ op: fc.constant("remove"), path: fc.constant("externalId") }),
  fc.record({ op: fc.constant("replace"), value: fc.record({ displayName: fc.constant("C") }) }),
  fc.record({ op: fc.constant("add"), path: fc.constant("externalId"), value: fc.constant("x") }),
);
const groupResource: fc.Arbitrary<ScimObject> = fc.record(
  {
    schemas: fc.constant([GROUP_SCHEMA]),
    id: fc.constant("g1"),
    displayName: fc.constantFrom("A", "B", "Tour Guides"),
    externalId: fc.constantFrom("x", "y"),
  },
  { requiredKeys: ["schemas", "id", "displayName"] },
);

describe("applyPatch says when its outcome does not depend on the resource", () => {
  it("readResource is false only for member operations, and then any group gives the same delta", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(memberOperation, attributeOperation), { minLength: 1, maxLength: 5 }),
        groupResource,
        groupResource,
        (operations, first, second) => {
          const request = patchOp(...operations);
          const a = applyPatch({ resourceSchema: GROUP, resource: first, request });
          const b = applyPatch({ resourceSchema: GROUP, resource: second, request });
          const stub = applyPatch({ resourceSchema: GROUP, resource: { id: "g1" }, request });
          if (!a.ok || a.value.kind !== "applied") return;
          const touchesAttributes = operations.some(
            (operation) => !JSON.stringify(operation).includes("members"),
          );
          expect(a.value.readResource).toBe(touchesAttributes);
          if (a.value.readResource) return;
          for (const other of [b, stub]) {
            expect(other.ok && other.value.kind === "applied" && other.value.readResource).toBe(
              false,
            );
            if (!other.ok || other.value.kind !== "applied") continue;
            expect(other.value.members).toEqual(a.value.members);
            expect(other.value.changed).toBe(a.value.changed);
          }
          expect(a.value.resource).toEqual(first);
        },
      ),
    );
  });
});

/** A memory store that counts `get` calls (the read a PATCH makes before its write). */
function countingStore(): { store: ScimStore; gets: () => number } {
  const store = memoryStore();
  let gets = 0;
  const counted = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== "get" || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        gets += 1;
        return value.apply(target, args);
      };
    },
  });
  return { store: counted, gets: () => gets };
}

function setup() {
  const { store, gets } = countingStore();
  const service = createScimService({ store });
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers = {},
    query = {},
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field
  ): Promise<any> =>
    service.handle({
      method,
      path,
      query,
      headers,
      body,
      tenant: "t",
      baseUrl: BASE_URL,
    });
  return { call, gets };
}

describe("a group's member PATCH is written without reading the group", () => {
  it("Entra's add and remove: no read, the change and the new ETag are as with a read", async () => {
    const { call, gets } = setup();
    const user = (await call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "bjensen" }))
      .body;
    const group = (await call("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "G" }))
      .body;
    const before = gets();
    const add = await call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOp({ op: "Add", path: "members", value: [{ value: user.id }] }),
    );
    expect(add.status).toBe(204);
    expect(add.headers.ETag).toBe('W/"2"');
    const again = await call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOp({ op: "Add", path: "members", value: [{ value: user.id }] }),
    );
    expect(again.status).toBe(204);
    expect(again.headers.ETag).toBe('W/"2"');
    const remove = await call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOp({ op: "Remove", path: `members[value eq "${user.id}"]` }),
    );
    expect(remove.status).toBe(204);
    expect(remove.headers.ETag).toBe('W/"3"');
    expect(gets()).toBe(before);

    const shown = await call("GET", `/Groups/${group.id}`);
    expect(shown.body.members).toBeUndefined();
    expect(shown.body.displayName).toBe("G");
    expect(shown.body.meta.version).toBe('W/"3"');
  });

  it("a missing group is 404 and a missing member 400, with the same bodies as the read path", async () => {
    const { call } = setup();
    const user = (await call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "bjensen" }))
      .body;
    const group = (await call("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "G" }))
      .body;
    const missingGroup = await call(
      "PATCH",
      "/Groups/nope",
      patchOp({ op: "add", path: "members", value: [{ value: user.id }] }),
    );
    expect(missingGroup.status).toBe(404);
    expect(missingGroup.body.detail).toBe('Group "nope" not found.');
    // Both missing: the group is reported first, as when the group is read first.
    const both = await call(
      "PATCH",
      "/Groups/nope",
      patchOp({ op: "add", path: "members", value: [{ value: "ghost" }] }),
    );
    expect(both.status).toBe(404);
    const missingMember = await call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOp({ op: "add", path: "members", value: [{ value: "ghost" }] }),
    );
    expect(missingMember.status).toBe(400);
    expect(missingMember.body.detail).toContain("ghost");
    expect((await call("GET", `/Groups/${group.id}`)).body.meta.version).toBe('W/"1"');
  });

  it("answers a body from what the write returned", async () => {
    const { call, gets } = setup();
    const user = (await call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "bjensen" }))
      .body;
    const group = (
      await call("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "G", externalId: "e" })
    ).body;
    const before = gets();
    const shown = await call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOp({ op: "add", path: "members", value: [{ value: user.id }] }),
      {},
      { attributes: "displayName,externalId" },
    );
    expect(gets()).toBe(before);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id: group.id, displayName: "G", externalId: "e" });
    expect(shown.headers.ETag).toBe('W/"2"');
  });

  it("reads the group when the PATCH touches its attributes or sends If-Match", async () => {
    const { call, gets } = setup();
    const user = (await call("POST", "/Users", { schemas: [USER_SCHEMA], userName: "bjensen" }))
      .body;
    const group = (await call("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "G" }))
      .body;
    const add = { op: "add", path: "members", value: [{ value: user.id }] };

    let before = gets();
    const renamed = await call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOp(add, { op: "replace", path: "displayName", value: "H" }),
    );
    expect(renamed.status).toBe(204);
    expect(gets()).toBeGreaterThan(before);

    before = gets();
    const stale = await call("PATCH", `/Groups/${group.id}`, patchOp(add), { "if-match": 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(gets()).toBeGreaterThan(before);

    const current = await call("PATCH", `/Groups/${group.id}`, patchOp(add), {
      "if-match": 'W/"2"',
    });
    expect(current.status).toBe(204);
    expect((await call("GET", `/Groups/${group.id}`)).body.displayName).toBe("H");
  });
});
