import type { ResourceSchema, ScimObject } from "../schema/types";
import { GROUP_SCHEMA, USER_SCHEMA } from "../schema/urns";
import type { AppliedMembership } from "../store";
import { groupPolicyName, type ScimEventEmitter, type ScimPurgedEvent } from "./events";

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

interface Target {
  readonly tenant: string;
  readonly resourceSchema: ResourceSchema;
  readonly id: string;
}

const baseOf = (target: Target) => ({
  tenant: target.tenant,
  resourceType: target.resourceSchema.resourceType.id,
  id: target.id,
});

/** After a committed create. */
export function emitCreated(
  events: ScimEventEmitter,
  target: Target,
  resource: ScimObject,
  memberIds: readonly string[],
): void {
  const base = baseOf(target);
  const family = familyOf(target.resourceSchema);
  if (family === "user") events.emit("user.created", { ...base, resource });
  else if (family === "group") {
    const policyName = groupPolicyName(displayNameOf(resource));
    events.emit("group.created", { ...base, resource, memberIds, policyName });
  } else events.emit("resource.created", { ...base, resource });
}

/**
 * After a committed update. `before`/`after` are the record's attributes
 * (`data`), `dataChanged` says whether the write replaced them, `membership` is
 * what the store reports it really changed. Emits nothing for a no-op.
 */
export function emitUpdated(
  events: ScimEventEmitter,
  target: Target,
  change: {
    readonly before: ScimObject;
    readonly after: ScimObject;
    readonly dataChanged: boolean;
    readonly membership: AppliedMembership | undefined;
    readonly resource: ScimObject;
  },
): void {
  const base = baseOf(target);
  const { before, after, resource } = change;
  const family = familyOf(target.resourceSchema);
  if (change.dataChanged) {
    if (family === "user") {
      events.emit("user.updated", { ...base, resource });
      if (isActive(before) && !isActive(after))
        events.emit("user.deactivated", { ...base, resource });
      if (!isActive(before) && isActive(after))
        events.emit("user.reactivated", { ...base, resource });
    } else if (family === "group") {
      const previousDisplayName = displayNameOf(before);
      const displayName = displayNameOf(after);
      const policyName = groupPolicyName(displayName);
      events.emit("group.updated", { ...base, resource, policyName });
      if (previousDisplayName !== displayName) {
        events.emit("group.renamed", {
          ...base,
          resource,
          policyName,
          previousDisplayName,
          displayName,
          previousPolicyName: groupPolicyName(previousDisplayName),
        });
      }
    } else {
      events.emit("resource.updated", { ...base, resource });
    }
  }
  const membership = change.membership;
  if (membership !== undefined && (membership.added.length > 0 || membership.removed.length > 0)) {
    if (family === "group") {
      events.emit("group.membersChanged", {
        ...base,
        added: membership.added,
        removed: membership.removed,
      });
    } else if (!change.dataChanged) {
      events.emit(family === "user" ? "user.updated" : "resource.updated", { ...base, resource });
    }
  }
}

/**
 * After a committed delete. A soft delete of an active user emits
 * `user.deactivated` first (with the last stored resource, shown inactive), so
 * apps that only listen for suspension suspend at once.
 */
export function emitDeleted(
  events: ScimEventEmitter,
  target: Target,
  deletion:
    | { readonly soft: false }
    | { readonly soft: true; readonly purgeAfter: string; readonly resource: ScimObject },
): void {
  const base = baseOf(target);
  const family = familyOf(target.resourceSchema);
  if (!deletion.soft) {
    events.emit(`${family}.deleted`, { ...base, soft: false });
    return;
  }
  if (family === "user" && isActive(deletion.resource)) {
    events.emit("user.deactivated", { ...base, resource: { ...deletion.resource, active: false } });
  }
  events.emit(`${family}.deleted`, { ...base, soft: true, purgeAfter: deletion.purgeAfter });
}

/** After a committed purge of one trashed record; `family` is undefined for an unregistered type. */
export function emitPurged(
  events: ScimEventEmitter,
  resourceSchema: ResourceSchema | undefined,
  event: ScimPurgedEvent,
): void {
  const family = resourceSchema === undefined ? "resource" : familyOf(resourceSchema);
  events.emit(`${family}.purged`, event);
}

/** After a committed restore from the trash. */
export function emitRestored(events: ScimEventEmitter, target: Target, resource: ScimObject): void {
  const base = baseOf(target);
  const family = familyOf(target.resourceSchema);
  if (family === "group") {
    const policyName = groupPolicyName(displayNameOf(resource));
    events.emit("group.restored", { ...base, resource, policyName });
  } else events.emit(`${family}.restored`, { ...base, resource });
}
