import type { BoundFilter } from "../filter/ast";
import type { ResolvedPath } from "../path/ast";
import type { ScimObject } from "../schema/types";

/**
 * The storage contract every scimkit store implements.
 *
 * A store persists records and answers queries; it knows nothing of HTTP and
 * little of SCIM. Core (the service) wraps it: core issues ids, builds `meta`,
 * validates input, runs PATCH, projects attributes, and evaluates in memory
 * whatever filter or sort a store's capabilities say it cannot push down.
 *
 * Every method is scoped by `tenant`: nothing one tenant writes is ever visible
 * to, or changed by, a call for another tenant.
 *
 * Failures a client caused are thrown as `ScimError` (409 `uniqueness`,
 * 412 version conflict, 404). Anything else thrown becomes a 500.
 *
 * Beyond the directory itself a store may offer three feature groups, each all
 * or nothing: `feed` (the transactional change feed every write records into,
 * with consumer checkpoints and leases), `tenants` (tenants and their bearer
 * tokens) and `log` (the provisioning log). Core uses what is there.
 */

/** Bumped when the contract changes incompatibly; a store declares the version it implements. */
export const STORE_SPECIFICATION_VERSION = "scimkit-store-2" as const;

/** One member of a membership relation (a Group's `members` value). */
export interface MemberRef {
  /** The member's SCIM `id`. */
  readonly value: string;
  /** The member's resource type id (`User` or `Group`). */
  readonly type: string;
  /** The display name the IdP sent, if any. */
  readonly display?: string;
}

/** A group a member belongs to, as `memberOf` returns it. */
export interface GroupRef {
  /** The group's resource type id. */
  readonly resourceType: string;
  /** The group's SCIM `id`. */
  readonly id: string;
  /**
   * The group's display text: the string value of the attribute
   * `displayAttributes` names for the group's resource type (see `RelationNames`).
   */
  readonly display?: string;
}

/**
 * How the membership relation shows up in resources, set by core from the
 * resource types' definitions, so stores need no attribute names of their own.
 */
export interface RelationNames {
  /**
   * For each resource type with a membership relation (a group type), the
   * top-level core attribute whose string value is a `GroupRef.display`
   * (Group: `displayName`). A type missing here has no display.
   */
  readonly displayAttributes?: Readonly<Record<string, string>>;
}

/**
 * The resource type a list query (or a capability probe) is about, with the
 * relation attributes core derives from its definition.
 */
export interface QueryTarget extends RelationNames {
  /** The resource type to list. */
  readonly resourceType: string;
  /**
   * The resource type's membership attribute (`members`). Filters and sorts on
   * this attribute read the membership relation; a store that evaluates filters
   * in memory exposes the relation under this name.
   */
  readonly membersAttribute?: string;
  /**
   * The member side's derived attribute (User `groups`): filters on it read
   * `memberOf` (`value` = group id, `display`, `type: "direct"`).
   */
  readonly memberOfAttribute?: string;
}

/** The membership change a write applies as set operations, never as an array rewrite. */
export interface MembershipDelta {
  /** When set, every existing member is removed first (PATCH replace / PUT). */
  readonly replaceAll?: boolean;
  /** Members to insert; inserting an existing member changes nothing and is no error. */
  readonly add: readonly MemberRef[];
  /** Member ids to delete; deleting a non-member changes nothing and is no error. */
  readonly remove: readonly string[];
}

/** A persisted resource as the store keeps it. */
export interface StoredRecord {
  /** The resource type id (`User`, `Group`, or a registered type). */
  readonly resourceType: string;
  /** Server-issued, unique within (tenant, resourceType), never reused. */
  readonly id: string;
  /** Monotonic per record; starts at 1; incremented by the store on every committed change. */
  readonly version: number;
  /** ISO-8601 timestamp of the create, set by core; never changes. */
  readonly created: string;
  /** ISO-8601 timestamp of the last committed change, set by core (equals `created` at first). */
  readonly lastModified: string;
  /**
   * The resource's attributes except `id`, `meta` and the membership attribute:
   * core attributes at the top level, extension attributes under their URN, and
   * `schemas`. Canonical attribute names only.
   */
  readonly data: ScimObject;
  /**
   * The membership relation (for types with `membersAttribute`), present only when
   * the read asked for members (`includeMembers`). Order: insertion order.
   */
  readonly members?: readonly MemberRef[];
  /**
   * The groups the record directly belongs to, exactly as `memberOf` returns them
   * (`[]` for none), present only when the read asked for them (`includeMemberOf`,
   * sent only to a store whose `capabilities.readsMemberOf` is true). Never set by
   * a write.
   */
  readonly memberOf?: readonly GroupRef[];
}

