import { badRequest, ScimError, unwrap } from "../errors";
import type { SchemaRegistry } from "../schema/create-schema-registry";
import type { ResourceSchema, ScimObject } from "../schema/types";
import type {
  ChangeDraft,
  GetOptions,
  GroupRef,
  MemberRef,
  MembershipDelta,
  PurgedRecordRef,
  QueryTarget,
  RelationNames,
  RestoredRecord,
  ScimStore,
  StoredRecord,
  StoreQuery,
  StoreQueryResult,
  UniqueKey,
  UpdatedRecord,
  UpdateInput,
} from "../store/contract";
import { isUnresolvedMembers } from "../store/store-errors";
import { computeUniqueKeys } from "./compute-unique-keys";
import { filterReferences, queryInMemory } from "./query-in-memory";
import { toResource } from "./to-resource";

/** What the repository reads of the schema registry (`createSchemaRegistry()` fits). */
export type RepositorySchemas = Pick<
  SchemaRegistry,
  "resourceSchema" | "resourceType" | "resourceTypes"
>;

/** Options of `createRepository`. */
export interface RepositoryOptions {
  /** The store to wrap. */
  readonly store: ScimStore;
  /** The registered resource types and their schemas. */
  readonly registry: RepositorySchemas;
  /** The time of a write; inject a fixed clock in tests. @default () => new Date() */
  readonly clock?: () => Date;
  /** Issues resource ids. @default () => globalThis.crypto.randomUUID() */
  readonly generateId?: () => string;
}

/** What `Repository.create` takes: core issues the id and timestamps. */
export interface RepositoryCreateInput {
  readonly resourceType: string;
  /** The attributes; `id`, `meta` and the relation attributes in it are ignored. */
  readonly data: ScimObject;
  /** Initial members, for types with a membership relation. */
  readonly members?: readonly MemberRef[];
  /**
   * The changes the create records, computed (purely) from the record it is
   * about to write: id issued, version 1, timestamps set, data cleaned.
   */
  readonly changes?: (record: StoredRecord) => readonly ChangeDraft[];
}

/** What `Repository.update` takes: core sets `lastModified` and the unique keys. */
export interface RepositoryUpdateInput {
  readonly resourceType: string;
  readonly id: string;
  /** Commit only if the record still has this version, else 412 `version_conflict`. */
  readonly expectedVersion?: number;
  /** The new attributes, whole; `id`, `meta` and the relation attributes in it are ignored. */
  readonly data?: ScimObject;
  readonly members?: MembershipDelta;
  /**
   * `members.add` are as the client named them: each gets the type it really has
   * (see `resolveMembers`; 400 `invalidValue` for ids that are no records). A store
   * that `checksMembers` checks them in the write itself (one round trip); for any
   * other, or when the store found one wrong, they are looked up first.
   */
  readonly checkMembers?: boolean;
  /**
   * The changes the update records, computed (purely) from the write's
   * `lastModified` and cleaned `data` before the store runs it.
   */
  readonly changes?: (write: {
    readonly lastModified: string;
    readonly data: ScimObject | undefined;
  }) => readonly ChangeDraft[];
}

/** Options of `Repository.delete` and `Repository.softDelete`. */
export interface RepositoryDeleteOptions {
  /** Changes the delete records when it deletes. */
  readonly changes?: readonly ChangeDraft[];
}

/** A query as the service builds it; the repository adds the relation attribute names. */
export type RepositoryQuery = Omit<StoreQuery, keyof Omit<QueryTarget, "resourceType">>;

/** Options of `Repository.toResource`. */
export interface RepositoryResourceOptions {
  /** Absolute URL of the SCIM mount point without a trailing slash. */
  readonly baseUrl: string;
  /** The record's groups, rendered as its type's `memberOfAttribute` (User `groups`). */
  readonly memberOf?: readonly GroupRef[];
}

/**
 * Core's wrapper over a store, the only way the service reaches storage. It
 * issues ids and timestamps, computes unique keys from the schema, renders
 * resource JSON, and filters, sorts and pages in memory whatever the store's
 * `capabilities` do not cover, so a store with no push-down is still correct.
 * Store errors (409 `uniqueness`, 412, 404) pass through unchanged.
 */
