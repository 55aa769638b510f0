import type { FeedChange, ScimObject } from "@scimkit/core";

/** The RFC 9967 §7.4 event URIs scimkit issues. */
export const SCIM_EVENT_URIS = {
  createFull: "urn:ietf:params:scim:event:prov:create:full",
  createNotice: "urn:ietf:params:scim:event:prov:create:notice",
  patchFull: "urn:ietf:params:scim:event:prov:patch:full",
  patchNotice: "urn:ietf:params:scim:event:prov:patch:notice",
  putFull: "urn:ietf:params:scim:event:prov:put:full",
  putNotice: "urn:ietf:params:scim:event:prov:put:notice",
  delete: "urn:ietf:params:scim:event:prov:delete",
  activate: "urn:ietf:params:scim:event:prov:activate",
  deactivate: "urn:ietf:params:scim:event:prov:deactivate",
} as const;

/**
 * RFC 9967 §2.4: "full" events carry the resource (`data`), "notice" events only
 * the names of the attributes concerned (`attributes`), for receivers that read
 * the resource back from the SCIM API (co-ordinated provisioning).
 */
export type SecurityEventMode = "full" | "notice";

/**
 * The event URIs a transmitter in `mode` can issue, for `securityEvents.eventUris`
 * in `/ServiceProviderConfig`. In "full" mode a SET larger than its size limit is
 * sent in notice form, so both forms are listed.
 */
export function securityEventUris(mode: SecurityEventMode): readonly string[] {
  const { delete: deleted, activate, deactivate } = SCIM_EVENT_URIS;
  const notices = [
    SCIM_EVENT_URIS.createNotice,
    SCIM_EVENT_URIS.putNotice,
    SCIM_EVENT_URIS.patchNotice,
  ];
  const fulls = [SCIM_EVENT_URIS.createFull, SCIM_EVENT_URIS.putFull, SCIM_EVENT_URIS.patchFull];
  return [...(mode === "full" ? [...fulls, ...notices] : notices), deleted, activate, deactivate];
}

/** What RFC 9967 says about one change: its subject and its events. */
export interface ScimSecurityEvent {
  /** RFC 9967 §2.1 `sub_id` (RFC 9493 format `scim`). */
  readonly subId: {
    readonly format: "scim";
    /** The resource's path relative to the service provider's base URI, e.g. `/Users/2819c223`. */
    readonly uri: string;
    readonly id: string;
    readonly externalId?: string;
  };
  readonly events: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** Top-level attribute names of a resource as RFC 7644 `path`s (extension attributes URN-prefixed). */
function attributeNames(resource: ScimObject): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(resource)) {
    if (name === "schemas" || name === "meta") continue;
    if (name.toLowerCase().startsWith("urn:") && typeof value === "object" && value !== null) {
      for (const inner of Object.keys(value)) names.push(`${name}:${inner}`);
    } else {
      names.push(name);
    }
  }
  return names;
}

const versionOf = (resource: ScimObject | undefined) => {
  const meta = resource?.meta as { version?: unknown } | undefined;
  return typeof meta?.version === "string" ? { version: meta.version } : {};
};

/**
 * The RFC 9967 events for one feed change, or `undefined` for changes RFC 9967
 * has no event for (`*.purged`: the resource was already deleted; `group.renamed`:
 * the `group.updated` of the same write carries the new `displayName`).
 *
 * | scimkit event | event URI |
 * | --- | --- |
 * | `*.created`, `*.restored` | `prov:create:full` (`data`: the resource, a group's `members`) / `:notice` |
 * | `*.updated` | `prov:put:full` (`data`: the resource as stored) / `:notice` |
 * | `group.membersChanged` | `prov:patch:full` (`data`: a PatchOp adding and removing exactly the changed members) / `:notice` (`["members"]`) |
 * | `user.deactivated` / `user.reactivated` | `prov:deactivate` / `prov:activate` |
 * | `*.deleted` (hard or soft: it answers 404 either way) | `prov:delete` |
 *
 * Updates are `put` events: the feed holds the resource after the write, which
 * is what a PUT replacing it would send, not the PATCH operations an IdP sent. A
 * notice for an update lists every attribute the resource has (the feed does not
 * record which ones changed): a receiver reads the resource back anyway.
 */
export function scimSecurityEvent(
  change: FeedChange,
  mode: SecurityEventMode,
  endpointOf: (resourceType: string) => string,
): ScimSecurityEvent | undefined {
  const { event } = change;
  const resource = "resource" in event ? (event.resource as ScimObject) : undefined;
  const externalId = typeof resource?.externalId === "string" ? resource.externalId : undefined;
  const subId = {
    format: "scim" as const,
    uri: `${endpointOf(event.resourceType)}/${encodeURIComponent(event.id)}`,
    id: event.id,
    ...(externalId === undefined ? {} : { externalId }),
  };
  const one = (uri: string, payload: Record<string, unknown> = {}) => ({
    subId,
    events: { [uri]: payload },
  });
  const full = mode === "full";
  switch (change.type) {
    case "user.created":
    case "group.created":
    case "resource.created":
    case "user.restored":
    case "group.restored":
    case "resource.restored": {
      const memberIds = "memberIds" in change.event ? change.event.memberIds : [];
      const data: ScimObject =
        memberIds.length > 0
          ? Object.assign({}, resource, { members: memberIds.map((value) => ({ value })) })
          : Object.assign({}, resource);
      return full
        ? one(SCIM_EVENT_URIS.createFull, { data, ...versionOf(resource) })
        : one(SCIM_EVENT_URIS.createNotice, {
            attributes: attributeNames(data),
            ...versionOf(resource),
          });
    }
    case "user.updated":
    case "group.updated":
    case "resource.updated":
      return full
        ? one(SCIM_EVENT_URIS.putFull, {
            data: Object.assign({}, resource),
            ...versionOf(resource),
          })
        : one(SCIM_EVENT_URIS.putNotice, {
            attributes: attributeNames(resource ?? {}),
            ...versionOf(resource),
          });
    case "group.membersChanged": {
      if (!full) return one(SCIM_EVENT_URIS.patchNotice, { attributes: ["members"] });
      const { added, removed } = change.event;
      const Operations: Record<string, unknown>[] = [];
      if (added.length > 0) {
        Operations.push({ op: "add", path: "members", value: added.map((value) => ({ value })) });
      }
      for (const id of removed) {
        Operations.push({ op: "remove", path: `members[value eq ${JSON.stringify(id)}]` });
      }
      return one(SCIM_EVENT_URIS.patchFull, { data: { schemas: [PATCH_OP], Operations } });
    }
    case "user.deactivated":
      return one(SCIM_EVENT_URIS.deactivate);
    case "user.reactivated":
      return one(SCIM_EVENT_URIS.activate);
    case "user.deleted":
    case "group.deleted":
    case "resource.deleted":
      return one(SCIM_EVENT_URIS.delete);
    default:
      return undefined;
  }
}