/**
 * A value that must be unique, computed by core from the schema
 * (`uniqueness: "server" | "global"`). `value` is already normalised
 * (lower-cased when the attribute is not `caseExact`), so the store compares bytes.
 */
export interface UniqueKey {
  /**
   * Canonical attribute path, e.g. `userName`; extension attributes carry their
   * URN (`urn:...:enterprise:2.0:User:employeeNumber`), as `printPath` writes them.
   */
  readonly attribute: string;
  /** The normalised value; two keys collide when `attribute` and `value` are equal bytes. */
  readonly value: string;
}

/** What `create` persists. Core fills every field; the store adds `version: 1`. */
export interface CreateInput {
  /** The resource type id. */
  readonly resourceType: string;
  /** The server-issued id (core issues a UUID). */
  readonly id: string;
  /** ISO-8601; the store uses it as both `created` and `lastModified`. */
  readonly created: string;
  /** The attributes, shaped as `StoredRecord.data`. The store keeps its own copy. */
  readonly data: ScimObject;
  /** Must not collide with a live record of the same type and tenant -> 409 `uniqueness`. */
  readonly uniqueKeys: readonly UniqueKey[];
  /**
   * Initial members for types with a membership relation. Members that are not
   * live records of their `type` when the write applies are skipped, as in `update`.
   */
  readonly members?: readonly MemberRef[];
  /** Changes to record with the write (see `ChangeDraft`); ignored by a store without `feed`. */
  readonly changes?: readonly ChangeDraft[];
}

/** What `update` applies to one existing record. */
export interface UpdateInput {
  /** The resource type id of the record to change. */
  readonly resourceType: string;
  /** The id of the record to change. */
  readonly id: string;
  /**
   * When set, the write commits only if the record's version still equals it;
   * otherwise the store throws a 412 ScimError (`code: "version_conflict"`).
   * Unset for writes that commute (membership deltas alone), which the store
   * applies atomically whatever was written in between.
   */
  readonly expectedVersion?: number;
  /** ISO-8601 timestamp of this change, set by core. */
  readonly lastModified: string;
  /** The new attributes (whole, not a diff). Unset: attributes unchanged. */
  readonly data?: ScimObject;
  /** The unique keys of `data`; required whenever `data` is set. */
  readonly uniqueKeys?: readonly UniqueKey[];
  /**
   * Membership change, applied as `replaceAll`, then `add`, then `remove`. Core
   * nets PATCH operations before writing, so an id is never in both lists.
   */
  readonly members?: MembershipDelta;
  /**
   * Set only for a store whose `capabilities.checksMembers` is true: the types in
   * `members.add` are what the client claimed, unchecked. When one added member is
   * not a live record of its `type` (an unknown id, or a type the client got
   * wrong), the store writes nothing and throws `unresolvedMembersError()`, and
   * core looks the members up and writes again. Unset: such members are skipped.
   */
  readonly checkMembers?: boolean;
  /**
   * Changes to record with the write (see `ChangeDraft`); ignored by a store
   * without `feed`. A write that changes nothing records none of them.
   */
  readonly changes?: readonly ChangeDraft[];
}

/** Options of `delete`. */
export interface DeleteOptions {
  /** Changes to record when (and only when) the record was deleted. */
  readonly changes?: readonly ChangeDraft[];
  /** ISO-8601 time of the delete, set by core; the recorded changes' `time`. */
  readonly changedAt?: string;
}

