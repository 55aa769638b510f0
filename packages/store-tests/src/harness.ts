import {
  type BoundFilter,
  bindFilter,
  createRepository,
  parseAttributePath,
  parseFilter,
  type Repository,
  type ResolvedPath,
  resolvePath,
  type SchemaRegistry,
  ScimError,
  type ScimObject,
  type ScimStore,
  type StoredRecord,
  type UniqueKey,
} from "@scimkit/core";
import { expect, it } from "vitest";
import {
  conformanceRegistry,
  createdAt,
  fixtureId,
  GROUP_KEYS,
  groups,
  ids,
  U3_MODIFIED,
  USER_KEYS,
  users,
} from "./data-set";

export type MaybePromise<T> = T | Promise<T>;

/** A persisted record as the backdoor reads it, straight from storage. */
export interface BackdoorRecord {
  readonly id: string;
  readonly version: number;
  readonly created: string;
  readonly lastModified: string;
  readonly data: ScimObject;
}

/** A trashed record as the backdoor reads it, straight from storage. */
export interface BackdoorDeletedRecord {
  readonly id: string;
  readonly version: number;
  /** ISO-8601 (any offset); compared as an instant. */
  readonly purgeAfter: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** Its own member ids (when it is a group), in any order. */
  readonly members: readonly string[];
  /** Ids of the groups it belonged to, in any order. */
  readonly memberOf: readonly string[];
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

/** An optional store member (method or feature group) some tests need; they skip without it. */
export type OptionalStoreMethod = {
  [K in keyof ScimStore]-?: undefined extends ScimStore[K] ? K : never;
}[keyof ScimStore];

/** The capability flags a test can need set to true. */
type CapabilityFlag = "checksMembers" | "readsMemberOf";

/** A test's requirement: an optional contract member, or a capability flag set to true. */
export type StoreNeed = OptionalStoreMethod | `capabilities.${CapabilityFlag}`;

const CAPABILITY_PREFIX = "capabilities.";

const lacks = (store: ScimStore, need: StoreNeed): boolean =>
  need.startsWith(CAPABILITY_PREFIX)
    ? store.capabilities?.[need.slice(CAPABILITY_PREFIX.length) as CapabilityFlag] !== true
    : store[need as OptionalStoreMethod] === undefined;

/**
 * What every area of the suite is written against: the store under test, its
 * backdoor, core's repository over it, and the fixed data set.
 */
export interface ConformanceHarness {
  readonly registry: SchemaRegistry;
  /**
   * Defines a test, skipped with the reason from `options.skip`, or when the
   * store lacks one of `needs` (optional contract members or capabilities).
   */
  test(name: string, body: () => Promise<void>, needs?: readonly StoreNeed[]): void;
  /** The store of the running test. */
  current(): ScimStore;
  backdoor(): StoreBackdoor;
  /** Core's repository over the store, with an injected clock and id generator. */
  repositoryOf(clock?: () => Date, generateId?: () => string): Repository;
  /** `beforeEach`/`afterAll` of every area: a fresh (or reset) store. */
  prepare(): Promise<void>;
  finish(): Promise<void>;
  bound(resourceType: string, text: string): BoundFilter;
  sortPath(resourceType: string, text: string): ResolvedPath;
  /** Creates the fixed data set in `tenant` with fixed ids and timestamps. */
  seed(tenant: string): Promise<void>;
  /** Creates `count` simple users with fixed ids (`extra` range), for paging. */
  seedMany(tenant: string, count: number): Promise<string[]>;
  /** Data-set keys (`u1`, `g2`, ...) of records, in order. */
  keysOf(records: readonly StoredRecord[]): string[];
}

export const sorted = (values: Iterable<string>) => [...values].sort();

let tenantCounter = 0;
/** A tenant name no other test (or run on a shared database) uses. */
export const newTenant = (label: string) =>
  `conformance-${label}-${Date.now().toString(36)}-${(tenantCounter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** A clock that returns the given instants in order, then keeps the last. */
export function sequenceClock(instants: readonly string[]): () => Date {
  let index = 0;
  return () => new Date(instants[Math.min(index++, instants.length - 1)] ?? 0);
}

/** A generator that returns the given ids in order. */
export function sequenceIds(values: readonly string[]): () => string {
  let index = 0;
  return () => {
    const value = values[index++];
    if (value === undefined) throw new Error("conformance: ran out of fixture ids");
    return value;
  };
}

export async function expectScimError(
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

export const userNameKey = (userName: string): UniqueKey => ({
  attribute: "userName",
  value: userName.toLowerCase(),
});

/** The display names core passes for the data set's registry (Group `displayName`). */
export const RELATION_NAMES = { displayAttributes: { Group: "displayName" } } as const;

/** Builds the harness over the suite's options; skips are validated here. */
export function createHarness<S extends ScimStore>(
  options: StoreConformanceOptions<S>,
): ConformanceHarness {
  const registry = conformanceRegistry();
  const skips = options.skip ?? {};
  for (const [name, reason] of Object.entries(skips)) {
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new TypeError(`runStoreConformance: skip "${name}" needs a reason.`);
    }
  }

  let store: S | undefined;
  const current = (): S => {
    if (store === undefined) throw new Error("conformance: store not created");
    return store;
  };
  const repositoryOf = (clock?: () => Date, generateId?: () => string): Repository =>
    createRepository({
      store: current(),
      registry,
      ...(clock === undefined ? {} : { clock }),
      ...(generateId === undefined ? {} : { generateId }),
    });

  return {
    registry,
    test(name, body, needs = []) {
      const reason = skips[name];
      if (reason !== undefined) {
        it.skip(`${name} (skipped: ${reason})`, body);
        return;
      }
      if (needs.length === 0) {
        it(name, body);
        return;
      }
      it(name, async (context) => {
        const missing = needs.filter((need) => lacks(current(), need));
        if (missing.length > 0) context.skip(`the store does not implement ${missing.join(", ")}`);
        await body();
      });
    },
    current,
    backdoor: () =>
      typeof options.backdoor === "function" ? options.backdoor(current()) : options.backdoor,
    repositoryOf,
    async prepare() {
      if (store !== undefined && options.reset !== undefined) {
        await options.reset(store);
        return;
      }
      if (store !== undefined) await store.close?.();
      store = await options.createStore();
      if (options.reset !== undefined) await options.reset(store);
    },
    async finish() {
      await store?.close?.();
      store = undefined;
    },
    bound(resourceType, text) {
      const parsed = parseFilter(text);
      if (!parsed.ok) throw parsed.error;
      const result = bindFilter(parsed.value, registry.resourceSchema(resourceType));
      if (!result.ok) throw result.error;
      return result.value;
    },
    sortPath(resourceType, text) {
      const parsed = parseAttributePath(text);
      if (!parsed.ok) throw parsed.error;
      const resolved = resolvePath(registry.resourceSchema(resourceType), parsed.value);
      if (!resolved.ok) throw resolved.error;
      return resolved.value;
    },
    async seed(tenant) {
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
    },
    async seedMany(tenant, count) {
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
    },
    keysOf(records) {
      const byId = new Map(Object.entries(ids).map(([key, id]) => [id, key]));
      return records.map((record) => byId.get(record.id) ?? record.id);
    },
  };
}
