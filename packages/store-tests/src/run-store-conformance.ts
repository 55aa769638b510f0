import {
  bindFilter,
  createRepository,
  type GroupRef,
  type MemberRef,
  parseAttributePath,
  parseFilter,
  type Repository,
  type RepositoryQuery,
  resolvePath,
  ScimError,
  type ScimObject,
  type ScimStore,
  type SortOrder,
  type StoredRecord,
  type UniqueKey,
} from "@scimkit/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  conformanceRegistry,
  createdAt,
  fixtureId,
  GROUP_KEYS,
  groups,
  ids,
  U3_MODIFIED,
  USER_KEYS,
  type UserKey,
  users,
} from "./data-set";
import { filterCorpus } from "./filter-corpus";
import {
  type BackdoorDeletedRecord,
  defineSoftDeleteConformance,
  type SoftDeleteMethod,
} from "./soft-delete-conformance";

type MaybePromise<T> = T | Promise<T>;

/** A persisted record as the backdoor reads it, straight from storage. */
export interface BackdoorRecord {
  readonly id: string;
  readonly version: number;
  readonly created: string;
  readonly lastModified: string;
  readonly data: ScimObject;
}

/**
 * Raw readers of a store's persisted state that bypass its read path (the
 * memory store's maps, a plain `select` for SQL), so a store whose write and
 * read paths are wrong the same way cannot pass.
 */
export interface StoreBackdoor {
  /** The record as stored, or `undefined`. */
  readRecord(
    tenant: string,
    resourceType: string,
    id: string,
  ): MaybePromise<BackdoorRecord | undefined>;
  /** The member ids of a group, in any order. */
  readMembers(tenant: string, groupId: string): MaybePromise<readonly string[]>;
  /**
   * A soft-deleted record in the tenant's trash, or `undefined`. Optional: the
   * soft-delete tests check the trash through it when given.
   */
  readDeleted?(
    tenant: string,
    resourceType: string,
    id: string,
  ): MaybePromise<BackdoorDeletedRecord | undefined>;
}

/** Options of `runStoreConformance`. */
export interface StoreConformanceOptions<S extends ScimStore = ScimStore> {
  /** Names the top-level `describe` block. */
  readonly name: string;
  /**
   * Creates the store. Called once per test when `reset` is absent, else once
   * per block with `reset` between tests. Tests use fresh tenant names, so a
   * store shared between runs does not disturb them.
   */
  readonly createStore: () => MaybePromise<S>;
  /** Clears the store between tests. Optional. */
  readonly reset?: (store: S) => MaybePromise<void>;
  /** Raw readers; a function receives the store the test runs against. */
  readonly backdoor: StoreBackdoor | ((store: S) => StoreBackdoor);
  /** Tests to skip, by exact test name, each with the reason it does not apply. */
  readonly skip?: Readonly<Record<string, string>>;
}

const sorted = (values: Iterable<string>) => [...values].sort();