/** What a membership delta really changed, as the store applied it. */
export interface AppliedMembership {
  /** Member ids that were not members before and are now. */
  readonly added: readonly string[];
  /** Member ids that were members before and are no longer. */
  readonly removed: readonly string[];
}

/** The record after an update, with what the membership delta really changed. */
export interface UpdatedRecord extends StoredRecord {
  /**
   * Present whenever the update carried `members`: exactly the rows inserted and
   * deleted by this write (re-adding an existing member appears in neither), so the
   * service emits events and bumps versions only for real changes. A store bumps
   * `version` only when `data` was given or this delta changed at least one row.
   */
  readonly membership?: AppliedMembership;
}

export interface GetOptions extends RelationNames {
  /** Load the membership relation. @default false */
  readonly includeMembers?: boolean;
  /**
   * Attach the record's groups as `memberOf`, their `display` as
   * `displayAttributes` says. Sent only when `capabilities.readsMemberOf`. @default false
   */
  readonly includeMemberOf?: boolean;
}

/**
 * RFC 7644 §3.4.2.3. Ascending puts records without a value last, descending
 * first; ties are broken by ascending `id` in both orders.
 */
export type SortOrder = "ascending" | "descending";

/** A list query. Core only passes what `capabilities` says the store can do. */
export interface StoreQuery extends QueryTarget {
  /** Bound filter. Absent: every record of the type. */
  readonly filter?: BoundFilter;
  /**
   * Absent: an order that is stable between calls (e.g. by id or insertion), so
   * index paging neither repeats nor skips records while nothing is written.
   * Multi-valued attributes sort by their primary value, else their first.
   */
  readonly sort?: { readonly path: ResolvedPath; readonly order: SortOrder };
  /**
   * Index paging is 1-based (`startIndex` >= 1, `count` >= 0). Cursor paging:
   * `cursor` absent on the first page; cursors are the store's own opaque strings.
   * `all` returns every match (core's in-memory fallback asks for it).
   */
  readonly page:
    | { readonly kind: "index"; readonly startIndex: number; readonly count: number }
    | { readonly kind: "cursor"; readonly cursor?: string; readonly count: number }
    | { readonly kind: "all" };
  /** Load membership relations of the returned records. @default false */
  readonly includeMembers?: boolean;
  /**
   * Attach each returned record's groups as `memberOf` (see `StoredRecord.memberOf`).
   * Sent only when `capabilities.readsMemberOf`. @default false
   */
  readonly includeMemberOf?: boolean;
}

export interface StoreQueryResult {
  readonly records: readonly StoredRecord[];
  /** Number of matches over all pages. */
  readonly totalResults: number;
  /** Cursor paging: the next page's cursor, absent on the last page. */
  readonly nextCursor?: string;
  /** Cursor paging: the previous page's cursor, when the store supports going back. */
  readonly previousCursor?: string;
}

/**
 * What a store can push down. Every flag defaults to false; core evaluates the
 * rest in memory (correct, but it reads every record of the type). Core's
 * repository is the only in-memory fallback: a store answers `true` only for
 * what its `query` really evaluates for that target, so it never needs one of
 * its own.
 */
export interface StoreCapabilities {
  /** Which bound filters `query` evaluates itself, for the given target. @default () => false */
  readonly filter?: (filter: BoundFilter, target: QueryTarget) => boolean;
  /** Which sorts `query` applies itself, for the given target. @default () => false */
  readonly sort?: (path: ResolvedPath, target: QueryTarget) => boolean;
  /** Whether `query` implements `page.kind: "cursor"`. @default false */
  readonly cursor?: boolean;
  /**
   * Whether `update` honours `checkMembers`. Core then writes a membership delta
   * with the member types the client claimed, in one round trip, instead of
   * looking the members up first. @default false
   */
  readonly checksMembers?: boolean;
  /**
   * Whether `get` and `query` honour `includeMemberOf`, reading the records'
   * groups in the same read (a SQL store: the same statement). Core then renders
   * a user with its `groups` without a `memberOf` call per record. @default false
   */
  readonly readsMemberOf?: boolean;
}

