import { groupPolicyName } from "@scimkit/core";
import type {
  Directory,
  DirectoryGroup,
  DirectoryMember,
  DirectorySession,
  DirectoryUser,
  Membership,
} from "./directory";

interface SessionRow {
  readonly userId: string;
  readonly createdAt: string;
  revokedAt?: string;
  revokedReason?: string;
}

interface TenantData {
  readonly users: Map<string, DirectoryUser>;
  readonly groups: Map<string, DirectoryGroup>;
  /** group id -> member ids */
  readonly members: Map<string, Set<string>>;
  /** member id -> group ids */
  readonly memberOf: Map<string, Set<string>>;
  readonly sessions: Map<string, SessionRow>;
}

/** Code-unit order, as PostgreSQL's "C" collation sorts, so both directories list alike. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byUserName = (a: DirectoryUser, b: DirectoryUser) =>
  compare(a.userName.toLowerCase(), b.userName.toLowerCase()) || compare(a.id, b.id);
const byPolicyName = (a: DirectoryGroup, b: DirectoryGroup) =>
  compare(a.policyName, b.policyName) || compare(a.id, b.id);
const TYPE_ORDER = { Group: 0, User: 1, Unknown: 2 } as const;

/**
 * The directory in this process's memory, for `STORE=memory`: gone on restart,
 * like the SCIM data it mirrors. Every method runs synchronously to completion,
 * so each is atomic.
 */