export interface Repository {
  /** The wrapped store. */
  readonly store: ScimStore;
  /** Creates a record with a new id, `created` = `lastModified` = now, version 1. */
  create(tenant: string, input: RepositoryCreateInput): Promise<StoredRecord>;
  /**
   * The record, or `undefined`. Members load only with `includeMembers`; with
   * `includeMemberOf` a store that `readsMemberOf` attaches the record's groups.
   */
  get(
    tenant: string,
    resourceType: string,
    id: string,
    options?: GetOptions,
  ): Promise<StoredRecord | undefined>;
  /**
   * Records matching the query, paged. Throws 400 `invalidCursor` for a cursor
   * this repository (or the store) did not issue for the same sort.
   */
  query(tenant: string, query: RepositoryQuery): Promise<StoreQueryResult>;
  /**
   * Applies attributes and/or a membership delta with `lastModified` = now, and
   * reports the membership rows it really changed (see `UpdatedRecord`).
   */
  update(tenant: string, input: RepositoryUpdateInput): Promise<UpdatedRecord>;
  /** Deletes the record and its memberships; false when there was none. */
  delete(
    tenant: string,
    resourceType: string,
    id: string,
    options?: RepositoryDeleteOptions,
  ): Promise<boolean>;
  /**
   * Moves the record and its memberships to the store's trash (see
   * `ScimStore.softDelete`); false when there was none. Throws TypeError when
   * the store does not implement `softDelete`.
   */
  softDelete(
    tenant: string,
    resourceType: string,
    id: string,
    options: RepositoryDeleteOptions & { readonly purgeAfter: string },
  ): Promise<boolean>;
  /**
   * Removes trashed records of every tenant whose `purgeAfter` is at or before
   * `before`, and returns them; empty when the store has no `purgeDeleted`.
   * `changeTypes` names the change each purged type records.
   */
  purgeDeleted(
    before: string,
    options?: { readonly changeTypes?: Readonly<Record<string, string>> },
  ): Promise<readonly PurgedRecordRef[]>;
  /**
   * Brings a trashed record back with `lastModified` = now (see
   * `ScimStore.restoreDeleted`); `undefined` when there is none. Throws
   * TypeError when the store does not implement `restoreDeleted`.
   */
  restoreDeleted(
    tenant: string,
    resourceType: string,
    id: string,
    options?: { readonly changes?: (restored: RestoredRecord) => readonly ChangeDraft[] },
  ): Promise<RestoredRecord | undefined>;
  /** The groups `memberId` directly belongs to, with their display names. */
  memberOf(tenant: string, memberId: string): Promise<readonly GroupRef[]>;
  /**
   * The given members with the resource type each really has, in one store call;
   * a member whose id exists as its claimed type keeps it. Throws 400
   * `invalidValue` naming the ids that do not exist. Duplicate ids are dropped.
   */
  resolveMembers(tenant: string, members: readonly MemberRef[]): Promise<MemberRef[]>;
  /** The unique keys of `data` for a resource type (see `computeUniqueKeys`). */
  uniqueKeys(resourceType: string, data: ScimObject): readonly UniqueKey[];
  /** The SCIM resource JSON of a record, with a complete `meta`. */
  toResource(record: StoredRecord, options: RepositoryResourceOptions): ScimObject;
}

const missingMethod = (method: string) =>
  new TypeError(`scimkit: the store does not implement \`${method}\`.`);

const MISSING_IDS_SHOWN = 20;

const membersNotFound = (missing: readonly string[]) => {
  const shown = missing.slice(0, MISSING_IDS_SHOWN).map((id) => `"${id}"`);
  const more = missing.length - shown.length;
  return badRequest(
    "invalidValue",
    `Members must be existing resources; not found: ${shown.join(", ")}${more > 0 ? ` and ${more} more` : ""}.`,
    "members.not_found",
  );
};

/** The first member of each id, in order. */
function withoutDuplicates(members: readonly MemberRef[]): MemberRef[] {
  const unique = new Map<string, MemberRef>();
  for (const member of members) if (!unique.has(member.value)) unique.set(member.value, member);
  return [...unique.values()];
}

/** Each group type's display attribute, from the resource type definitions. */
function relationNames(registry: RepositorySchemas): RelationNames {
  const displayAttributes: Record<string, string> = {};
  for (const type of registry.resourceTypes()) {
    if (type.membersAttribute !== undefined && type.displayAttribute !== undefined) {
      displayAttributes[type.id] = type.displayAttribute;
    }
  }
  return { displayAttributes };
}

