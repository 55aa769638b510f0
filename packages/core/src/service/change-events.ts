import type { ResourceSchema, ScimObject } from "../schema/types";
import { GROUP_SCHEMA, USER_SCHEMA } from "../schema/urns";
import { committedData } from "../store/change-drafts";
import type { AppliedMembership, ChangeDraft, RestoredRecord } from "../store/contract";
import { groupPolicyName, type ScimEventEmitter, type ScimEventName } from "./events";

/**
 * The one place that decides which events a committed write produces. A write
 * computes its drafts here before it runs; the store records them in the write's
 * transaction (the durable feed), and after the commit the service emits the very
 * same drafts in-process (`service.on`). A draft marked `membership` stands only
 * when the store reports that the delta changed rows, and then carries them.
 */

/**
 * Which event family a resource type belongs to. The User and Group events are
 * product semantics of those two schemas (suspension, renames), so they key on
 * the core schema URN; every other type gets the generic `resource.*` events.
 */
export function familyOf(resourceSchema: ResourceSchema): "user" | "group" | "resource" {
  const urn = resourceSchema.core.id.toLowerCase();
  if (urn === USER_SCHEMA.toLowerCase()) return "user";
  if (urn === GROUP_SCHEMA.toLowerCase()) return "group";
  return "resource";
}

const isActive = (data: ScimObject | undefined) => data?.active !== false;
const displayNameOf = (data: ScimObject | undefined) =>
  typeof data?.displayName === "string" ? data.displayName : undefined;

const draft = (type: ScimEventName, data: ScimObject): ChangeDraft => ({ type, data });

/** After a create: `user.created`, `group.created` (with `memberIds`) or `resource.created`. */
export function createdChanges(
  resourceSchema: ResourceSchema,
  resource: ScimObject,
  memberIds: readonly string[],
): ChangeDraft[] {
  const family = familyOf(resourceSchema);
  if (family === "group") {
    const policyName = groupPolicyName(displayNameOf(resource));
    return [draft("group.created", { resource, memberIds: [...memberIds], policyName })];
  }
  return [draft(`${family}.created`, { resource })];
}

/**
 * After an update. `before`/`after` are the record's attributes (`data`),
 * `dataChanged` says whether the write replaces them, `membership` whether it
 * carries a membership delta. Nothing for a write that changes nothing.
 */
export function updatedChanges(
  resourceSchema: ResourceSchema,
  change: {
    readonly before: ScimObject;
    readonly after: ScimObject;
    readonly dataChanged: boolean;
    readonly membership: boolean;
    /**
     * The resource as stored after the write (without members); asked for only
     * when a draft carries it (a group's membership change does not).
     */
    readonly resource: () => ScimObject;
  },
): ChangeDraft[] {
  const { before, after } = change;
  let shown: ScimObject | undefined;
  const resource = () => {
    shown ??= change.resource();
    return shown;
  };
  const family = familyOf(resourceSchema);
  const drafts: ChangeDraft[] = [];
  if (change.dataChanged) {
    if (family === "user") {
      drafts.push(draft("user.updated", { resource: resource() }));
      if (isActive(before) && !isActive(after))
        drafts.push(draft("user.deactivated", { resource: resource() }));
      if (!isActive(before) && isActive(after))
        drafts.push(draft("user.reactivated", { resource: resource() }));
    } else if (family === "group") {
      const previousDisplayName = displayNameOf(before);
      const displayName = displayNameOf(after);
      const policyName = groupPolicyName(displayName);
      drafts.push(draft("group.updated", { resource: resource(), policyName }));
      if (previousDisplayName !== displayName) {
        drafts.push(
          draft("group.renamed", {
            resource: resource(),
            policyName,
            previousDisplayName,
            displayName,
            previousPolicyName: groupPolicyName(previousDisplayName),
          }),
        );
      }
    } else {
      drafts.push(draft("resource.updated", { resource: resource() }));
    }
  }
  if (change.membership) {
    if (family === "group") {
      drafts.push(Object.assign(draft("group.membersChanged", {}), { membership: true }));
    } else if (!change.dataChanged) {
      drafts.push(
        Object.assign(draft(`${family}.updated`, { resource: resource() }), { membership: true }),
      );
    }
  }
  return drafts;
}

/**
 * After a delete. A soft delete of an active user records `user.deactivated`
 * first (with the last stored resource, shown inactive), so apps that only
 * listen for suspension suspend at once.
 */
export function deletedChanges(
  resourceSchema: ResourceSchema,
  deletion:
    | { readonly soft: false }
    | { readonly soft: true; readonly purgeAfter: string; readonly resource: ScimObject },
): ChangeDraft[] {
  const family = familyOf(resourceSchema);
  if (!deletion.soft) return [draft(`${family}.deleted`, { soft: false })];
  const drafts: ChangeDraft[] = [];
  if (family === "user" && isActive(deletion.resource)) {
    drafts.push(
      draft("user.deactivated", {
        resource: Object.assign({}, deletion.resource, { active: false }),
      }),
    );
  }
  drafts.push(draft(`${family}.deleted`, { soft: true, purgeAfter: deletion.purgeAfter }));
  return drafts;
}

/** The event a purge records for each trashed record of a type. */
export function purgedType(resourceSchema: ResourceSchema | undefined): ScimEventName {
  return `${resourceSchema === undefined ? "resource" : familyOf(resourceSchema)}.purged`;
}

/**
 * After a restore: `*.restored` (a group's with `memberIds`, the members that came
 * back), and `group.membersChanged` for every live group the record rejoined, so
 * a consumer replaying the feed has its memberships back too.
 */
export function restoredChanges(
  resourceSchema: ResourceSchema,
  restored: RestoredRecord,
  resource: ScimObject,
): ChangeDraft[] {
  const family = familyOf(resourceSchema);
  const drafts: ChangeDraft[] =
    family === "group"
      ? [
          draft("group.restored", {
            resource,
            policyName: groupPolicyName(displayNameOf(resource)),
            memberIds: [...restored.restoredMembers],
          }),
        ]
      : [draft(`${family}.restored`, { resource })];
  for (const group of restored.rejoinedGroups) {
    drafts.push(
      Object.assign(draft("group.membersChanged", { added: [restored.id], removed: [] }), {
        resourceType: group.resourceType,
        id: group.id,
      }),
    );
  }
  return drafts;
}

/** Emits a committed write's drafts in-process, after the commit. */
export function emitChanges(
  events: ScimEventEmitter,
  target: { readonly tenant: string; readonly resourceType: string; readonly id: string },
  drafts: readonly ChangeDraft[],
  membership?: AppliedMembership,
): void {
  for (const change of drafts) {
    const data = committedData(change, membership);
    if (data === undefined) continue;
    events.emit(
      change.type as ScimEventName,
      {
        tenant: target.tenant,
        resourceType: change.resourceType ?? target.resourceType,
        id: change.id ?? target.id,
        ...data,
      } as never,
    );
  }
}
