import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScimError } from "../src/errors";
import { bindFilter } from "../src/filter/bind-filter";
import { parseFilter } from "../src/filter/parser";
import { parseAttributePath } from "../src/path/parse-attribute-path";
import { createRepository } from "../src/repository/create-repository";
import { queryInMemory } from "../src/repository/query-in-memory";
import { createSchemaRegistry } from "../src/schema/create-schema-registry";
import { attribute, defineSchema } from "../src/schema/define-schema";
import { resolvePath } from "../src/schema/resolve-path";
import {
  type CreateInput,
  type ScimStore,
  STORE_SPECIFICATION_VERSION,
  type StoreCapabilities,
  type StoredRecord,
  type StoreQuery,
  type UpdateInput,
} from "../src/store/contract";

const EXTENSION = "urn:example:params:scim:schemas:extension:badge:2.0:User";
const registry = createSchemaRegistry({
  schemas: [
    defineSchema({
      id: EXTENSION,
      name: "Badge",
      attributes: [
        attribute("badgeCode", "string", { caseExact: true, uniqueness: "server" }),
        attribute("seat", "integer", { uniqueness: "global" }),
      ],
    }),
  ],
  extensions: [{ resourceType: "User", schema: EXTENSION }],
});

const bound = (resourceType: string, text: string) => {
  const parsed = parseFilter(text);
  if (!parsed.ok) throw parsed.error;
  const result = bindFilter(parsed.value, registry.resourceSchema(resourceType));
  if (!result.ok) throw result.error;
  return result.value;
};
const path = (resourceType: string, text: string) => {
  const parsed = parseAttributePath(text);
  if (!parsed.ok) throw parsed.error;
  const result = resolvePath(registry.resourceSchema(resourceType), parsed.value);
  if (!result.ok) throw result.error;
  return result.value;
};

/** A tiny store: a list of records, no indexes, no push-down, and a log of what it was asked. */
function tinyStore(capabilities?: StoreCapabilities) {
  const records: StoredRecord[] = [];
  const calls: {
    created: CreateInput[];
    updated: UpdateInput[];
    queried: StoreQuery[];
    typesOf: (readonly string[])[];
  } = { created: [], updated: [], queried: [], typesOf: [] };
  const store: ScimStore = {
    specificationVersion: STORE_SPECIFICATION_VERSION,
    ...(capabilities === undefined ? {} : { capabilities }),
    async create(_tenant, input) {
      calls.created.push(input);
      const record: StoredRecord = {
        resourceType: input.resourceType,
        id: input.id,
        version: 1,
        created: input.created,
        lastModified: input.created,
        data: input.data,
        ...(input.members === undefined ? {} : { members: input.members }),
      };
      records.push(record);
      return record;
    },
    async get(_tenant, resourceType, id) {
      return records.find((record) => record.resourceType === resourceType && record.id === id);
    },
    async query(_tenant, query) {
      calls.queried.push(query);
      const matches = records.filter((record) => record.resourceType === query.resourceType);
      const page =
        query.page.kind === "index"
          ? matches.slice(query.page.startIndex - 1, query.page.startIndex - 1 + query.page.count)
          : matches;
      return { records: page, totalResults: matches.length };
    },
    async update(_tenant, input) {
      calls.updated.push(input);
      const record = records.find((entry) => entry.id === input.id);
      if (record === undefined) throw new ScimError({ status: 404, detail: "missing" });
      return { ...record, version: record.version + 1, lastModified: input.lastModified };
    },
    async delete() {
      return false;
    },
    async memberOf() {
      return [];
    },
    async resourceTypesOf(_tenant, ids) {
      calls.typesOf.push(ids);
      const found = new Map<string, string[]>();
      for (const record of records) {
        if (!ids.includes(record.id)) continue;
        found.set(record.id, [...(found.get(record.id) ?? []), record.resourceType]);
      }
      return found;
    },
  };
  return { store, calls, records };
}

const fixedClock = (iso: string) => () => new Date(iso);