/** Wraps a store in core's repository; see `Repository`. */
export function createRepository(options: RepositoryOptions): Repository {
  const { store, registry } = options;
  if (store === undefined || store === null || typeof store.query !== "function") {
    throw new TypeError("createRepository: `store` must implement ScimStore.");
  }
  if (registry === undefined || typeof registry.resourceSchema !== "function") {
    throw new TypeError("createRepository: `registry` must be a schema registry.");
  }
  const clock = options.clock ?? (() => new Date());
  const generateId = options.generateId ?? (() => globalThis.crypto.randomUUID());
  const capabilities = store.capabilities ?? {};
  const readsMemberOf = capabilities.readsMemberOf === true;
  const names = relationNames(registry);
  const typeIds = registry.resourceTypes().map((type) => type.id);
  const endpointOf = (type: string) => registry.resourceType(type)?.endpoint;

  const schemaOf = (resourceType: string): ResourceSchema => {
    if (registry.resourceType(resourceType) === undefined) {
      throw new ScimError({
        status: 404,
        detail: `Unknown resource type "${resourceType}".`,
        code: "resource_type.unknown",
      });
    }
    return registry.resourceSchema(resourceType);
  };

  // The store keeps id, meta and relations elsewhere; never let a body smuggle them into data.
  const cleanData = (schema: ResourceSchema, data: ScimObject): ScimObject => {
    const { id: _id, meta: _meta, ...rest } = data;
    const { membersAttribute, memberOfAttribute } = schema.resourceType;
    if (membersAttribute !== undefined) delete rest[membersAttribute];
    if (memberOfAttribute !== undefined) delete rest[memberOfAttribute];
    return rest;
  };

  const now = () => clock().toISOString();

  const repository: Repository = {
    store,

    async create(tenant, input) {
      const schema = schemaOf(input.resourceType);
      const data = cleanData(schema, input.data);
      const id = generateId();
      const created = now();
      const changes = input.changes?.({
        resourceType: input.resourceType,
        id,
        version: 1,
        created,
        lastModified: created,
        data,
      });
      return store.create(tenant, {
        resourceType: input.resourceType,
        id,
        created,
        data,
        uniqueKeys: computeUniqueKeys(schema, data),
        ...(input.members === undefined ? {} : { members: input.members }),
        ...(changes === undefined ? {} : { changes }),
      });
    },

    get(tenant, resourceType, id, getOptions) {
      if (getOptions?.includeMemberOf !== true)
        return store.get(tenant, resourceType, id, getOptions);
      // The groups' display names come from the resource types, as for `memberOf`.
      return store.get(
        tenant,
        resourceType,
        id,
        Object.assign({}, getOptions, {
          includeMemberOf: readsMemberOf,
          displayAttributes: names.displayAttributes,
        }),
      );
    },

    query(tenant, query) {
      // Not async: a pushed-down query (every lookup) hands back the store's own
      // promise instead of wrapping it in one more.
      let full: { -readonly [K in keyof StoreQuery]: StoreQuery[K] };
      let pushed: { filter: boolean; sort: boolean };
      try {
        const { membersAttribute, memberOfAttribute } = schemaOf(query.resourceType).resourceType;
        full = Object.assign({}, query);
        if (full.includeMemberOf === true && !readsMemberOf) full.includeMemberOf = false;
        if (membersAttribute !== undefined) full.membersAttribute = membersAttribute;
        if (memberOfAttribute !== undefined) full.memberOfAttribute = memberOfAttribute;
        full.displayAttributes = names.displayAttributes;
        pushed = {
          filter: full.filter === undefined || capabilities.filter?.(full.filter, full) === true,
          sort: full.sort === undefined || capabilities.sort?.(full.sort.path, full) === true,
        };
        const pagePushed = full.page.kind !== "cursor" || capabilities.cursor === true;
        if (pushed.filter && pushed.sort && pagePushed) return store.query(tenant, full);
      } catch (error) {
        return Promise.reject(error);
      }
      return queryInProcess(tenant, full, pushed);
    },

    async update(tenant, input) {
      const schema = schemaOf(input.resourceType);
      const data = input.data === undefined ? undefined : cleanData(schema, input.data);
      const lastModified = now();
      const changes = input.changes?.({ lastModified, data });
      const write: { -readonly [K in keyof UpdateInput]: UpdateInput[K] } = {
        resourceType: input.resourceType,
        id: input.id,
        lastModified,
      };
      if (input.expectedVersion !== undefined) write.expectedVersion = input.expectedVersion;
      if (data !== undefined) {
        write.data = data;
        write.uniqueKeys = computeUniqueKeys(schema, data);
      }
      if (changes !== undefined) write.changes = changes;
      const delta = input.members;
      if (delta === undefined || input.checkMembers !== true || delta.add.length === 0) {
        if (delta !== undefined) write.members = delta;
        return store.update(tenant, write);
      }
      const claimed = Object.assign({}, delta, { add: withoutDuplicates(delta.add) });
      if (capabilities.checksMembers === true) {
        try {
          return await store.update(
            tenant,
            Object.assign({}, write, { members: claimed, checkMembers: true }),
          );
        } catch (error) {
          if (!isUnresolvedMembers(error)) throw error;
        }
      }
      const resolved = await repository.resolveMembers(tenant, claimed.add);
      return store.update(
        tenant,
        Object.assign({}, write, { members: Object.assign({}, claimed, { add: resolved }) }),
      );
    },

    delete(tenant, resourceType, id, deleteOptions) {
      return store.delete(tenant, resourceType, id, {
        changedAt: now(),
        ...(deleteOptions?.changes === undefined ? {} : { changes: deleteOptions.changes }),
      });
    },

    async softDelete(tenant, resourceType, id, deleteOptions) {
      if (store.softDelete === undefined) throw missingMethod("softDelete");
      return store.softDelete(tenant, resourceType, id, {
        purgeAfter: deleteOptions.purgeAfter,
        changedAt: now(),
        ...(deleteOptions.changes === undefined ? {} : { changes: deleteOptions.changes }),
      });
    },

    async purgeDeleted(before, purgeOptions) {
      if (store.purgeDeleted === undefined) return [];
      return store.purgeDeleted(before, {
        changedAt: now(),
        ...(purgeOptions?.changeTypes === undefined
          ? {}
          : { changeTypes: purgeOptions.changeTypes }),
      });
    },

    async restoreDeleted(tenant, resourceType, id, restoreOptions) {
      if (store.restoreDeleted === undefined) throw missingMethod("restoreDeleted");
      schemaOf(resourceType);
      return store.restoreDeleted(tenant, resourceType, id, {
        lastModified: now(),
        ...(restoreOptions?.changes === undefined ? {} : { changes: restoreOptions.changes }),
      });
    },

    memberOf(tenant, memberId) {
      return store.memberOf(tenant, memberId, names);
    },

    async resolveMembers(tenant, members) {
      const unique = withoutDuplicates(members);
      if (unique.length === 0) return [];
      const found = await store.resourceTypesOf(
        tenant,
        unique.map((member) => member.value),
      );
      const resolved: MemberRef[] = [];
      const missing: string[] = [];
      for (const member of unique) {
        const types = found.get(member.value);
        // Prefer the type the client claimed, then registration order.
        const type =
          types === undefined || types.length === 0
            ? undefined
            : types.includes(member.type)
              ? member.type
              : (typeIds.find((id) => types.includes(id)) ?? types[0]);
        if (type === undefined) missing.push(member.value);
        else resolved.push(member.type === type ? member : Object.assign({}, member, { type }));
      }
      if (missing.length > 0) throw membersNotFound(missing);
      return resolved;
    },

    uniqueKeys(resourceType, data) {
      const schema = schemaOf(resourceType);
      return computeUniqueKeys(schema, cleanData(schema, data));
    },

    toResource(record, resourceOptions) {
      const resourceType = schemaOf(record.resourceType).resourceType;
      return toResource(record, resourceType, {
        baseUrl: resourceOptions.baseUrl,
        memberOf: resourceOptions.memberOf,
        endpointOf,
      });
    },
  };
  return repository;

  /** A query the store cannot fully answer: it returns every candidate, core filters, sorts and pages. */
  async function queryInProcess(
    tenant: string,
    full: StoreQuery,
    pushed: { readonly filter: boolean; readonly sort: boolean },
  ): Promise<StoreQueryResult> {
    const { membersAttribute, memberOfAttribute } = full;
    const filter = pushed.filter ? undefined : full.filter;
    const needsMembers =
      full.includeMembers === true ||
      (filter !== undefined &&
        membersAttribute !== undefined &&
        filterReferences(filter, membersAttribute));
    const everything = await store.query(
      tenant,
      Object.assign({}, full, pushed.filter ? {} : { filter: undefined }, {
        sort: pushed.sort ? full.sort : undefined,
        page: { kind: "all" } as const,
        includeMembers: needsMembers,
        // Every candidate's groups would be read; the page's are read when rendered.
        includeMemberOf: false,
      }),
    );
    const groups = new Map<string, readonly GroupRef[]>();
    if (memberOfAttribute !== undefined) {
      const sortsByGroups =
        full.sort?.path.isCore === true && full.sort.path.attribute === memberOfAttribute;
      if ((filter !== undefined && filterReferences(filter, memberOfAttribute)) || sortsByGroups) {
        for (const record of everything.records) {
          groups.set(record.id, await store.memberOf(tenant, record.id, names));
        }
      }
    }
    const result = queryInMemory(everything.records, Object.assign({}, full, { filter }), {
      memberOf: (record) => groups.get(record.id) ?? [],
    });
    return unwrap(result);
  }
}
