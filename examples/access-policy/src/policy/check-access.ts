import type { Directory, DirectoryGroup } from "../directory/directory";
import type { Destination, GroupRef, Policy, PolicyRule } from "./parse-policy";

/** A group as `via` and the policy errors show it. */
export interface GroupSummary {
  readonly id: string;
  readonly displayName: string;
  readonly externalId?: string;
}

/** One grant: which rule, through which reference and group, to which destination. */
export interface AccessGrant {
  readonly rule: number;
  readonly src: string;
  readonly dst: string;
  readonly group: GroupSummary;
  /**
   * With `nestedGroups`: the member groups between the user and `group`, nearest
   * to the user first (absent for a direct member).
   */
  readonly through?: readonly GroupSummary[];
}

export interface AccessDecision {
  readonly allowed: boolean;
  readonly via: readonly AccessGrant[];
}

export interface PolicyError {
  readonly ref: string;
  readonly message: string;
}

/** What a reference means now: exactly one group, or why it grants nothing. */
export type Resolution =
  | { readonly ok: true; readonly group: DirectoryGroup }
  | { readonly ok: false; readonly message: string };

/** Most groups walked up from one user when nested groups are on (a bound, not a limit in practice). */
const MAX_NESTED_GROUPS = 10_000;

const summary = (group: DirectoryGroup): GroupSummary => ({
  id: group.id,
  displayName: group.displayName,
  ...(group.externalId === undefined ? {} : { externalId: group.externalId }),
});

const describe = (group: DirectoryGroup) =>
  `"${group.displayName}" (id ${group.id}${group.externalId === undefined ? "" : `, externalId ${group.externalId}`})`;

/**
 * Resolves references against the directory now. Fails closed: a name no group
 * has (after a rename), a name or id several groups share, grants nothing.
 */
export async function resolveReferences(
  directory: Directory,
  tenant: string,
  refs: readonly GroupRef[],
): Promise<Map<string, Resolution>> {
  const names = [...new Set(refs.flatMap((ref) => (ref.kind === "name" ? [ref.name] : [])))];
  const ids = [...new Set(refs.flatMap((ref) => (ref.kind === "id" ? [ref.id] : [])))];
  const candidates = await directory.groupsForReferences(tenant, names, ids);
  const resolutions = new Map<string, Resolution>();
  for (const ref of refs) {
    if (resolutions.has(ref.text)) continue;
    resolutions.set(ref.text, resolve(ref, candidates));
  }
  return resolutions;
}

function resolve(ref: GroupRef, candidates: readonly DirectoryGroup[]): Resolution {
  if (ref.kind === "id") {
    const matches = candidates.filter(
      (group) => group.id === ref.id || group.externalId === ref.id,
    );
    if (matches.length === 1) return { ok: true, group: matches[0]! };
    if (matches.length > 1) {
      return {
        ok: false,
        message: `${matches.length} groups have the id or externalId "${ref.id}" (${matches.map(describe).join(", ")}); it grants nothing until only one does.`,
      };
    }
    const named = candidates.find((group) => group.policyName === ref.id.toLowerCase());
    return {
      ok: false,
      message:
        `No group has the id or externalId "${ref.id}" (deleted, or not provisioned yet); it grants nothing.` +
        (named === undefined
          ? ""
          : ` To name the group "${named.displayName}", write group:${named.policyName}@<domain>.`),
    };
  }
  const matches = candidates.filter((group) => group.policyName === ref.name);
  if (matches.length === 1) return { ok: true, group: matches[0]! };
  if (matches.length > 1) {
    return {
      ok: false,
      message: `${matches.length} groups are named "${ref.name}" (${matches.map(describe).join(", ")}); it grants nothing until the name is unique, or refer to one by its id.`,
    };
  }
  const renamed = candidates.filter((group) => group.previousPolicyName === ref.name);
  const hint = renamed
    .map(
      (group) =>
        ` The group ${describe(group)} was renamed from "${group.previousDisplayName}" to "${group.displayName}" at ${group.renamedAt}: name it group:${group.policyName}@${ref.domain} or by id group:${group.externalId ?? group.id}, or rename it back.`,
    )
    .join("");
  return {
    ok: false,
    message: `No group is named "${ref.name}"; this reference grants nothing.${hint}`,
  };
}

