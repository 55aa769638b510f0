import {
  type BoundFilter,
  type CreateInput,
  filterReferences,
  type GroupRef,
  type MemberRef,
  notFound,
  type PurgedRecordRef,
  printPath,
  queryInMemory,
  type RelationNames,
  type RestoredRecord,
  type ScimObject,
  type ScimStore,
  STORE_SPECIFICATION_VERSION,
  type StoredRecord,
  type StoreQuery,
  type UniqueKey,
  type UpdatedRecord,
  type UpdateInput,
  uniquenessError,
  unresolvedMembersError,
  versionConflictError,
} from "@scimkit/core/store";
import { copyJson } from "./copy-json";
import { MemoryFeed } from "./memory-feed";
import { memoryLog, memoryTenants } from "./memory-tenants";

/** Options of `memoryStore`. */
export interface MemoryStoreOptions {
  /**
   * Top-level core string attributes indexed (case-insensitively) for `eq`
   * filters, besides the unique keys, which are always indexed. These are the
   * lookups IdPs send before every create.
   * @default ["externalId", "displayName"]
   */
  readonly indexedAttributes?: readonly string[];
}

/** One stored record with what the store derived from it. */
export interface MemoryEntry {
  /** The record as stored (immutable: replaced, never mutated, on update). */
  readonly record: StoredRecord;
  readonly uniqueKeys: readonly UniqueKey[];
}

/** The records of one resource type in one tenant. */
export interface MemoryTypeState {
  /** id -> entry, in insertion order (the default list order). */
  readonly records: Map<string, MemoryEntry>;
  /** unique-key attribute -> normalised value -> id. */
  readonly unique: Map<string, Map<string, string>>;
  /** indexed attribute -> lower-cased value -> ids. */
  readonly indexes: Map<string, Map<string, Set<string>>>;
  /** group id -> member id -> member, in insertion order. */
  readonly members: Map<string, Map<string, MemberRef>>;
}

/** A soft-deleted record in a tenant's trash, with the memberships it had. */
export interface MemoryTrashEntry {
  /** The record and its unique keys as they were when it was deleted. */
  readonly entry: MemoryEntry;
  /** ISO-8601 instant from which `purgeDeleted` removes it. */
  readonly purgeAfter: string;
  /** Its own members (when it is a group), in insertion order. */
  readonly members: readonly MemberRef[];
  /** The groups it belonged to, with its member value in each. */
  readonly memberOf: readonly {
    readonly resourceType: string;
    readonly id: string;
    readonly member: MemberRef;
  }[];
}

/** One tenant's data. */
export interface MemoryTenantState {
  readonly types: Map<string, MemoryTypeState>;
  /** Soft-deleted records by resource type and id, out of every live map and index. */
  readonly trash: Map<string, MemoryTrashEntry>;
  /** member id -> groups it belongs to (the reverse side of `members`). */
  readonly groupsOf: Map<
    string,
    Map<string, { readonly resourceType: string; readonly id: string }>
  >;
}

/**
 * Raw access to a memory store's maps, FOR TESTS ONLY (the conformance suite's
 * backdoor). Reads return internal objects: do not mutate them.
 */
export interface MemoryStoreInspector {
  /** Every tenant's state. */
  readonly tenants: ReadonlyMap<string, MemoryTenantState>;
  /** The stored record (without members), or `undefined`. */
  readRecord(tenant: string, resourceType: string, id: string): StoredRecord | undefined;
  /** Member ids of a group, read from the group side of the relation. */
  readMembers(tenant: string, groupId: string): string[];
  /** Group ids a member belongs to, read from the member side of the relation. */
  readMemberOf(tenant: string, memberId: string): string[];
  /** A soft-deleted record in the tenant's trash, or `undefined`. */
  readTrash(tenant: string, resourceType: string, id: string): MemoryTrashEntry | undefined;
}

/** A `ScimStore` kept in memory, plus a backdoor for tests. */
export interface MemoryStore extends ScimStore {
  /** Raw access to the maps, for tests; see `MemoryStoreInspector`. */
  inspect(): MemoryStoreInspector;
}

/** The value at `key`, created and stored first when missing. */
function entryOf<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

const isInstant = (value: unknown): value is string =>
  typeof value === "string" && !Number.isNaN(Date.parse(value));

const groupKey = (resourceType: string, id: string) => `${resourceType}\n${id}`;