/** Options of `softDelete`. */
export interface SoftDeleteOptions extends DeleteOptions {
  /**
   * ISO-8601 instant from which `purgeDeleted` may remove the trashed record
   * for good, set by core (`now + retentionDays`).
   */
  readonly purgeAfter: string;
}

/** Options of `purgeDeleted`. */
export interface PurgeDeletedOptions {
  /**
   * For each resource type, the change `type` to record for every record of that
   * type the purge removes (data `{ purgeAfter }`), in the purged record's tenant
   * and in the purge's transaction. Types not listed record nothing.
   */
  readonly changeTypes?: Readonly<Record<string, string>>;
  /** ISO-8601 time of the purge; the recorded changes' `time`. */
  readonly changedAt?: string;
}

/** A trashed record `purgeDeleted` removed for good. */
export interface PurgedRecordRef {
  readonly tenant: string;
  readonly resourceType: string;
  readonly id: string;
  /** The `purgeAfter` the record was trashed with. */
  readonly purgeAfter: string;
}

/** Options of `restoreDeleted`. */
export interface RestoreDeletedOptions {
  /** ISO-8601 timestamp of the restore, set by core; becomes `lastModified`. */
  readonly lastModified: string;
  /**
   * The changes to record for what the restore brought back, called inside the
   * restore's transaction (it must be pure: no I/O, no throw).
   */
  readonly changes?: (restored: RestoredRecord) => readonly ChangeDraft[];
}

/** A record brought back from the trash, with the memberships that came back with it. */
export interface RestoredRecord extends StoredRecord {
  /** Its own members (as a group) that came back, in their order. */
  readonly restoredMembers: readonly string[];
  /** The live groups it is a member of again. */
  readonly rejoinedGroups: readonly { readonly resourceType: string; readonly id: string }[];
}

/**
 * The narrow interface a store implements. Core wraps it (`createRepository`) to
 * add ids, timestamps, unique keys, resource JSON and the in-memory fallback.
 */
export interface ScimStore {
  /** The contract version this store implements: `STORE_SPECIFICATION_VERSION`. */
  readonly specificationVersion: typeof STORE_SPECIFICATION_VERSION;
  /** What `query` can push down. @default {} (nothing: core filters, sorts and pages in memory) */
  readonly capabilities?: StoreCapabilities;

  /**
   * Persists a new record with version 1. Throws 409 `uniqueness` when a unique
   * key is taken; of N concurrent creates with the same key exactly one succeeds.
   */
  create(tenant: string, input: CreateInput): Promise<StoredRecord>;

  /** The record, or `undefined` when there is none (never throws for absence). */
  get(
    tenant: string,
    resourceType: string,
    id: string,
    options?: GetOptions,
  ): Promise<StoredRecord | undefined>;

  /** Records matching the query, paged. An empty page is no error. */
  query(tenant: string, query: StoreQuery): Promise<StoreQueryResult>;

  /**
   * Applies `data` and/or a membership delta atomically and returns the new record
   * (without members). Throws 404 when the record does not exist, 412 on a version
   * mismatch, 409 `uniqueness` on a taken key. Concurrent membership deltas on one
   * record never lose each other's changes. Added members that are not live
   * records of their `type` when the write applies are skipped (not stored, not in
   * `membership.added`): core checks them before writing, but a delete can commit
   * in between, and a group must never keep a member that no longer exists (nor
   * may a delete that runs concurrently with the add leave its row behind).
   */
  update(tenant: string, input: UpdateInput): Promise<UpdatedRecord>;

  /**
   * Deletes the record and every membership row it appears in (as group or as
   * member). Returns false when there was no such record. Groups that lose the
   * deleted member keep their version and `lastModified`.
   */
  delete(
    tenant: string,
    resourceType: string,
    id: string,
    options?: DeleteOptions,
  ): Promise<boolean>;

  /**
   * The groups (records with members) that `memberId` is a direct member of, in
   * no particular order, each with its `display` as `names.displayAttributes`
   * says. Empty when there are none (or no such record).
   */
  memberOf(tenant: string, memberId: string, names?: RelationNames): Promise<readonly GroupRef[]>;