let tenantCounter = 0;
const newTenant = (label: string) =>
  `conformance-${label}-${Date.now().toString(36)}-${(tenantCounter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** A clock that returns the given instants in order, then keeps the last. */
function sequenceClock(instants: readonly string[]): () => Date {
  let index = 0;
  return () => new Date(instants[Math.min(index++, instants.length - 1)] ?? 0);
}

/** A generator that returns the given ids in order. */
function sequenceIds(values: readonly string[]): () => string {
  let index = 0;
  return () => {
    const value = values[index++];
    if (value === undefined) throw new Error("conformance: ran out of fixture ids");
    return value;
  };
}

async function expectScimError(
  promise: Promise<unknown>,
  status: number,
  fields: { scimType?: string; code?: string } = {},
): Promise<ScimError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(ScimError.is(caught), `expected a ScimError ${status}, got ${String(caught)}`).toBe(true);
  const error = caught as ScimError;
  expect(error.status).toBe(status);
  if (fields.scimType !== undefined) expect(error.scimType).toBe(fields.scimType);
  if (fields.code !== undefined) expect(error.code).toBe(fields.code);
  return error;
}

const userNameKey = (userName: string): UniqueKey => ({
  attribute: "userName",
  value: userName.toLowerCase(),
});

/**
 * Defines the store conformance suite as vitest `describe`/`it` blocks: CRUD,
 * uniqueness and version conflicts under concurrency, a corpus of filters over a
 * fixed data set, sorting, index and cursor paging, the membership relation, and
 * tenant isolation, and the optional trash methods (soft delete, purge, restore;
 * skipped with a reason when the store does not implement them). Persisted state is checked through `backdoor`. Queries run
 * through core's repository, so a store is judged on what it claims to push down
 * and core's fallback covers the rest.
 */
export function runStoreConformance<S extends ScimStore>(options: StoreConformanceOptions<S>) {
  const registry = conformanceRegistry();
  const skips = options.skip ?? {};
  for (const [name, reason] of Object.entries(skips)) {
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new TypeError(`runStoreConformance: skip "${name}" needs a reason.`);
    }
  }
  const test = (name: string, body: () => Promise<void>) => {
    const reason = skips[name];
    if (reason === undefined) it(name, body);
    else it.skip(`${name} (skipped: ${reason})`, body);
  };

  let store: S | undefined;
  const current = (): S => {
    if (store === undefined) throw new Error("conformance: store not created");
    return store;
  };
  const backdoor = (): StoreBackdoor =>
    typeof options.backdoor === "function" ? options.backdoor(current()) : options.backdoor;
  const repositoryOf = (clock?: () => Date, generateId?: () => string): Repository =>
    createRepository({
      store: current(),
      registry,
      ...(clock === undefined ? {} : { clock }),
      ...(generateId === undefined ? {} : { generateId }),
    });

  const prepare = async () => {
    if (store !== undefined && options.reset !== undefined) {
      await options.reset(store);
      return;
    }
    if (store !== undefined) await store.close?.();
    store = await options.createStore();
    if (options.reset !== undefined) await options.reset(store);
  };
  const finish = async () => {
    await store?.close?.();
    store = undefined;
  };

  const bound = (resourceType: string, text: string) => {
    const parsed = parseFilter(text);
    if (!parsed.ok) throw parsed.error;
    const result = bindFilter(parsed.value, registry.resourceSchema(resourceType));
    if (!result.ok) throw result.error;
    return result.value;
  };
  const sortPath = (resourceType: string, text: string) => {
    const parsed = parseAttributePath(text);
    if (!parsed.ok) throw parsed.error;
    const resolved = resolvePath(registry.resourceSchema(resourceType), parsed.value);
    if (!resolved.ok) throw resolved.error;
    return resolved.value;
  };

  /** Creates the fixed data set in `tenant` with fixed ids and timestamps. */
  const seed = async (tenant: string) => {
    const instants = [
      ...USER_KEYS.map(createdAt),
      U3_MODIFIED,
      ...GROUP_KEYS.map((key) => createdAt(key)),
    ];
    const repository = repositoryOf(
      sequenceClock(instants),
      sequenceIds([...USER_KEYS.map((key) => ids[key]), ...GROUP_KEYS.map((key) => ids[key])]),
    );
    for (const key of USER_KEYS) {
      await repository.create(tenant, { resourceType: "User", data: users[key] });
    }
    await repository.update(tenant, { resourceType: "User", id: ids.u3, data: users.u3 });
    for (const key of GROUP_KEYS) {
      const group = groups[key];
      await repository.create(tenant, {
        resourceType: "Group",
        data: group.data,
        ...(group.members.length === 0 ? {} : { members: group.members }),
      });
    }
  };

  /** Creates `count` simple users with fixed ids (`extra` range), for paging. */
  const seedMany = async (tenant: string, count: number) => {
    const repository = repositoryOf(
      () => new Date("2024-03-01T00:00:00.000Z"),
      sequenceIds(Array.from({ length: count }, (_, index) => fixtureId("extra", index + 1))),
    );
    const created: string[] = [];
    for (let index = 0; index < count; index += 1) {
      // Reversed, zero-padded names so name order differs from id and insertion order.
      const userName = `user-${String(count - index).padStart(3, "0")}`;
      const record = await repository.create(tenant, {
        resourceType: "User",
        data: { userName, active: index % 3 !== 0 },
      });
      created.push(record.id);
    }
    return created;
  };

  const keysOf = (records: readonly StoredRecord[]) => {
    const byId = new Map(Object.entries(ids).map(([key, id]) => [id, key]));
    return records.map((record) => byId.get(record.id) ?? record.id);
  };

  describe(options.name, () => {
    describe("records", () => {
      beforeEach(prepare);
      afterAll(finish);

      const input = (id: string, userName: string) => ({
        resourceType: "User",
        id,
        created: "2024-01-01T00:00:00.000Z",
        data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName, active: true },
        uniqueKeys: [userNameKey(userName)],
      });

      test("create persists version 1 with created = lastModified", async () => {
        const tenant = newTenant("create");
        const record = await current().create(tenant, input(ids.u1, "alice"));
        expect(record).toMatchObject({
          resourceType: "User",
          id: ids.u1,
          version: 1,
          created: "2024-01-01T00:00:00.000Z",
          lastModified: "2024-01-01T00:00:00.000Z",
          data: input(ids.u1, "alice").data,
        });
        const raw = await backdoor().readRecord(tenant, "User", ids.u1);
        expect(raw).toMatchObject({
          id: ids.u1,
          version: 1,
          created: "2024-01-01T00:00:00.000Z",
          lastModified: "2024-01-01T00:00:00.000Z",
          data: input(ids.u1, "alice").data,
        });
      });

      test("create keeps its own copy of the input", async () => {
        const tenant = newTenant("copy-in");
        const given = input(ids.u1, "alice");
        await current().create(tenant, given);
        (given.data as ScimObject).userName = "mallory";
        expect((await backdoor().readRecord(tenant, "User", ids.u1))?.data.userName).toBe("alice");
      });

      test("returned records are copies", async () => {
        const tenant = newTenant("copy-out");
        const created = await current().create(tenant, input(ids.u1, "alice"));
        (created.data as ScimObject).userName = "mallory";
        const fetched = await current().get(tenant, "User", ids.u1);
        (fetched?.data as ScimObject).active = false;
        const listed = await current().query(tenant, {
          resourceType: "User",
          page: { kind: "all" },
        });
        (listed.records[0]?.data as ScimObject).userName = "eve";
        const raw = await backdoor().readRecord(tenant, "User", ids.u1);
        expect(raw?.data).toMatchObject({ userName: "alice", active: true });
        expect((await current().get(tenant, "User", ids.u1))?.data).toMatchObject({
          userName: "alice",
          active: true,
        });
      });

      test("get returns undefined for a missing id or another resource type", async () => {
        const tenant = newTenant("get");
        await current().create(tenant, input(ids.u1, "alice"));
        expect(await current().get(tenant, "User", ids.u2)).toBeUndefined();
        expect(await current().get(tenant, "Group", ids.u1)).toBeUndefined();
        expect((await current().get(tenant, "User", ids.u1))?.data.userName).toBe("alice");
      });

      test("update replaces data, bumps the version and sets lastModified", async () => {
        const tenant = newTenant("update");
        await current().create(tenant, input(ids.u1, "alice"));
        const data = { userName: "alice2", active: false };
        const updated = await current().update(tenant, {
          resourceType: "User",
          id: ids.u1,
          lastModified: "2024-02-02T00:00:00.000Z",
          data,
          uniqueKeys: [userNameKey("alice2")],
        });
        expect(updated).toMatchObject({
          version: 2,
          lastModified: "2024-02-02T00:00:00.000Z",
          data,
        });
        expect(updated.created).toBe("2024-01-01T00:00:00.000Z");
        const raw = await backdoor().readRecord(tenant, "User", ids.u1);
        expect(raw).toMatchObject({ version: 2, lastModified: "2024-02-02T00:00:00.000Z" });
        expect(raw?.data).toEqual(data);
      });

      test("update of a missing record throws 404", async () => {
        const tenant = newTenant("update-missing");
        await expectScimError(
          current().update(tenant, {
            resourceType: "User",
            id: ids.u1,
            lastModified: "2024-02-02T00:00:00.000Z",
            data: { userName: "x" },
            uniqueKeys: [],
          }),
          404,
        );
      });

      test("delete removes the record and reports whether it existed", async () => {
        const tenant = newTenant("delete");
        await current().create(tenant, input(ids.u1, "alice"));
        expect(await current().delete(tenant, "Group", ids.u1)).toBe(false);
        expect(await current().delete(tenant, "User", ids.u1)).toBe(true);
        expect(await backdoor().readRecord(tenant, "User", ids.u1)).toBeUndefined();
        expect(await current().get(tenant, "User", ids.u1)).toBeUndefined();
        expect(await current().delete(tenant, "User", ids.u1)).toBe(false);
        expect((await current().existing(tenant, [ids.u1])).size).toBe(0);
      });

      test("existing reports exactly the ids that exist, of any type", async () => {
        const tenant = newTenant("existing");
        await current().create(tenant, input(ids.u1, "alice"));
        await current().create(tenant, {
          resourceType: "Group",
          id: ids.g1,
          created: "2024-01-01T00:00:00.000Z",
          data: { displayName: "Admins" },
          uniqueKeys: [],
        });
        const found = await current().existing(tenant, [ids.u1, ids.g1, ids.u2]);
        expect(sorted(found)).toEqual(sorted([ids.u1, ids.g1]));
      });
    });

    describe("uniqueness and versions", () => {
      beforeEach(prepare);
      afterAll(finish);

      test("10 concurrent creates of one userName differing in case: exactly one succeeds", async () => {
        const tenant = newTenant("unique");
        const repository = repositoryOf();
        const names = [
          "alice",
          "Alice",
          "ALICE",
          "aLice",
          "alIce",
          "aliCe",
          "alicE",
          "ALice",
          "aLICE",
          "AlIcE",
        ];
        const outcomes = await Promise.allSettled(
          names.map((userName) =>
            repository.create(tenant, { resourceType: "User", data: { userName } }),
          ),
        );
        const created = outcomes.filter((outcome) => outcome.status === "fulfilled");
        const rejected = outcomes.filter((outcome) => outcome.status === "rejected");
        expect(created).toHaveLength(1);
        for (const outcome of rejected) {
          const reason = (outcome as PromiseRejectedResult).reason as unknown;
          expect(ScimError.is(reason)).toBe(true);
          expect(reason).toMatchObject({ status: 409, scimType: "uniqueness" });
        }
        const winner = (created[0] as PromiseFulfilledResult<StoredRecord>).value;
        expect(await backdoor().readRecord(tenant, "User", winner.id)).toBeDefined();
        const listed = await repository.query(tenant, {
          resourceType: "User",
          page: { kind: "all" },
        });
        expect(listed.totalResults).toBe(1);
      });

      test("update to a taken unique key throws 409 and changes nothing", async () => {
        const tenant = newTenant("unique-update");
        const repository = repositoryOf();
        const alice = await repository.create(tenant, {
          resourceType: "User",
          data: { userName: "alice" },
        });
        const bob = await repository.create(tenant, {
          resourceType: "User",
          data: { userName: "bob" },
        });
        await expectScimError(
          repository.update(tenant, {
            resourceType: "User",
            id: bob.id,
            data: { userName: "ALICE" },
          }),
          409,
          { scimType: "uniqueness" },
        );
        const raw = await backdoor().readRecord(tenant, "User", bob.id);
        expect(raw).toMatchObject({ version: 1, data: { userName: "bob" } });
        // Keeping one's own key, in another case, is no conflict.
        const renamed = await repository.update(tenant, {
          resourceType: "User",
          id: alice.id,
          data: { userName: "Alice" },
        });
        expect(renamed.version).toBe(2);
      });

      test("a unique key is free again after a rename or a delete", async () => {
        const tenant = newTenant("unique-free");
        const repository = repositoryOf();
        const alice = await repository.create(tenant, {
          resourceType: "User",
          data: { userName: "alice" },
        });
        await repository.update(tenant, {
          resourceType: "User",
          id: alice.id,
          data: { userName: "alicia" },
        });
        const second = await repository.create(tenant, {
          resourceType: "User",
          data: { userName: "alice" },
        });
        await repository.delete(tenant, "User", second.id);
        const third = await repository.create(tenant, {
          resourceType: "User",
          data: { userName: "ALICE" },
        });
        expect(await backdoor().readRecord(tenant, "User", third.id)).toMatchObject({
          data: { userName: "ALICE" },
        });
        await expectScimError(
          repository.create(tenant, { resourceType: "User", data: { userName: "Alicia" } }),
          409,
          { scimType: "uniqueness" },
        );
      });

      test("a stale expectedVersion throws 412 version_conflict and changes nothing", async () => {
        const tenant = newTenant("version");
        const repository = repositoryOf();
        const alice = await repository.create(tenant, {
          resourceType: "User",
          data: { userName: "alice" },
        });
        const next = await repository.update(tenant, {
          resourceType: "User",
          id: alice.id,
          expectedVersion: 1,
          data: { userName: "alice", title: "first" },
        });
        expect(next.version).toBe(2);
        await expectScimError(
          repository.update(tenant, {
            resourceType: "User",
            id: alice.id,
            expectedVersion: 1,
            data: { userName: "alice", title: "stale" },
          }),
          412,
          { code: "version_conflict" },
        );
        expect(await backdoor().readRecord(tenant, "User", alice.id)).toMatchObject({
          version: 2,
          data: { title: "first" },
        });
      });

      test("of concurrent writes with the same expectedVersion exactly one commits", async () => {
        const tenant = newTenant("version-race");
        const repository = repositoryOf();
        const alice = await repository.create(tenant, {
          resourceType: "User",
          data: { userName: "alice" },
        });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 5 }, (_, index) =>
            repository.update(tenant, {
              resourceType: "User",
              id: alice.id,
              expectedVersion: 1,
              data: { userName: "alice", title: `writer ${index}` },
            }),
          ),
        );
        expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === "rejected") expect(outcome.reason).toMatchObject({ status: 412 });
        }
        expect((await backdoor().readRecord(tenant, "User", alice.id))?.version).toBe(2);
      });
    });

    describe("filters", () => {
      const tenant = newTenant("filters");
      beforeAll(async () => {
        await prepare();
        await seed(tenant);
      });
      afterAll(finish);

      for (const entry of filterCorpus) {
        test(`filter ${entry.resourceType}: ${entry.filter}`, async () => {
          const result = await repositoryOf().query(tenant, {
            resourceType: entry.resourceType,
            filter: bound(entry.resourceType, entry.filter),
            page: { kind: "index", startIndex: 1, count: 100 },
          });
          expect(sorted(keysOf(result.records))).toEqual(sorted(entry.expected));
          expect(result.totalResults).toBe(entry.expected.length);
        });
      }
    });

    describe("sorting", () => {
      const tenant = newTenant("sorting");
      beforeAll(async () => {
        await prepare();
        await seed(tenant);
      });
      afterAll(finish);

      const sortCases: [string, SortOrder, string | undefined, UserKey[]][] = [
        ["userName", "ascending", undefined, ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"]],
        ["userName", "descending", undefined, ["u8", "u7", "u6", "u5", "u4", "u3", "u2", "u1"]],
        [
          "name.givenName",
          "ascending",
          undefined,
          ["u1", "u2", "u3", "u5", "u6", "u7", "u8", "u4"],
        ],
        [
          "name.givenName",
          "descending",
          undefined,
          ["u4", "u8", "u7", "u6", "u5", "u3", "u2", "u1"],
        ],
        [
          "urn:example:params:scim:schemas:extension:conformance:2.0:User:level",
          "ascending",
          undefined,
          ["u6", "u2", "u4", "u1", "u8", "u3", "u5", "u7"],
        ],
        [
          "urn:example:params:scim:schemas:extension:conformance:2.0:User:hiredAt",
          "ascending",
          undefined,
          ["u7", "u5", "u3", "u1", "u2", "u4", "u8", "u6"],
        ],
        ["emails.value", "ascending", undefined, ["u1", "u2", "u5", "u6", "u7", "u3", "u4", "u8"]],
        ["userType", "ascending", undefined, ["u2", "u8", "u1", "u3", "u4", "u5", "u7", "u6"]],
        ["userType", "descending", undefined, ["u6", "u1", "u3", "u4", "u5", "u7", "u2", "u8"]],
        [
          "meta.lastModified",
          "descending",
          undefined,
          ["u3", "u8", "u7", "u6", "u5", "u4", "u2", "u1"],
        ],
        [
          "urn:example:params:scim:schemas:extension:conformance:2.0:User:level",
          "descending",
          "active eq true",
          ["u7", "u5", "u3", "u8", "u1", "u4"],
        ],
      ];
      for (const [path, order, filter, expected] of sortCases) {
        const name = `sort by ${path} ${order}${filter === undefined ? "" : ` where ${filter}`}`;
        test(name, async () => {
          const query: RepositoryQuery = {
            resourceType: "User",
            ...(filter === undefined ? {} : { filter: bound("User", filter) }),
            sort: { path: sortPath("User", path), order },
            page: { kind: "index", startIndex: 1, count: 100 },
          };
          const result = await repositoryOf().query(tenant, query);
          expect(keysOf(result.records)).toEqual(expected);
        });
      }
    });

    describe("paging", () => {
      const tenant = newTenant("paging");
      let created: string[] = [];
      beforeAll(async () => {
        await prepare();
        created = await seedMany(tenant, 23);
      });
      afterAll(finish);

      const byName = () => ({ path: sortPath("User", "userName"), order: "ascending" as const });

      const walkIndex = async (query: Omit<RepositoryQuery, "page">, count: number) => {
        const seen: string[] = [];
        for (let startIndex = 1; startIndex <= 30; startIndex += count) {
          const page = await repositoryOf().query(tenant, {
            ...query,
            page: { kind: "index", startIndex, count },
          });
          expect(page.totalResults).toBe(query.filter === undefined ? 23 : page.totalResults);
          expect(page.records.length).toBeLessThanOrEqual(count);
          seen.push(...page.records.map((record) => record.id));
        }
        return seen;
      };

      test("index paging neither repeats nor skips, with totalResults on every page", async () => {
        const seen = await walkIndex({ resourceType: "User" }, 5);
        expect(seen).toHaveLength(23);
        expect(sorted(seen)).toEqual(sorted(created));
      });

      test("index paging follows the sort order", async () => {
        const seen = await walkIndex({ resourceType: "User", sort: byName() }, 4);
        // userName user-001 belongs to the last created record.
        expect(seen).toEqual([...created].reverse());
      });

      test("index paging over a filter counts only matches", async () => {
        const filter = bound("User", "active eq true");
        const all = await repositoryOf().query(tenant, {
          resourceType: "User",
          filter,
          page: { kind: "all" },
        });
        expect(all.totalResults).toBe(15);
        const seen: string[] = [];
        for (let startIndex = 1; startIndex <= 15; startIndex += 4) {
          const page = await repositoryOf().query(tenant, {
            resourceType: "User",
            filter,
            page: { kind: "index", startIndex, count: 4 },
          });
          expect(page.totalResults).toBe(15);
          seen.push(...page.records.map((record) => record.id));
        }
        expect(sorted(seen)).toEqual(sorted(all.records.map((record) => record.id)));
      });

      test("count 0 and a startIndex past the end return no records but the total", async () => {
        const empty = await repositoryOf().query(tenant, {
          resourceType: "User",
          page: { kind: "index", startIndex: 1, count: 0 },
        });
        expect(empty).toMatchObject({ records: [], totalResults: 23 });
        const past = await repositoryOf().query(tenant, {
          resourceType: "User",
          page: { kind: "index", startIndex: 24, count: 5 },
        });
        expect(past).toMatchObject({ records: [], totalResults: 23 });
      });

      const walkCursor = async (query: Omit<RepositoryQuery, "page">, count: number) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let guard = 0; guard < 50; guard += 1) {
          const page = await repositoryOf().query(tenant, {
            ...query,
            page: { kind: "cursor", count, ...(cursor === undefined ? {} : { cursor }) },
          });
          expect(page.records.length).toBeLessThanOrEqual(count);
          seen.push(...page.records.map((record) => record.id));
          if (page.nextCursor === undefined) return seen;
          expect(page.records).toHaveLength(count);
          cursor = page.nextCursor;
        }
        throw new Error("cursor paging did not end");
      };

      test("cursor paging visits every record once and ends without a nextCursor", async () => {
        const seen = await walkCursor({ resourceType: "User" }, 5);
        expect(seen).toHaveLength(23);
        expect(sorted(seen)).toEqual(sorted(created));
      });

      test("cursor paging follows the sort order", async () => {
        const seen = await walkCursor({ resourceType: "User", sort: byName() }, 6);
        expect(seen).toEqual([...created].reverse());
        const descending = await walkCursor(
          { resourceType: "User", sort: { ...byName(), order: "descending" } },
          7,
        );
        expect(descending).toEqual(created);
      });

      test("a cursor survives the deletion of the last record it returned", async () => {
        const tenantOwn = newTenant("cursor-delete");
        const own = await seedMany(tenantOwn, 10);
        const repository = repositoryOf();
        const first = await repository.query(tenantOwn, {
          resourceType: "User",
          sort: byName(),
          page: { kind: "cursor", count: 4 },
        });
        const last = first.records.at(-1);
        expect(last).toBeDefined();
        await repository.delete(tenantOwn, "User", last!.id);
        const second = await repository.query(tenantOwn, {
          resourceType: "User",
          sort: byName(),
          page: { kind: "cursor", count: 4, cursor: first.nextCursor! },
        });
        expect(second.records.map((record) => record.id)).toEqual([...own].reverse().slice(4, 8));
      });

      test("an invalid cursor is a 400 invalidCursor", async () => {
        await expectScimError(
          repositoryOf().query(tenant, {
            resourceType: "User",
            page: { kind: "cursor", count: 5, cursor: "not-a-cursor" },
          }),
          400,
          { scimType: "invalidCursor" },
        );
      });
    });

    describe("membership", () => {
      beforeEach(prepare);
      afterAll(finish);

      const member = (id: string): MemberRef => ({ value: id, type: "User" });
      const createUsers = async (tenant: string, count: number) => {
        const repository = repositoryOf();
        const created: string[] = [];
        for (let index = 0; index < count; index += 1) {
          const record = await repository.create(tenant, {
            resourceType: "User",
            data: { userName: `member-${index}` },
          });
          created.push(record.id);
        }
        return created;
      };
      const createGroup = async (tenant: string, members: readonly string[]) =>
        repositoryOf().create(tenant, {
          resourceType: "Group",
          data: { displayName: "Team" },
          members: members.map(member),
        });
      const membersOf = async (tenant: string, groupId: string) =>
        sorted(await backdoor().readMembers(tenant, groupId));

      test("members load only when asked, in insertion order", async () => {
        const tenant = newTenant("members-load");
        const [a, b, c] = await createUsers(tenant, 3);
        const group = await createGroup(tenant, [c!, a!, b!]);
        const plain = await current().get(tenant, "Group", group.id);
        expect(plain?.members).toBeUndefined();
        const listed = await current().query(tenant, {
          resourceType: "Group",
          page: { kind: "all" },
        });
        expect(listed.records[0]?.members).toBeUndefined();
        const full = await current().get(tenant, "Group", group.id, { includeMembers: true });
        expect(full?.members?.map((entry) => entry.value)).toEqual([c, a, b]);
        expect(full?.members?.[0]).toMatchObject({ value: c, type: "User" });
        const listedFull = await current().query(tenant, {
          resourceType: "Group",
          page: { kind: "all" },
          includeMembers: true,
        });
        expect(listedFull.records[0]?.members?.map((entry) => entry.value)).toEqual([c, a, b]);
      });

      test("add, remove and replaceAll apply as set operations and report real changes", async () => {
        const tenant = newTenant("members-delta");
        const [a, b, c, d] = (await createUsers(tenant, 4)) as [string, string, string, string];
        const group = await createGroup(tenant, [a, b]);
        const repository = repositoryOf();
        const update = (delta: { replaceAll?: boolean; add?: string[]; remove?: string[] }) =>
          repository.update(tenant, {
            resourceType: "Group",
            id: group.id,
            members: {
              ...(delta.replaceAll === undefined ? {} : { replaceAll: delta.replaceAll }),
              add: (delta.add ?? []).map(member),
              remove: delta.remove ?? [],
            },
          });

        const added = await update({ add: [c] });
        expect(added.membership).toEqual({ added: [c], removed: [] });
        expect(added.version).toBe(2);
        expect(await membersOf(tenant, group.id)).toEqual(sorted([a, b, c]));

        const removed = await update({ remove: [a, d] });
        expect(removed.membership).toEqual({ added: [], removed: [a] });
        expect(await membersOf(tenant, group.id)).toEqual(sorted([b, c]));

        const noop = await update({ add: [b], remove: [d] });
        expect(noop.membership).toEqual({ added: [], removed: [] });
        expect(noop.version).toBe(removed.version);

        const replaced = await update({ replaceAll: true, add: [d, b] });
        expect(sorted(replaced.membership?.added ?? [])).toEqual([d]);
        expect(sorted(replaced.membership?.removed ?? [])).toEqual([c]);
        expect(await membersOf(tenant, group.id)).toEqual(sorted([b, d]));
        expect(await current().memberOf(tenant, c)).toEqual([]);

        const emptied = await update({ replaceAll: true });
        expect(sorted(emptied.membership?.removed ?? [])).toEqual(sorted([b, d]));
        expect(await membersOf(tenant, group.id)).toEqual([]);
        expect(await current().memberOf(tenant, b)).toEqual([]);
      });

      test("20 concurrent add-member updates on one group lose nothing", async () => {
        const tenant = newTenant("members-concurrent");
        const users = await createUsers(tenant, 20);
        const group = await createGroup(tenant, []);
        const repository = repositoryOf();
        await Promise.all(
          users.map((id) =>
            repository.update(tenant, {
              resourceType: "Group",
              id: group.id,
              members: { add: [member(id)], remove: [] },
            }),
          ),
        );
        expect(await membersOf(tenant, group.id)).toEqual(sorted(users));
        expect((await backdoor().readRecord(tenant, "Group", group.id))?.version).toBe(21);
        await Promise.all(
          users.slice(0, 10).map((id) =>
            repository.update(tenant, {
              resourceType: "Group",
              id: group.id,
              members: { add: [], remove: [id] },
            }),
          ),
        );
        expect(await membersOf(tenant, group.id)).toEqual(sorted(users.slice(10)));
      });

      test("memberOf lists a member's direct groups with their displayName", async () => {
        const tenant = newTenant("member-of");
        const [a, b] = (await createUsers(tenant, 2)) as [string, string];
        const repository = repositoryOf();
        const admins = await repository.create(tenant, {
          resourceType: "Group",
          data: { displayName: "Admins" },
          members: [member(a)],
        });
        const staff = await repository.create(tenant, {
          resourceType: "Group",
          data: { displayName: "Staff" },
          members: [member(a), member(b), { value: admins.id, type: "Group" }],
        });
        const of = (groupsOfMember: readonly GroupRef[]) =>
          [...groupsOfMember].sort((left, right) => (left.id < right.id ? -1 : 1));
        expect(of(await current().memberOf(tenant, a))).toEqual(
          of([
            { resourceType: "Group", id: admins.id, display: "Admins" },
            { resourceType: "Group", id: staff.id, display: "Staff" },
          ]),
        );
        expect(await current().memberOf(tenant, admins.id)).toEqual([
          { resourceType: "Group", id: staff.id, display: "Staff" },
        ]);
        expect(await current().memberOf(tenant, "00000000-0000-4000-8000-999999999999")).toEqual(
          [],
        );
        if (current().hasMembers !== undefined) {
          expect(
            sorted(
              await current().hasMembers!(tenant, "Group", staff.id, [a, admins.id, staff.id]),
            ),
          ).toEqual(sorted([a, admins.id]));
        }
      });

      test("deleting a user removes it from every group", async () => {
        const tenant = newTenant("delete-member");
        const [a, b] = (await createUsers(tenant, 2)) as [string, string];
        const one = await createGroup(tenant, [a, b]);
        const two = await createGroup(tenant, [a]);
        expect(await current().delete(tenant, "User", a)).toBe(true);
        expect(await current().memberOf(tenant, a)).toEqual([]);
        expect(await membersOf(tenant, one.id)).toEqual([b]);
        expect(await membersOf(tenant, two.id)).toEqual([]);
        const read = await current().get(tenant, "Group", one.id, { includeMembers: true });
        expect(read?.members?.map((entry) => entry.value)).toEqual([b]);
        const filtered = await repositoryOf().query(tenant, {
          resourceType: "Group",
          filter: bound("Group", `members.value eq "${a}"`),
          page: { kind: "all" },
        });
        expect(filtered.totalResults).toBe(0);
      });

      test("deleting a group removes it from its members' groups", async () => {
        const tenant = newTenant("delete-group");
        const [a] = (await createUsers(tenant, 1)) as [string];
        const one = await createGroup(tenant, [a]);
        const two = await createGroup(tenant, [a]);
        expect(await current().delete(tenant, "Group", one.id)).toBe(true);
        expect((await current().memberOf(tenant, a)).map((group) => group.id)).toEqual([two.id]);
        expect(await membersOf(tenant, one.id)).toEqual([]);
      });
    });

    describe("tenants", () => {
      beforeEach(prepare);
      afterAll(finish);

      test("no operation in one tenant sees or changes another tenant's data", async () => {
        const tenantA = newTenant("a");
        const tenantB = newTenant("b");
        const store = current();
        const create = (tenant: string, title: string) =>
          store.create(tenant, {
            resourceType: "User",
            id: ids.u1,
            created: "2024-01-01T00:00:00.000Z",
            data: { userName: "alice", title },
            uniqueKeys: [userNameKey("alice")],
          });
        // Same id and same unique key in both tenants: no conflict across tenants.
        await create(tenantA, "in A");
        await create(tenantB, "in B");
        await store.create(tenantB, {
          resourceType: "User",
          id: ids.u2,
          created: "2024-01-01T00:00:00.000Z",
          data: { userName: "bob" },
          uniqueKeys: [userNameKey("bob")],
        });
        await store.create(tenantB, {
          resourceType: "Group",
          id: ids.g1,
          created: "2024-01-01T00:00:00.000Z",
          data: { displayName: "B team" },
          uniqueKeys: [],
          members: [{ value: ids.u1, type: "User" }],
        });

        expect((await store.get(tenantA, "User", ids.u1))?.data.title).toBe("in A");
        expect(await store.get(tenantA, "User", ids.u2)).toBeUndefined();
        expect(await store.get(tenantA, "Group", ids.g1)).toBeUndefined();
        const listed = await repositoryOf().query(tenantA, {
          resourceType: "User",
          page: { kind: "all" },
        });
        expect(listed.records.map((record) => record.data.title)).toEqual(["in A"]);
        const filtered = await repositoryOf().query(tenantA, {
          resourceType: "User",
          filter: bound("User", 'userName eq "bob"'),
          page: { kind: "index", startIndex: 1, count: 10 },
        });
        expect(filtered.totalResults).toBe(0);
        expect(await store.memberOf(tenantA, ids.u1)).toEqual([]);
        expect(sorted(await store.existing(tenantA, [ids.u1, ids.u2, ids.g1]))).toEqual([ids.u1]);

        await expectScimError(
          store.update(tenantA, {
            resourceType: "User",
            id: ids.u2,
            lastModified: "2024-02-01T00:00:00.000Z",
            data: { userName: "bob" },
            uniqueKeys: [userNameKey("bob")],
          }),
          404,
        );
        await store.update(tenantA, {
          resourceType: "User",
          id: ids.u1,
          lastModified: "2024-02-01T00:00:00.000Z",
          data: { userName: "alice", title: "changed in A" },
          uniqueKeys: [userNameKey("alice")],
        });
        expect(await backdoor().readRecord(tenantB, "User", ids.u1)).toMatchObject({
          version: 1,
          data: { title: "in B" },
        });
        expect(await store.delete(tenantA, "User", ids.u2)).toBe(false);
        expect(await store.delete(tenantA, "User", ids.u1)).toBe(true);
        expect(await backdoor().readRecord(tenantB, "User", ids.u1)).toBeDefined();
        expect(await backdoor().readMembers(tenantB, ids.g1)).toEqual([ids.u1]);
        expect((await store.memberOf(tenantB, ids.u1)).map((group) => group.id)).toEqual([ids.g1]);
        expect(await backdoor().readRecord(tenantA, "User", ids.u1)).toBeUndefined();
      });
    });

    describe("soft delete", () => {
      beforeEach(prepare);
      afterAll(finish);

      defineSoftDeleteConformance({
        test: (name, needs, body) => {
          const reason = skips[name];
          if (reason !== undefined) {
            it.skip(`${name} (skipped: ${reason})`, body);
            return;
          }
          it(name, async (context) => {
            const missing = needs.filter(
              (method: SoftDeleteMethod) => typeof current()[method] !== "function",
            );
            if (missing.length > 0) {
              context.skip(`the store does not implement ${missing.join(", ")}`);
            }
            await body();
          });
        },
        current,
        repositoryOf: () => repositoryOf(),
        bound,
        newTenant,
        backdoor,
      });
    });
  });
}