describe("createRepository", () => {
  it("validates its options when it runs", () => {
    const { store } = tinyStore();
    expect(() => createRepository({ store: undefined as never, registry })).toThrow(TypeError);
    expect(() => createRepository({ store, registry: {} as never })).toThrow(TypeError);
  });

  it("issues UUID ids and stamps created = lastModified from the clock", async () => {
    const { store, calls } = tinyStore();
    const repository = createRepository({
      store,
      registry,
      clock: fixedClock("2024-05-06T07:08:09.000Z"),
    });
    const first = await repository.create("t", { resourceType: "User", data: { userName: "a" } });
    const second = await repository.create("t", { resourceType: "User", data: { userName: "b" } });
    expect(first.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(second.id).not.toBe(first.id);
    expect(calls.created[0]).toMatchObject({
      created: "2024-05-06T07:08:09.000Z",
      uniqueKeys: [{ attribute: "userName", value: "a" }],
    });
    expect(first.lastModified).toBe(first.created);
  });

  it("never lets a body put id, meta or relation attributes into data", async () => {
    const { store, calls } = tinyStore();
    const repository = createRepository({ store, registry, generateId: () => "fixed-id" });
    await repository.create("t", {
      resourceType: "Group",
      data: { id: "evil", meta: { version: 'W/"9"' }, displayName: "G", members: [{ value: "x" }] },
    });
    expect(calls.created[0]?.id).toBe("fixed-id");
    expect(calls.created[0]?.data).toEqual({ displayName: "G" });
  });

  it("computes unique keys from the schema: lower-cased unless caseExact, extensions by URN", () => {
    const repository = createRepository({ store: tinyStore().store, registry });
    const keys = repository.uniqueKeys("User", {
      userName: "Alice",
      externalId: "EXT-1",
      displayName: "Alice A",
      [EXTENSION]: { badgeCode: "AbC", seat: 12 },
    });
    expect(keys).toEqual([
      { attribute: "userName", value: "alice" },
      { attribute: `${EXTENSION}:badgeCode`, value: "AbC" },
      { attribute: `${EXTENSION}:seat`, value: "12" },
    ]);
    expect(repository.uniqueKeys("User", { userName: "", nickName: "x" })).toEqual([]);
    expect(repository.uniqueKeys("Group", { displayName: "Admins" })).toEqual([]);
  });

  it("sets lastModified and unique keys on update, and none when only members change", async () => {
    const { store, calls } = tinyStore();
    const repository = createRepository({
      store,
      registry,
      clock: fixedClock("2024-01-01T00:00:00.000Z"),
    });
    const created = await repository.create("t", { resourceType: "User", data: { userName: "a" } });
    await repository.update("t", {
      resourceType: "User",
      id: created.id,
      expectedVersion: 1,
      data: { userName: "B", id: "ignored" },
    });
    await repository.update("t", {
      resourceType: "User",
      id: created.id,
      members: { add: [{ value: "m", type: "User" }], remove: [] },
    });
    expect(calls.updated[0]).toEqual({
      resourceType: "User",
      id: created.id,
      expectedVersion: 1,
      lastModified: "2024-01-01T00:00:00.000Z",
      data: { userName: "B" },
      uniqueKeys: [{ attribute: "userName", value: "b" }],
    });
    expect(calls.updated[1]).not.toHaveProperty("data");
    expect(calls.updated[1]).not.toHaveProperty("uniqueKeys");
  });

  it("rejects an unknown resource type with a 404 ScimError", async () => {
    const repository = createRepository({ store: tinyStore().store, registry });
    await expect(
      repository.create("t", { resourceType: "Device", data: {} }),
    ).rejects.toMatchObject({ status: 404, code: "resource_type.unknown" });
  });
});

describe("Repository.toResource", () => {
  const record: StoredRecord = {
    resourceType: "Group",
    id: "g 1",
    version: 3,
    created: "2024-01-01T00:00:00.000Z",
    lastModified: "2024-01-02T00:00:00.000Z",
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Admins" },
    members: [
      { value: "u1", type: "User", display: "Alice" },
      { value: "g2", type: "Group" },
    ],
  };
  const repository = createRepository({ store: tinyStore().store, registry });

  it("renders id, members with $ref and a complete meta with a weak ETag", () => {
    expect(repository.toResource(record, { baseUrl: "https://x.test/scim/v2" })).toEqual({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Admins",
      id: "g 1",
      members: [
        { value: "u1", $ref: "https://x.test/scim/v2/Users/u1", type: "User", display: "Alice" },
        { value: "g2", $ref: "https://x.test/scim/v2/Groups/g2", type: "Group" },
      ],
      meta: {
        resourceType: "Group",
        created: "2024-01-01T00:00:00.000Z",
        lastModified: "2024-01-02T00:00:00.000Z",
        location: "https://x.test/scim/v2/Groups/g%201",
        version: 'W/"3"',
      },
    });
  });

  it("omits members that were not loaded or are empty, and renders groups as direct", () => {
    const { members: _members, ...withoutMembers } = record;
    expect(repository.toResource(withoutMembers, { baseUrl: "" })).not.toHaveProperty("members");
    expect(repository.toResource({ ...record, members: [] }, { baseUrl: "" })).not.toHaveProperty(
      "members",
    );
    const user: StoredRecord = { ...withoutMembers, resourceType: "User", id: "u1", data: {} };
    const resource = repository.toResource(user, {
      baseUrl: "https://x.test",
      memberOf: [{ resourceType: "Group", id: "g1", display: "Admins" }],
    });
    expect(resource.groups).toEqual([
      { value: "g1", $ref: "https://x.test/Groups/g1", display: "Admins", type: "direct" },
    ]);
  });
});

describe("Repository.query fallback", () => {
  const seed = async (capabilities?: StoreCapabilities) => {
    const tiny = tinyStore(capabilities);
    let next = 0;
    const repository = createRepository({
      store: tiny.store,
      registry,
      generateId: () => `id-${String(next++).padStart(2, "0")}`,
    });
    for (const [userName, title] of [
      ["carol", "Engineer"],
      ["alice", undefined],
      ["Bob", "engineer"],
      ["dave", "Manager"],
    ] as const) {
      await repository.create("t", {
        resourceType: "User",
        data: { userName, ...(title === undefined ? {} : { title }) },
      });
    }
    return { repository, calls: tiny.calls };
  };
  const names = (records: readonly StoredRecord[]) => records.map((record) => record.data.userName);

  it("filters, sorts and pages in memory when the store declares no capabilities", async () => {
    const { repository, calls } = await seed();
    const result = await repository.query("t", {
      resourceType: "User",
      filter: bound("User", 'title eq "ENGINEER" or userName sw "a"'),
      sort: { path: path("User", "title"), order: "ascending" },
      page: { kind: "index", startIndex: 2, count: 2 },
    });
    // carol (id-00) and Bob (id-02) tie on title: id order; alice has no title: last.
    expect(names(result.records)).toEqual(["Bob", "alice"]);
    expect(result.totalResults).toBe(3);
    expect(calls.queried.at(-1)).toMatchObject({ page: { kind: "all" } });
    expect(calls.queried.at(-1)?.filter).toBeUndefined();
    expect(calls.queried.at(-1)?.sort).toBeUndefined();
  });

  it("pushes down exactly what the capabilities claim", async () => {
    const { repository, calls } = await seed({ filter: (filter) => filter.kind === "Present" });
    await repository.query("t", {
      resourceType: "User",
      filter: bound("User", "title pr"),
      page: { kind: "index", startIndex: 1, count: 10 },
    });
    expect(calls.queried.at(-1)).toMatchObject({
      page: { kind: "index", startIndex: 1, count: 10 },
      memberOfAttribute: "groups",
    });
    expect(calls.queried.at(-1)?.filter?.kind).toBe("Present");
    await repository.query("t", {
      resourceType: "User",
      filter: bound("User", "title pr"),
      sort: { path: path("User", "userName"), order: "descending" },
      page: { kind: "index", startIndex: 1, count: 10 },
    });
    // The filter still goes down; the sort and the paging come back up.
    expect(calls.queried.at(-1)).toMatchObject({ page: { kind: "all" } });
    expect(calls.queried.at(-1)?.filter?.kind).toBe("Present");
    expect(calls.queried.at(-1)?.sort).toBeUndefined();
  });

  it("pages with cursors the store never sees, and rejects foreign cursors", async () => {
    const { repository } = await seed();
    const sort = { path: path("User", "userName"), order: "ascending" as const };
    const first = await repository.query("t", {
      resourceType: "User",
      sort,
      page: { kind: "cursor", count: 3 },
    });
    expect(names(first.records)).toEqual(["alice", "Bob", "carol"]);
    expect(first.totalResults).toBe(4);
    const second = await repository.query("t", {
      resourceType: "User",
      sort,
      page: { kind: "cursor", count: 3, cursor: first.nextCursor! },
    });
    expect(names(second.records)).toEqual(["dave"]);
    expect(second.nextCursor).toBeUndefined();
    for (const cursor of ["", "%%%", "bm90IGpzb24", "W10", "x".repeat(5000)]) {
      await expect(
        repository.query("t", {
          resourceType: "User",
          sort,
          page: { kind: "cursor", count: 3, cursor },
        }),
      ).rejects.toMatchObject({ status: 400, scimType: "invalidCursor" });
    }
    // A cursor issued for another sort is not silently reinterpreted.
    await expect(
      repository.query("t", {
        resourceType: "User",
        sort: { ...sort, order: "descending" },
        page: { kind: "cursor", count: 3, cursor: first.nextCursor! },
      }),
    ).rejects.toMatchObject({ status: 400, scimType: "invalidCursor" });
  });

  it("resolves member types in one store call, whatever type the client claimed", async () => {
    const tiny = tinyStore();
    const repository = createRepository({ store: tiny.store, registry });
    const user = await repository.create("t", { resourceType: "User", data: { userName: "u" } });
    const group = await repository.create("t", {
      resourceType: "Group",
      data: { displayName: "G" },
    });
    const resolved = await repository.resolveMembers("t", [
      { value: group.id, type: "User" },
      { value: user.id, type: "User", display: "U" },
      { value: group.id, type: "Group" },
    ]);
    expect(resolved).toEqual([
      { value: group.id, type: "Group" },
      { value: user.id, type: "User", display: "U" },
    ]);
    expect(tiny.calls.typesOf).toEqual([[group.id, user.id]]);
    await expect(
      repository.resolveMembers("t", [
        { value: user.id, type: "User" },
        { value: "gone", type: "User" },
      ]),
    ).rejects.toMatchObject({ status: 400, scimType: "invalidValue", code: "members.not_found" });
  });
});

describe("queryInMemory", () => {
  const levelPath = path("User", "urn:example:params:scim:schemas:extension:badge:2.0:User:seat");
  const recordsArbitrary = fc
    .uniqueArray(fc.integer({ min: 0, max: 999 }), { maxLength: 40 })
    .chain((idNumbers) =>
      fc.tuple(
        fc.constant(idNumbers),
        fc.array(fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }), {
          minLength: idNumbers.length,
          maxLength: idNumbers.length,
        }),
      ),
    )
    .map(([idNumbers, seats]) =>
      idNumbers.map(
        (number, index): StoredRecord => ({
          resourceType: "User",
          id: `id-${String(number).padStart(3, "0")}`,
          version: 1,
          created: "2024-01-01T00:00:00.000Z",
          lastModified: "2024-01-01T00:00:00.000Z",
          data: seats[index] === undefined ? {} : { [EXTENSION]: { seat: seats[index] } },
        }),
      ),
    );

  it("cursor pages concatenate to the full sorted result, missing values last when ascending", () => {
    fc.assert(
      fc.property(
        recordsArbitrary,
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom("ascending" as const, "descending" as const),
        (records, count, order) => {
          const base = { resourceType: "User", sort: { path: levelPath, order } };
          const all = queryInMemory(records, { ...base, page: { kind: "all" } });
          if (!all.ok) return false;
          const seatOf = (record: StoredRecord) =>
            (record.data[EXTENSION] as { seat?: number } | undefined)?.seat;
          const expected = [...records].sort((left, right) => {
            const a = seatOf(left);
            const b = seatOf(right);
            let result = a === undefined ? (b === undefined ? 0 : 1) : b === undefined ? -1 : a - b;
            if (order === "descending") result = -result;
            return result !== 0 ? result : left.id < right.id ? -1 : 1;
          });
          expect(all.value.records.map((record) => record.id)).toEqual(
            expected.map((record) => record.id),
          );
          const walked: string[] = [];
          let cursor: string | undefined;
          for (let guard = 0; guard <= records.length; guard += 1) {
            const page = queryInMemory(records, {
              ...base,
              page: { kind: "cursor", count, ...(cursor === undefined ? {} : { cursor }) },
            });
            if (!page.ok) return false;
            expect(page.value.totalResults).toBe(records.length);
            walked.push(...page.value.records.map((record) => record.id));
            cursor = page.value.nextCursor;
            if (cursor === undefined) break;
          }
          expect(walked).toEqual(expected.map((record) => record.id));
        },
      ),
      { numRuns: 200 },
    );
  });
});
