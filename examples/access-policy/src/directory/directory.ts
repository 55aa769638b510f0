/**
 * The app's own view of the directory: users, groups, memberships and the
 * sessions (logins) of users. Only the change consumer writes users, groups and
 * memberships (`src/directory/apply-change.ts`), so every write here is
 * idempotent: the consumer runs each change at least once.
 *
 * Two implementations pass the same tests (`test/directory.test.ts`):
 * `memoryDirectory()` for `STORE=memory`, `sqlDirectory()` in the store's own
 * PostgreSQL database (PGlite or a server) for the durable stores.
 */

export interface DirectoryUser {
  readonly id: string;
  readonly userName: string;
  readonly displayName?: string;
  readonly externalId?: string;
  readonly active: boolean;
}

export interface DirectoryGroup {
  readonly id: string;
  readonly displayName: string;
  /** `groupPolicyName(displayName)`: the lower-cased name policies refer to. */
  readonly policyName: string;
  readonly externalId?: string;
  /** The display name before the last rename that changed the policy name, if any. */
  readonly previousDisplayName?: string;
  readonly previousPolicyName?: string;
  /** ISO-8601 time of that rename. */
  readonly renamedAt?: string;
}

export interface DirectoryGroupWithCount extends DirectoryGroup {
  readonly memberCount: number;
}

/** One row of the membership relation: `memberId` (a user or a group) is in `groupId`. */
export interface Membership {
  readonly groupId: string;
  readonly memberId: string;
}

export interface DirectoryMember {
  readonly id: string;
  /** `User` or `Group`; `Unknown` for an id the directory has no record of. */
  readonly type: "User" | "Group" | "Unknown";
  readonly name?: string;
  readonly active?: boolean;
}

export interface DirectorySession {
  readonly userId: string;
  readonly userName?: string;
  /** Whether the user is known and active now. */
  readonly userActive: boolean;
  readonly createdAt: string;
  readonly revokedAt?: string;
  readonly revokedReason?: string;
}

/** A page request: `offset` from 0, `limit` rows. */
export interface Page {
  readonly offset: number;
  readonly limit: number;
}

export type RevokeReason = "deactivated" | "deleted";

export interface Directory {
  /**
   * Creates or replaces a user. When the user is inactive, revokes all their
   * sessions in the same transaction, so no path that suspends a user can leave
   * a session behind.
   */
  putUser(tenant: string, user: DirectoryUser, now: string): Promise<void>;
  /** Revokes every session of a user that is not revoked yet; resolves to how many. */
  revokeSessions(
    tenant: string,
    userId: string,
    reason: RevokeReason,
    now: string,
  ): Promise<number>;
  /** Revokes the user's sessions, then removes the user and every membership it is a member of. */
  removeUser(tenant: string, id: string, now: string): Promise<void>;
  /** Creates or replaces a group; `rename` records where its policy name came from. */
  putGroup(
    tenant: string,
    group: { readonly id: string; readonly displayName: string; readonly externalId?: string },
    now: string,
    rename?: { readonly previousDisplayName: string },
  ): Promise<void>;
  /** Sets a group's members to exactly `memberIds`. */
  setMembers(tenant: string, groupId: string, memberIds: readonly string[]): Promise<void>;
  /** Adds and removes members (set operations: adding a member twice is a no-op). */
  changeMembers(
    tenant: string,
    groupId: string,
    added: readonly string[],
    removed: readonly string[],
  ): Promise<void>;
  /** Removes a group, its members and its own memberships in other groups. */
  removeGroup(tenant: string, id: string): Promise<void>;

  /** Users whose userName equals `userName` case-insensitively (more than one: ambiguous). */
  usersByName(tenant: string, userName: string): Promise<readonly DirectoryUser[]>;
  /** Memberships whose member is one of `memberIds`: the groups those ids are direct members of. */
  groupsContaining(tenant: string, memberIds: readonly string[]): Promise<readonly Membership[]>;
  /**
   * Groups a policy could mean: policy name or previous policy name in `names`,
   * or `externalId` or `id` in `ids`.
   */
  groupsForReferences(
    tenant: string,
    names: readonly string[],
    ids: readonly string[],
  ): Promise<readonly DirectoryGroup[]>;

  listUsers(
    tenant: string,
    page: Page,
  ): Promise<{ readonly users: readonly DirectoryUser[]; readonly total: number }>;
  listGroups(
    tenant: string,
    page: Page,
  ): Promise<{ readonly groups: readonly DirectoryGroupWithCount[]; readonly total: number }>;
  /** A group's members, or `undefined` for an unknown group. */
  groupMembers(
    tenant: string,
    groupId: string,
    page: Page,
  ): Promise<{ readonly members: readonly DirectoryMember[]; readonly total: number } | undefined>;

  /**
   * Creates a session for an active user, atomically with the check: a session
   * created while the consumer suspends the user is revoked with the others.
   */
  createSession(
    tenant: string,
    userId: string,
    sessionSha256: string,
    now: string,
  ): Promise<"created" | "inactive" | "unknown">;
  getSession(tenant: string, sessionSha256: string): Promise<DirectorySession | undefined>;

  close(): Promise<void>;
}