export function memoryDirectory(): Directory {
  const tenants = new Map<string, TenantData>();
  const data = (tenant: string): TenantData => {
    let found = tenants.get(tenant);
    if (found === undefined) {
      found = {
        users: new Map(),
        groups: new Map(),
        members: new Map(),
        memberOf: new Map(),
        sessions: new Map(),
      };
      tenants.set(tenant, found);
    }
    return found;
  };
  const link = (tenantData: TenantData, groupId: string, memberId: string) => {
    const members = tenantData.members.get(groupId) ?? new Set<string>();
    tenantData.members.set(groupId, members.add(memberId));
    const groups = tenantData.memberOf.get(memberId) ?? new Set<string>();
    tenantData.memberOf.set(memberId, groups.add(groupId));
  };
  const unlink = (tenantData: TenantData, groupId: string, memberId: string) => {
    tenantData.members.get(groupId)?.delete(memberId);
    tenantData.memberOf.get(memberId)?.delete(groupId);
  };
  const revoke = (tenantData: TenantData, userId: string, reason: string, now: string) => {
    let count = 0;
    for (const session of tenantData.sessions.values()) {
      if (session.userId === userId && session.revokedAt === undefined) {
        session.revokedAt = now;
        session.revokedReason = reason;
        count += 1;
      }
    }
    return count;
  };
  const removeAsMember = (tenantData: TenantData, memberId: string) => {
    for (const groupId of tenantData.memberOf.get(memberId) ?? []) {
      tenantData.members.get(groupId)?.delete(memberId);
    }
    tenantData.memberOf.delete(memberId);
  };

  return {
    async putUser(tenant, user, now) {
      const tenantData = data(tenant);
      tenantData.users.set(user.id, { ...user });
      if (!user.active) revoke(tenantData, user.id, "deactivated", now);
    },
    async revokeSessions(tenant, userId, reason, now) {
      return revoke(data(tenant), userId, reason, now);
    },
    async removeUser(tenant, id, now) {
      const tenantData = data(tenant);
      revoke(tenantData, id, "deleted", now);
      tenantData.users.delete(id);
      removeAsMember(tenantData, id);
    },
    async putGroup(tenant, group, now, rename) {
      const tenantData = data(tenant);
      const previous = tenantData.groups.get(group.id);
      const policyName = groupPolicyName(group.displayName) ?? "";
      const previousPolicyName =
        rename === undefined ? undefined : groupPolicyName(rename.previousDisplayName);
      // A rename that only changes case keeps the policy name, and the record of an older rename.
      const renamed =
        previousPolicyName !== undefined && previousPolicyName !== policyName
          ? {
              previousDisplayName: rename!.previousDisplayName,
              previousPolicyName,
              renamedAt: now,
            }
          : {
              ...(previous?.previousDisplayName === undefined
                ? {}
                : {
                    previousDisplayName: previous.previousDisplayName,
                    previousPolicyName: previous.previousPolicyName,
                    renamedAt: previous.renamedAt,
                  }),
            };
      tenantData.groups.set(group.id, {
        id: group.id,
        displayName: group.displayName,
        policyName,
        ...(group.externalId === undefined ? {} : { externalId: group.externalId }),
        ...renamed,
      } as DirectoryGroup);
    },
    async setMembers(tenant, groupId, memberIds) {
      const tenantData = data(tenant);
      for (const memberId of [...(tenantData.members.get(groupId) ?? [])]) {
        unlink(tenantData, groupId, memberId);
      }
      for (const memberId of memberIds) link(tenantData, groupId, memberId);
    },
    async changeMembers(tenant, groupId, added, removed) {
      const tenantData = data(tenant);
      for (const memberId of removed) unlink(tenantData, groupId, memberId);
      for (const memberId of added) link(tenantData, groupId, memberId);
    },
    async removeGroup(tenant, id) {
      const tenantData = data(tenant);
      for (const memberId of tenantData.members.get(id) ?? []) {
        tenantData.memberOf.get(memberId)?.delete(id);
      }
      tenantData.members.delete(id);
      removeAsMember(tenantData, id);
      tenantData.groups.delete(id);
    },

    async usersByName(tenant, userName) {
      const wanted = userName.toLowerCase();
      return [...data(tenant).users.values()].filter(
        (user) => user.userName.toLowerCase() === wanted,
      );
    },
    async groupsContaining(tenant, memberIds) {
      const tenantData = data(tenant);
      const rows: Membership[] = [];
      for (const memberId of new Set(memberIds)) {
        for (const groupId of tenantData.memberOf.get(memberId) ?? []) {
          rows.push({ groupId, memberId });
        }
      }
      return rows;
    },
    async groupsForReferences(tenant, names, ids) {
      const nameSet = new Set(names);
      const idSet = new Set(ids);
      return [...data(tenant).groups.values()].filter(
        (group) =>
          nameSet.has(group.policyName) ||
          (group.previousPolicyName !== undefined && nameSet.has(group.previousPolicyName)) ||
          idSet.has(group.id) ||
          (group.externalId !== undefined && idSet.has(group.externalId)),
      );
    },

    async listUsers(tenant, page) {
      const users = [...data(tenant).users.values()].sort(byUserName);
      return { users: users.slice(page.offset, page.offset + page.limit), total: users.length };
    },
    async listGroups(tenant, page) {
      const tenantData = data(tenant);
      const groups = [...tenantData.groups.values()].sort(byPolicyName);
      return {
        groups: groups.slice(page.offset, page.offset + page.limit).map((group) => ({
          ...group,
          memberCount: tenantData.members.get(group.id)?.size ?? 0,
        })),
        total: groups.length,
      };
    },
    async groupMembers(tenant, groupId, page) {
      const tenantData = data(tenant);
      if (!tenantData.groups.has(groupId)) return undefined;
      const members: DirectoryMember[] = [...(tenantData.members.get(groupId) ?? [])].map((id) => {
        const user = tenantData.users.get(id);
        if (user !== undefined)
          return { id, type: "User", name: user.userName, active: user.active };
        const group = tenantData.groups.get(id);
        if (group !== undefined) return { id, type: "Group", name: group.displayName };
        return { id, type: "Unknown" };
      });
      members.sort(
        (a, b) =>
          TYPE_ORDER[a.type] - TYPE_ORDER[b.type] ||
          compare((a.name ?? "").toLowerCase(), (b.name ?? "").toLowerCase()) ||
          compare(a.id, b.id),
      );
      return {
        members: members.slice(page.offset, page.offset + page.limit),
        total: members.length,
      };
    },

    async createSession(tenant, userId, sessionSha256, now) {
      const tenantData = data(tenant);
      const user = tenantData.users.get(userId);
      if (user === undefined) return "unknown";
      if (!user.active) return "inactive";
      tenantData.sessions.set(sessionSha256, { userId, createdAt: now });
      return "created";
    },
    async getSession(tenant, sessionSha256): Promise<DirectorySession | undefined> {
      const tenantData = data(tenant);
      const session = tenantData.sessions.get(sessionSha256);
      if (session === undefined) return undefined;
      const user = tenantData.users.get(session.userId);
      return {
        userId: session.userId,
        ...(user === undefined ? {} : { userName: user.userName }),
        userActive: user?.active === true,
        createdAt: session.createdAt,
        ...(session.revokedAt === undefined
          ? {}
          : { revokedAt: session.revokedAt, revokedReason: session.revokedReason }),
      };
    },
    async close() {
      tenants.clear();
    },
  };
}