/**
 * The reference store: everything in memory, per tenant and resource type.
 * `eq` filters on unique keys, `id` and `indexedAttributes` are answered from
 * hash indexes; memberships are a relation indexed both ways, so one member
 * change is O(1) whatever the group size. Every method does its checks and
 * writes without awaiting in between, so uniqueness and version checks are atomic.
 * Records are copied in and out: callers cannot change stored state by mutation.
 * Filters and sorts use core's evaluator (`queryInMemory`), so it pushes down
 * everything, cursors included.
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const indexedAttributes = [...(options.indexedAttributes ?? ["externalId", "displayName"])];
  if (!indexedAttributes.every((attribute) => typeof attribute === "string")) {
    throw new TypeError("memoryStore: `indexedAttributes` must be attribute names.");
  }
  const tenants = new Map<string, MemoryTenantState>();
  const feed = new MemoryFeed(() => Date.now());
  const log = memoryLog();

  const tenantState = (tenant: string, create: boolean): MemoryTenantState | undefined => {
    let state = tenants.get(tenant);
    if (state === undefined && create) {
      state = { types: new Map(), groupsOf: new Map(), trash: new Map() };
      tenants.set(tenant, state);
    }
    return state;
  };

  const typeState = (
    tenant: string,
    resourceType: string,
    create: boolean,
  ): MemoryTypeState | undefined => {
    const state = tenantState(tenant, create);
    let types = state?.types.get(resourceType);
    if (types === undefined && state !== undefined && create) {
      types = { records: new Map(), unique: new Map(), indexes: new Map(), members: new Map() };
      state.types.set(resourceType, types);
    }
    return types;
  };

  const checkUnique = (state: MemoryTypeState, keys: readonly UniqueKey[], self?: string) => {
    for (const key of keys) {
      const holder = state.unique.get(key.attribute)?.get(key.value);
      if (holder !== undefined && holder !== self) throw uniquenessError([key]);
    }
  };

  const indexValue = (data: ScimObject, attribute: string) => {
    const value = data[attribute];
    return typeof value === "string" ? value.toLowerCase() : undefined;
  };

  const addToIndexes = (state: MemoryTypeState, entry: MemoryEntry) => {
    const { id, data } = entry.record;
    for (const key of entry.uniqueKeys) {
      entryOf(state.unique, key.attribute, () => new Map<string, string>()).set(key.value, id);
    }
    for (const attribute of indexedAttributes) {
      const value = indexValue(data, attribute);
      if (value === undefined) continue;
      const values = entryOf(state.indexes, attribute, () => new Map<string, Set<string>>());
      entryOf(values, value, () => new Set<string>()).add(id);
    }
  };

  const removeFromIndexes = (state: MemoryTypeState, entry: MemoryEntry) => {
    const { id, data } = entry.record;
    for (const key of entry.uniqueKeys) {
      const values = state.unique.get(key.attribute);
      if (values?.get(key.value) === id) values.delete(key.value);
    }
    for (const attribute of indexedAttributes) {
      const value = indexValue(data, attribute);
      if (value === undefined) continue;
      const ids = state.indexes.get(attribute)?.get(value);
      ids?.delete(id);
      if (ids?.size === 0) state.indexes.get(attribute)?.delete(value);
    }
  };

  /**
   * Whether a member a write adds is a live record of its type. Core checked it
   * before the write (or asks the write to, `checkMembers`), but a delete can run
   * in between (both await), and a group must never keep a member that no longer exists.
   */
  const isLiveMember = (tenant: MemoryTenantState, member: MemberRef) =>
    tenant.types.get(member.type)?.records.has(member.value) === true;

  const link = (
    tenant: MemoryTenantState,
    resourceType: string,
    groupId: string,
    memberId: string,
  ) => {
    const groups = entryOf(tenant.groupsOf, memberId, () => new Map());
    groups.set(groupKey(resourceType, groupId), { resourceType, id: groupId });
  };

  const unlink = (
    tenant: MemoryTenantState,
    resourceType: string,
    groupId: string,
    memberId: string,
  ) => {
    // Empty entries stay until the record is deleted: V8 keeps deleted Map entries in
    // their bucket until a rehash, so churning one key on a 100k-entry Map costs O(n).
    tenant.groupsOf.get(memberId)?.delete(groupKey(resourceType, groupId));
  };

  const copyMember = (member: MemberRef): MemberRef => ({
    value: member.value,
    type: member.type,
    ...(member.display === undefined ? {} : { display: member.display }),
  });

  const readMembers = (state: MemoryTypeState, id: string): MemberRef[] => {
    const members = state.members.get(id);
    return members === undefined ? [] : [...members.values()];
  };

  const copyOut = (
    record: StoredRecord,
    members?: readonly MemberRef[],
    memberOf?: readonly GroupRef[],
  ): StoredRecord => ({
    resourceType: record.resourceType,
    id: record.id,
    version: record.version,
    created: record.created,
    lastModified: record.lastModified,
    data: copyJson(record.data),
    ...(members === undefined ? {} : { members: members.map(copyMember) }),
    // groupsOf builds new objects: nothing of the store's is shared.
    ...(memberOf === undefined ? {} : { memberOf }),
  });

  /**
   * Entries a filter can only match, from a hash index; `undefined` when no index
   * applies. `exact`: the entries are exactly the matches (an `eq` answered by the
   * `id`, a unique key or a case-insensitive index), so the filter need not run.
   */
  const candidates = (
    state: MemoryTypeState,
    filter: BoundFilter,
  ): { readonly entries: MemoryEntry[]; readonly exact: boolean } | undefined => {
    if (filter.kind === "Logical") {
      const left = candidates(state, filter.left);
      const right = candidates(state, filter.right);
      if (filter.operator === "and") {
        if (left === undefined || right === undefined) {
          const one = left ?? right;
          return one === undefined ? undefined : { entries: one.entries, exact: false };
        }
        return {
          entries: left.entries.length <= right.entries.length ? left.entries : right.entries,
          exact: false,
        };
      }
      if (left === undefined || right === undefined) return undefined;
      return {
        entries: [...new Set([...left.entries, ...right.entries])],
        exact: left.exact && right.exact,
      };
    }
    if (
      filter.kind !== "Comparison" ||
      filter.operator !== "eq" ||
      typeof filter.value !== "string" ||
      filter.path.subAttribute !== undefined ||
      filter.path.definition.multiValued
    ) {
      return undefined;
    }
    const value = filter.value;
    const attribute = printPath(filter.path);
    const byIds = (ids: Iterable<string> | undefined, exact: boolean) => {
      const entries: MemoryEntry[] = [];
      for (const id of ids ?? []) {
        const entry = state.records.get(id);
        if (entry !== undefined) entries.push(entry);
      }
      return { entries, exact };
    };
    if (filter.path.isCore && filter.path.attribute === "id") return byIds([value], true);
    if (indexedAttributes.includes(attribute)) {
      return byIds(
        state.indexes.get(attribute)?.get(value.toLowerCase()),
        !filter.path.definition.caseExact,
      );
    }
    // Core computes unique keys from the same definition, so every record with a
    // value for a unique attribute has a key, normalised the way the filter compares.
    if (filter.path.definition.uniqueness !== "none") {
      const normalised = filter.path.definition.caseExact ? value : value.toLowerCase();
      const id = state.unique.get(attribute)?.get(normalised);
      return byIds(id === undefined ? [] : [id], true);
    }
    return undefined;
  };

  const referencesAttribute = (query: StoreQuery, attribute: string | undefined) => {
    if (attribute === undefined) return false;
    const sortPath = query.sort?.path;
    return (
      (query.filter !== undefined && filterReferences(query.filter, attribute)) ||
      (sortPath?.isCore === true && sortPath.attribute === attribute)
    );
  };

  const groupsOf = (tenant: string, memberId: string, names: RelationNames = {}): GroupRef[] => {
    const state = tenantState(tenant, false);
    const groups = state?.groupsOf.get(memberId);
    if (state === undefined || groups === undefined) return [];
    const result: GroupRef[] = [];
    for (const group of groups.values()) {
      const displayAttribute = names.displayAttributes?.[group.resourceType];
      const display =
        displayAttribute === undefined
          ? undefined
          : state.types.get(group.resourceType)?.records.get(group.id)?.record.data[
              displayAttribute
            ];
      result.push({
        resourceType: group.resourceType,
        id: group.id,
        ...(typeof display === "string" ? { display } : {}),
      });
    }
    return result;
  };

  const isLive = (tenantData: MemoryTenantState, id: string) => {
    for (const types of tenantData.types.values()) if (types.records.has(id)) return true;
    return false;
  };

  /**
   * Removes a live record, its indexes and every membership row it is in, and
   * returns those rows (both directions) so a soft delete can keep them.
   */
  const removeLive = (
    tenantData: MemoryTenantState,
    state: MemoryTypeState,
    entry: MemoryEntry,
  ): Pick<MemoryTrashEntry, "members" | "memberOf"> => {
    const { resourceType, id } = entry.record;
    removeFromIndexes(state, entry);
    state.records.delete(id);
    const members = [...(state.members.get(id)?.values() ?? [])];
    for (const member of members) unlink(tenantData, resourceType, id, member.value);
    state.members.delete(id);
    const memberOf: MemoryTrashEntry["memberOf"][number][] = [];
    for (const group of tenantData.groupsOf.get(id)?.values() ?? []) {
      const groupMembers = tenantData.types.get(group.resourceType)?.members.get(group.id);
      const member = groupMembers?.get(id);
      if (member === undefined) continue;
      groupMembers?.delete(id);
      memberOf.push({ resourceType: group.resourceType, id: group.id, member });
    }
    tenantData.groupsOf.delete(id);
    return { members, memberOf };
  };

  const store: MemoryStore = {
    specificationVersion: STORE_SPECIFICATION_VERSION,
    capabilities: {
      filter: () => true,
      sort: () => true,
      cursor: true,
      checksMembers: true,
      readsMemberOf: true,
    },

    async create(tenant, input: CreateInput) {
      const state = typeState(tenant, input.resourceType, true)!;
      const tenantData = tenantState(tenant, false)!;
      if (state.records.has(input.id)) throw uniquenessError([]);
      checkUnique(state, input.uniqueKeys);
      const record: StoredRecord = {
        resourceType: input.resourceType,
        id: input.id,
        version: 1,
        created: input.created,
        lastModified: input.created,
        data: copyJson(input.data),
      };
      const entry: MemoryEntry = {
        record,
        uniqueKeys: input.uniqueKeys.map((key) => Object.assign({}, key)),
      };
      state.records.set(input.id, entry);
      addToIndexes(state, entry);
      if (input.members !== undefined && input.members.length > 0) {
        const members = new Map<string, MemberRef>();
        for (const member of input.members) {
          if (members.has(member.value) || !isLiveMember(tenantData, member)) continue;
          members.set(member.value, copyMember(member));
          link(tenantData, input.resourceType, input.id, member.value);
        }
        state.members.set(input.id, members);
      }
      feed.record(
        { tenant, resourceType: input.resourceType, id: input.id, time: input.created },
        input.changes,
      );
      return copyOut(record);
    },

    async get(tenant, resourceType, id, getOptions) {
      const state = typeState(tenant, resourceType, false);
      const entry = state?.records.get(id);
      if (state === undefined || entry === undefined) return undefined;
      return copyOut(
        entry.record,
        getOptions?.includeMembers ? readMembers(state, id) : undefined,
        getOptions?.includeMemberOf ? groupsOf(tenant, id, getOptions) : undefined,
      );
    },

    async query(tenant, query) {
      const state = typeState(tenant, query.resourceType, false);
      if (state === undefined) return { records: [], totalResults: 0 };
      const found = query.filter === undefined ? undefined : candidates(state, query.filter);
      const { page } = query;
      if (found?.exact === true && query.sort === undefined && page.kind === "index") {
        // An index answered the filter exactly (an IdP's `userName eq` lookup): page it as is.
        const start = Math.max(1, Math.floor(page.startIndex)) - 1;
        const end = start + Math.max(0, Math.floor(page.count));
        const records: StoredRecord[] = [];
        for (const entry of found.entries.slice(start, end)) {
          const { record } = entry;
          records.push(
            copyOut(
              record,
              query.includeMembers === true ? readMembers(state, record.id) : undefined,
              query.includeMemberOf === true ? groupsOf(tenant, record.id, query) : undefined,
            ),
          );
        }
        return { records, totalResults: found.entries.length };
      }
      const entries = found?.entries ?? state.records.values();
      const withMembers =
        query.includeMembers === true || referencesAttribute(query, query.membersAttribute);
      const records: StoredRecord[] = [];
      for (const entry of entries) {
        records.push(
          withMembers
            ? Object.assign({}, entry.record, { members: readMembers(state, entry.record.id) })
            : entry.record,
        );
      }
      // An exact index answer needs no evaluation: skip building filter views.
      const result = queryInMemory(
        records,
        found?.exact === true ? Object.assign({}, query, { filter: undefined }) : query,
        {
          memberOf: (record) => groupsOf(tenant, record.id, query),
        },
      );
      if (!result.ok) throw result.error;
      return Object.assign({}, result.value, {
        records: result.value.records.map((record) =>
          copyOut(
            record,
            record.members,
            query.includeMemberOf === true ? groupsOf(tenant, record.id, query) : undefined,
          ),
        ),
      });
    },

    async update(tenant, input: UpdateInput) {
      const state = typeState(tenant, input.resourceType, false);
      const entry = state?.records.get(input.id);
      if (state === undefined || entry === undefined) {
        throw notFound(`${input.resourceType} ${input.id} not found.`);
      }
      if (input.expectedVersion !== undefined && input.expectedVersion !== entry.record.version) {
        throw versionConflictError(input.id);
      }
      const uniqueKeys = input.data === undefined ? entry.uniqueKeys : (input.uniqueKeys ?? []);
      if (input.data !== undefined) checkUnique(state, uniqueKeys, input.id);
      const tenantData = tenantState(tenant, false)!;
      if (
        input.checkMembers === true &&
        input.members?.add.some((member) => !isLiveMember(tenantData, member)) === true
      ) {
        throw unresolvedMembersError();
      }
      // Every check is done; from here on nothing throws, so the write is all-or-nothing.
      const added: string[] = [];
      const removed: string[] = [];
      const delta = input.members;
      if (delta !== undefined) {
        const members = entryOf(state.members, input.id, () => new Map<string, MemberRef>());
        if (delta.replaceAll === true) {
          const kept = new Set(delta.add.map((member) => member.value));
          for (const memberId of [...members.keys()]) {
            if (kept.has(memberId)) continue;
            members.delete(memberId);
            unlink(tenantData, input.resourceType, input.id, memberId);
            removed.push(memberId);
          }
        }
        for (const member of delta.add) {
          if (members.has(member.value) || !isLiveMember(tenantData, member)) continue;
          members.set(member.value, copyMember(member));
          link(tenantData, input.resourceType, input.id, member.value);
          added.push(member.value);
        }
        for (const memberId of delta.remove) {
          if (!members.delete(memberId)) continue;
          unlink(tenantData, input.resourceType, input.id, memberId);
          const addedAt = added.indexOf(memberId);
          if (addedAt === -1) removed.push(memberId);
          else added.splice(addedAt, 1);
        }
      }
      const changed = input.data !== undefined || added.length > 0 || removed.length > 0;
      let record = entry.record;
      if (changed) {
        record = Object.assign(
          {},
          record,
          { version: record.version + 1, lastModified: input.lastModified },
          input.data === undefined ? {} : { data: copyJson(input.data) },
        );
        const next: MemoryEntry = {
          record,
          uniqueKeys:
            input.data === undefined
              ? entry.uniqueKeys
              : uniqueKeys.map((key) => Object.assign({}, key)),
        };
        removeFromIndexes(state, entry);
        state.records.set(input.id, next);
        addToIndexes(state, next);
        feed.record(
          {
            tenant,
            resourceType: input.resourceType,
            id: input.id,
            time: input.lastModified,
            ...(delta === undefined ? {} : { membership: { added, removed } }),
          },
          input.changes,
        );
      }
      const updated: UpdatedRecord = copyOut(record);
      return delta === undefined
        ? updated
        : Object.assign(updated, { membership: { added, removed } });
    },

    async delete(tenant, resourceType, id, deleteOptions) {
      const state = typeState(tenant, resourceType, false);
      const entry = state?.records.get(id);
      if (state === undefined || entry === undefined) return false;
      removeLive(tenantState(tenant, false)!, state, entry);
      feed.record(
        { tenant, resourceType, id, time: deleteOptions?.changedAt ?? new Date().toISOString() },
        deleteOptions?.changes,
      );
      return true;
    },

    async softDelete(tenant, resourceType, id, deleteOptions) {
      const state = typeState(tenant, resourceType, false);
      const entry = state?.records.get(id);
      if (state === undefined || entry === undefined) return false;
      if (!isInstant(deleteOptions?.purgeAfter)) {
        throw new TypeError("memoryStore.softDelete: `purgeAfter` must be an ISO-8601 instant.");
      }
      const tenantData = tenantState(tenant, false)!;
      const removed = removeLive(tenantData, state, entry);
      tenantData.trash.set(groupKey(resourceType, id), {
        entry,
        purgeAfter: deleteOptions.purgeAfter,
        ...removed,
      });
      feed.record(
        { tenant, resourceType, id, time: deleteOptions.changedAt ?? new Date().toISOString() },
        deleteOptions.changes,
      );
      return true;
    },

    async purgeDeleted(before, purgeOptions) {
      if (!isInstant(before)) {
        throw new TypeError("memoryStore.purgeDeleted: `before` must be an ISO-8601 instant.");
      }
      const limit = Date.parse(before);
      const purged: PurgedRecordRef[] = [];
      for (const [tenant, tenantData] of tenants) {
        for (const [key, trashed] of tenantData.trash) {
          if (Date.parse(trashed.purgeAfter) > limit) continue;
          tenantData.trash.delete(key);
          const { resourceType, id } = trashed.entry.record;
          purged.push({ tenant, resourceType, id, purgeAfter: trashed.purgeAfter });
          const type = purgeOptions?.changeTypes?.[resourceType];
          if (type !== undefined) {
            feed.record({ tenant, resourceType, id, time: purgeOptions?.changedAt ?? before }, [
              { type, data: { purgeAfter: trashed.purgeAfter } },
            ]);
          }
        }
      }
      return purged;
    },

    async restoreDeleted(tenant, resourceType, id, restoreOptions) {
      const tenantData = tenantState(tenant, false);
      const trashed = tenantData?.trash.get(groupKey(resourceType, id));
      if (tenantData === undefined || trashed === undefined) return undefined;
      const state = typeState(tenant, resourceType, true)!;
      if (state.records.has(id)) throw uniquenessError([]);
      checkUnique(state, trashed.entry.uniqueKeys);
      // Every check is done; from here on nothing throws.
      tenantData.trash.delete(groupKey(resourceType, id));
      const record: StoredRecord = Object.assign({}, trashed.entry.record, {
        version: trashed.entry.record.version + 1,
        lastModified: restoreOptions.lastModified,
      });
      const entry: MemoryEntry = { record, uniqueKeys: trashed.entry.uniqueKeys };
      state.records.set(id, entry);
      addToIndexes(state, entry);
      const members = new Map<string, MemberRef>();
      for (const member of trashed.members) {
        if (!isLive(tenantData, member.value)) continue;
        members.set(member.value, member);
        link(tenantData, resourceType, id, member.value);
      }
      if (members.size > 0) state.members.set(id, members);
      const rejoinedGroups: { resourceType: string; id: string }[] = [];
      for (const group of trashed.memberOf) {
        const groupState = tenantData.types.get(group.resourceType);
        if (groupState?.records.has(group.id) !== true) continue;
        entryOf(groupState.members, group.id, () => new Map<string, MemberRef>()).set(
          id,
          group.member,
        );
        link(tenantData, group.resourceType, group.id, id);
        rejoinedGroups.push({ resourceType: group.resourceType, id: group.id });
      }
      const restored: RestoredRecord = Object.assign(copyOut(record), {
        restoredMembers: [...members.keys()],
        rejoinedGroups,
      });
      feed.record(
        { tenant, resourceType, id, time: restoreOptions.lastModified },
        restoreOptions.changes?.(restored),
      );
      return restored;
    },

    async memberOf(tenant, memberId, names) {
      return groupsOf(tenant, memberId, names);
    },

    async resourceTypesOf(tenant, ids) {
      const state = tenantState(tenant, false);
      const found = new Map<string, string[]>();
      if (state === undefined) return found;
      for (const id of ids) {
        for (const [resourceType, types] of state.types) {
          if (!types.records.has(id)) continue;
          const list = found.get(id);
          if (list === undefined) found.set(id, [resourceType]);
          else if (!list.includes(resourceType)) list.push(resourceType);
        }
      }
      return found;
    },

    feed: feed.api(),
    tenants: memoryTenants((tenant) => {
      tenants.delete(tenant);
      feed.dropTenant(tenant);
      log.dropTenant(tenant);
    }),
    log,

    inspect() {
      return {
        tenants,
        readRecord: (tenant, resourceType, id) =>
          tenants.get(tenant)?.types.get(resourceType)?.records.get(id)?.record,
        readMembers: (tenant, groupId) => {
          for (const types of tenants.get(tenant)?.types.values() ?? []) {
            const members = types.members.get(groupId);
            if (members !== undefined) return [...members.keys()];
          }
          return [];
        },
        readTrash: (tenant, resourceType, id) =>
          tenants.get(tenant)?.trash.get(groupKey(resourceType, id)),
        readMemberOf: (tenant, memberId) =>
          [...(tenants.get(tenant)?.groupsOf.get(memberId)?.values() ?? [])].map(
            (group) => group.id,
          ),
      };
    },
  };
  return store;
}