  /**
   * For each of `ids` that exists as a live record of the tenant, the resource
   * types it exists as (ids are unique per type, so normally one); ids that do
   * not exist are absent from the map. One call answers for every id (a single
   * query for a SQL store): core calls it before adding members, so an add of a
   * missing resource is refused and every member carries its real type.
   */
  resourceTypesOf(
    tenant: string,
    ids: readonly string[],
  ): Promise<ReadonlyMap<string, readonly string[]>>;

  /** Releases connections. Optional. */
  close?(): Promise<void>;

  /**
   * Soft delete (optional; required by the service's `deletion: { mode: "soft" }`).
   * Atomically moves the record, with its membership rows in both directions (its
   * own members and the groups it belongs to), out of the live data into the
   * tenant's trash, stamped with `purgeAfter`. Afterwards the live data looks
   * exactly as after `delete`: `get`, `query`, `resourceTypesOf`, `memberOf` and
   * `members` no longer see it, groups that lost it keep their version and
   * `lastModified`, and its unique keys are free for a new record. Returns false
   * (and changes nothing) when there was no such live record. Trashed records
   * are visible to no tenant but their own, and only through `restoreDeleted`.
   */
  softDelete?(
    tenant: string,
    resourceType: string,
    id: string,
    options: SoftDeleteOptions,
  ): Promise<boolean>;

  /**
   * Permanently removes every trashed record, of every tenant, whose `purgeAfter`
   * is at or before `before` (ISO-8601), and returns exactly those; a record is
   * reported by one call only, so concurrent purges never report it twice. Empty
   * when nothing has expired. Live records are never touched. Optional, with
   * `softDelete`.
   */
  purgeDeleted?(before: string, options?: PurgeDeletedOptions): Promise<readonly PurgedRecordRef[]>;

  /**
   * Moves a trashed record back into the live data with its version incremented
   * and `lastModified` set, and returns it (without members); `undefined` when
   * the tenant has no such trashed record. Memberships come back only where the
   * other side is live (members that still exist, groups that still exist); groups
   * that regain it keep their version. Throws 409 `uniqueness` (and stays trashed)
   * when one of its unique keys was taken meanwhile. Optional.
   */
  restoreDeleted?(
    tenant: string,
    resourceType: string,
    id: string,
    options: RestoreDeletedOptions,
  ): Promise<RestoredRecord | undefined>;

  /** The transactional change feed (optional feature group). */
  readonly feed?: ChangeFeedStore;
  /** Tenants and their bearer tokens (optional feature group). */
  readonly tenants?: TenantStore;
  /** The provisioning log (optional feature group). */
  readonly log?: ProvisioningLogStore;
}

// ---------------------------------------------------------------------------
// The change feed (a transactional outbox)

/**
 * A change core asks a write to record. The store treats `type` and `data` as
 * opaque: it stores them with the write, in the same transaction (memory: the
 * same critical section), so a change is readable if and only if its write
 * committed.
 */
export interface ChangeDraft {
  /** The change's name (core uses its event names, e.g. `user.deactivated`). */
  readonly type: string;
  /** The payload, JSON. */
  readonly data: ScimObject;
  /**
   * Set on a draft that describes the write's membership delta: it is recorded
   * only when the delta really changed at least one row, with `added` and
   * `removed` (the applied member ids, as in `AppliedMembership`) set in `data`.
   */
  readonly membership?: true;
  /** The resource the change is about. @default the written record's type */
  readonly resourceType?: string;
  /** @default the written record's id */
  readonly id?: string;
}

/** A committed change as the feed returns it. */
export interface ChangeRecord {
  readonly tenant: string;
  /**
   * 1, 2, 3, ... per tenant: gapless, in commit order. A reader that has read up
   * to position P never later sees a change with a position at or below P (a
   * store assigns positions so that a lower position never commits after a
   * higher one is visible, e.g. by taking the tenant's position under a lock
   * held until commit).
   */
  readonly position: number;
  readonly type: string;
  readonly resourceType: string;
  readonly id: string;
  /** ISO-8601 time of the write (core's `lastModified`, `created` or `changedAt`). */
  readonly time: string;
  readonly data: ScimObject;
}