/** Every reference of the policy that grants nothing now, once each, in file order. */
export async function policyErrors(
  directory: Directory,
  tenant: string,
  policy: Policy,
): Promise<PolicyError[]> {
  const refs = policy.rules.flatMap((rule) => rule.src);
  const resolutions = await resolveReferences(directory, tenant, refs);
  const errors: PolicyError[] = [];
  for (const [ref, resolution] of resolutions) {
    if (!resolution.ok) errors.push({ ref, message: resolution.message });
  }
  return errors;
}

const matchesDestination = (rule: Destination, wanted: Destination) =>
  rule.tag === wanted.tag && (rule.port === "*" || rule.port === wanted.port);

/**
 * The groups a user is in: direct memberships, and with `nested` every group
 * that contains one of those, transitively (a cycle ends where it started).
 * Maps each group id to the member groups between the user and it.
 */
export async function groupsOfUser(
  directory: Directory,
  tenant: string,
  userId: string,
  nested: boolean,
): Promise<Map<string, readonly string[]>> {
  const paths = new Map<string, readonly string[]>();
  let frontier: { id: string; path: readonly string[] }[] = [{ id: userId, path: [] }];
  let first = true;
  while (frontier.length > 0 && paths.size < MAX_NESTED_GROUPS) {
    const pathOf = new Map(frontier.map((entry) => [entry.id, entry.path]));
    const rows = await directory.groupsContaining(
      tenant,
      frontier.map((entry) => entry.id),
    );
    const next: { id: string; path: readonly string[] }[] = [];
    for (const row of rows) {
      if (paths.has(row.groupId) || row.groupId === userId) continue;
      const parentPath = pathOf.get(row.memberId) ?? [];
      const path = first ? [] : [...parentPath, row.memberId];
      paths.set(row.groupId, path);
      next.push({ id: row.groupId, path });
    }
    if (!nested) break;
    first = false;
    frontier = next;
  }
  return paths;
}

/** Decides whether `userId` reaches `dst`: every rule, reference and group that grants it. */
export async function checkAccess(
  directory: Directory,
  tenant: string,
  policy: Policy,
  userId: string,
  dst: Destination,
): Promise<AccessDecision> {
  const rules: PolicyRule[] = policy.rules.filter((rule) =>
    rule.dst.some((entry) => matchesDestination(entry, dst)),
  );
  if (rules.length === 0) return { allowed: false, via: [] };
  const [resolutions, groups] = await Promise.all([
    resolveReferences(
      directory,
      tenant,
      rules.flatMap((rule) => rule.src),
    ),
    groupsOfUser(directory, tenant, userId, policy.nestedGroups),
  ]);
  const byId = new Map<string, DirectoryGroup>();
  for (const resolution of resolutions.values()) {
    if (resolution.ok) byId.set(resolution.group.id, resolution.group);
  }
  const grants: {
    rule: number;
    src: string;
    dst: string;
    group: DirectoryGroup;
    path: readonly string[];
  }[] = [];
  for (const rule of rules) {
    const dstEntry = rule.dst.find((entry) => matchesDestination(entry, dst))!;
    for (const ref of rule.src) {
      const resolution = resolutions.get(ref.text);
      if (resolution === undefined || !resolution.ok) continue;
      const path = groups.get(resolution.group.id);
      if (path === undefined) continue;
      grants.push({
        rule: rule.index,
        src: ref.text,
        dst: dstEntry.text,
        group: resolution.group,
        path,
      });
    }
  }
  // Names of the member groups a nested grant went through.
  const missing = [...new Set(grants.flatMap((grant) => grant.path))].filter((id) => !byId.has(id));
  if (missing.length > 0) {
    for (const group of await directory.groupsForReferences(tenant, [], missing)) {
      if (missing.includes(group.id)) byId.set(group.id, group);
    }
  }
  const via: AccessGrant[] = grants.map(({ path, group, ...grant }) => {
    const through = path.map((id) => {
      const found = byId.get(id);
      return found === undefined ? { id, displayName: id } : summary(found);
    });
    return { ...grant, group: summary(group), ...(through.length === 0 ? {} : { through }) };
  });
  return { allowed: via.length > 0, via };
}
