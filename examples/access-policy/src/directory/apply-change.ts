import type { FeedChange, ScimObject } from "@scimkit/core";
import type { Directory, DirectoryUser } from "./directory";

const optionalText = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

function userOf(id: string, resource: ScimObject): DirectoryUser {
  const displayName = optionalText(resource.displayName);
  const externalId = optionalText(resource.externalId);
  return {
    id,
    userName: typeof resource.userName === "string" ? resource.userName : id,
    ...(displayName === undefined ? {} : { displayName }),
    ...(externalId === undefined ? {} : { externalId }),
    // RFC 7643: a user without `active` is active; the service stores Entra's "False" as false.
    active: resource.active !== false,
  };
}

function groupOf(id: string, resource: ScimObject) {
  const externalId = optionalText(resource.externalId);
  return {
    id,
    displayName: typeof resource.displayName === "string" ? resource.displayName : "",
    ...(externalId === undefined ? {} : { externalId }),
  };
}

/**
 * The change consumer's handler: keeps the app's directory in step with the
 * SCIM data and revokes sessions. Every branch is idempotent (upserts, set
 * operations, "revoke what is not revoked yet"), because the consumer runs a
 * change again when the process died before its checkpoint moved.
 */
export function applyChange(directory: Directory, clock: () => Date = () => new Date()) {
  return async (change: FeedChange): Promise<void> => {
    const now = clock().toISOString();
    switch (change.type) {
      case "user.created":
      case "user.updated":
      case "user.restored":
      case "user.reactivated":
        // An inactive user's sessions are revoked in the same transaction; a reactivated
        // user's old sessions stay revoked (they log in again).
        await directory.putUser(
          change.event.tenant,
          userOf(change.event.id, change.event.resource),
          now,
        );
        return;
      case "user.deactivated":
        // `user.updated` before it already did this; again in case the feed shows only this one.
        await directory.putUser(
          change.event.tenant,
          { ...userOf(change.event.id, change.event.resource), active: false },
          now,
        );
        return;
      case "user.deleted":
        // Hard or soft: the user answers 404 now, so their sessions end now.
        await directory.removeUser(change.event.tenant, change.event.id, now);
        return;
      case "group.created":
      case "group.restored": {
        const { tenant, id, resource } = change.event;
        await directory.putGroup(tenant, groupOf(id, resource), now);
        const memberIds = (change.event as { memberIds?: readonly string[] }).memberIds ?? [];
        await directory.setMembers(tenant, id, memberIds);
        return;
      }
      case "group.updated":
        await directory.putGroup(
          change.event.tenant,
          groupOf(change.event.id, change.event.resource),
          now,
        );
        return;
      case "group.renamed":
        await directory.putGroup(
          change.event.tenant,
          groupOf(change.event.id, change.event.resource),
          now,
          { previousDisplayName: change.event.previousDisplayName ?? "" },
        );
        return;
      case "group.membersChanged":
        await directory.changeMembers(
          change.event.tenant,
          change.event.id,
          change.event.added,
          change.event.removed,
        );
        return;
      case "group.deleted":
        await directory.removeGroup(change.event.tenant, change.event.id);
        return;
      default:
        // `*.purged` (already removed at delete) and custom resource types: nothing to do.
        return;
    }
  };
}