/** The last position a tenant's feed has reached. */
export interface FeedHead {
  readonly tenant: string;
  readonly position: number;
}

/** A change a consumer gave up on after its last attempt. */
export interface DeadLetter {
  readonly consumer: string;
  readonly tenant: string;
  readonly position: number;
  readonly type: string;
  readonly resourceType: string;
  readonly id: string;
  readonly attempts: number;
  /** Why the last attempt failed (no secrets: core writes it). */
  readonly error: string;
  /** ISO-8601 time it was dead-lettered. */
  readonly at: string;
}

/**
 * The change feed of a store: every `create`, `update`, `delete`, `softDelete`,
 * `purgeDeleted` and `restoreDeleted` that carries changes records them in its
 * own transaction. Plus what consumers keep: a lease per consumer name (one
 * active consumer across instances), a checkpoint per consumer and tenant, and
 * dead letters.
 */
export interface ChangeFeedStore {
  /**
   * The tenant's changes with `position > after`, in position order, at most
   * `limit`. Empty when there are none. After a prune, the first change may
   * have a position above `after + 1` (the reader can tell it missed some).
   */
  read(
    tenant: string,
    options: { readonly after: number; readonly limit: number },
  ): Promise<readonly ChangeRecord[]>;
  /** Every tenant that has recorded a change, with its last position. */
  heads(): Promise<readonly FeedHead[]>;
  /**
   * Deletes at most `limit` changes (of any tenant) whose `time` is before
   * `before`, oldest first, and resolves to how many it deleted. Heads stay.
   */
  prune(before: string, limit: number): Promise<number>;

  /**
   * Takes or renews the lease `name` for `holder` for `ttlSeconds`, measured on
   * the store's clock. Resolves true when `holder` holds it afterwards: it was
   * free, expired, or already `holder`'s. Of concurrent callers at most one wins.
   */
  acquireLease(name: string, holder: string, ttlSeconds: number): Promise<boolean>;
  /** Gives the lease up if `holder` holds it. */
  releaseLease(name: string, holder: string): Promise<void>;
  /** The consumer's checkpoint per tenant (the last position it finished). */
  checkpoints(consumer: string): Promise<ReadonlyMap<string, number>>;
  /**
   * Moves the consumer's checkpoint for `tenant` to `position`, only while
   * `holder` holds the lease named `consumer` and only forward. Resolves false
   * (and changes nothing) otherwise, so a consumer that lost its lease stops.
   */
  saveCheckpoint(
    consumer: string,
    holder: string,
    tenant: string,
    position: number,
  ): Promise<boolean>;
  /** Records a dead letter (a later one for the same consumer, tenant and position replaces it). */
  addDeadLetter(entry: DeadLetter): Promise<void>;
  /** Dead letters of a consumer, newest first, optionally of one tenant. */
  deadLetters(
    consumer: string,
    options: { readonly tenant?: string; readonly limit: number },
  ): Promise<readonly DeadLetter[]>;
}

// ---------------------------------------------------------------------------
// Tenants and tokens

/** A tenant as stored. Tenants that SCIM data lives in need no record; a record adds a name and a switch. */
export interface TenantRecord {
  /** Lower-case letters, digits, `-` and `_`, 1-64 characters (checked by core). */
  readonly id: string;
  readonly name: string;
  /** When true, every token of the tenant is refused; its data is kept. */
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A bearer token as stored: never the token itself, only its SHA-256. */
export interface TokenRecord {
  readonly id: string;
  readonly tenant: string;
  readonly description: string;
  /** A short, non-secret reminder of the token (e.g. its last characters). */
  readonly hint: string;
  readonly createdAt: string;
  /** Set on first use, then kept within a minute of the truth by core. */
  readonly lastUsedAt?: string;
  /** The token is refused from this instant on. */
  readonly expiresAt?: string;
}

/** What `tenants.createToken` persists. */
export interface TokenInput extends Omit<TokenRecord, "lastUsedAt"> {
  /** SHA-256 of the token, 64 lower-case hex characters; unique over all tenants. */
  readonly sha256: string;
}

/**
 * Tenants and their tokens. Token lookups are by hash only; a revoked token is
 * deleted, so the next lookup (from any instance on the same database) misses.
 */
export interface TenantStore {
  /** Creates a tenant; 409 `uniqueness` when the id exists. */
  create(tenant: Omit<TenantRecord, "disabled" | "updatedAt">): Promise<TenantRecord>;
  /** The tenant, or `undefined`. */
  get(id: string): Promise<TenantRecord | undefined>;
  /** Tenants in id order after `after`, at most `limit`. */
  list(options: {
    readonly after?: string;
    readonly limit: number;
  }): Promise<readonly TenantRecord[]>;
  /** Renames and/or switches a tenant; `undefined` when there is none. */
  update(
    id: string,
    changes: { readonly name?: string; readonly disabled?: boolean; readonly updatedAt: string },
  ): Promise<TenantRecord | undefined>;
  /**
   * Deletes the tenant record and ALL its data in one transaction: resources,
   * memberships, trash, changes and checkpoints, dead letters, tokens and log
   * entries. False when there was no such tenant record (its data, if any, is
   * still deleted).
   */
  delete(id: string): Promise<boolean>;

  /** Stores a token; 409 `uniqueness` when its id or hash exists. */
  createToken(token: TokenInput): Promise<TokenRecord>;
  /** The tenant's tokens, oldest first (never their hashes). */
  listTokens(tenant: string): Promise<readonly TokenRecord[]>;
  /**
   * The token with this SHA-256 and its tenant's record (absent when the tenant
   * has none), in one lookup; `undefined` when no token has the hash.
   */
  findToken(
    sha256: string,
  ): Promise<{ readonly token: TokenRecord; readonly tenant?: TenantRecord } | undefined>;
  /** Deletes the tenant's token; false when the tenant has no such token. */
  revokeToken(tenant: string, id: string): Promise<boolean>;
  /** Sets `lastUsedAt` (core calls it at most about once a minute per token). */
  touchToken(tenant: string, id: string, lastUsedAt: string): Promise<void>;
}

// ---------------------------------------------------------------------------
// The provisioning log

/** One SCIM request as the provisioning log keeps it: no secrets, no attribute values. */
export interface LogEntry {
  /** Unique; issued by core. */
  readonly id: string;
  readonly tenant: string;
  /** ISO-8601 start of the request. */
  readonly time: string;
  /** The credential that authenticated the request, when known. */
  readonly tokenId?: string;
  readonly method: string;
  /** The path below the SCIM mount point, without the query. */
  readonly path: string;
  readonly status: number;
  readonly scimType?: string;
  /** The error's `detail`, for answers of 400 and above. */
  readonly detail?: string;
  readonly resourceType?: string;
  readonly resourceId?: string;
  /** Names (never values) of the attributes the request changed. */
  readonly changedAttributes?: readonly string[];
  readonly durationMs: number;
  /** `entra`, `okta`, `google`, `onelogin`, `jumpcloud`, `authentik`, ... guessed from the User-Agent. */
  readonly idp?: string;
}

/** A query of one tenant's log: newest first. */
export interface LogQuery {
  readonly limit: number;
  /** Only entries older than this one (paging): the `id` and `time` of the last entry seen. */
  readonly before?: { readonly time: string; readonly id: string };
  /** Status class: 2 = 2xx, 4 = 4xx, 5 = 5xx, ... */
  readonly statusClass?: number;
  readonly resourceId?: string;
  /** ISO-8601; entries at or after. */
  readonly from?: string;
  /** ISO-8601; entries before. */
  readonly to?: string;
}

/** Where the provisioning log lives. */
export interface ProvisioningLogStore {
  /** Appends entries (core batches them). */
  append(entries: readonly LogEntry[]): Promise<void>;
  /** The tenant's entries matching the query, newest first (`time`, then `id`, descending). */
  query(tenant: string, query: LogQuery): Promise<readonly LogEntry[]>;
  /** Deletes at most `limit` entries (of any tenant) older than `before`; resolves to how many. */
  prune(before: string, limit: number): Promise<number>;
}
