import type { ResourceSchema, ScimObject } from "../schema/types";
import type { ChangeDraft, MembershipDelta, StoredRecord, UpdatedRecord } from "../store/contract";
import { emitChanges, familyOf, updatedChanges } from "./change-events";
import { changedAttributeNames } from "./changed-attributes";
import { ifMatchVersion } from "./etag";
import { jsonEqual } from "./json-equal";
import type { ServiceContext } from "./service-context";
import type { ScimRequest } from "./types";

/**
 * Computes a write's changes once: the repository hands `compute` what it is
 * about to write, the drafts go to the store (when the feed is on) and stay here
 * for the in-process events emitted after the commit.
 */
export function captureChanges<A>(
  context: ServiceContext,
  compute: (write: A) => readonly ChangeDraft[],
): {
  readonly changes: (write: A) => readonly ChangeDraft[];
  readonly drafts: () => readonly ChangeDraft[];
} {
  let drafts: readonly ChangeDraft[] = [];
  return {
    changes: (write) => {
      drafts = compute(write);
      return context.options.changeFeed ? drafts : [];
    },
    drafts: () => drafts,
  };
}

/**
 * The write of a PUT or PATCH: new attributes and/or a membership delta on a
 * record read at `record.version`. Attribute changes are guarded by that version
 * (or the client's If-Match), so the recorded `resource` is exactly what commits;
 * a group's membership-only delta is unguarded, because set operations commute.
 * Added members are as the client named them; the repository resolves their types.
 * Records and emits the changes; returns the record unchanged for a no-op.
 */
export async function writeUpdate(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  record: StoredRecord,
  change: { readonly data: ScimObject; readonly members: MembershipDelta | undefined },
): Promise<{ readonly record: StoredRecord; readonly changedAttributes: readonly string[] }> {
  const { data, members: delta } = change;
  const dataChanged = !jsonEqual(record.data, data);
  if (!dataChanged && delta === undefined) return { record, changedAttributes: [] };
  const commutes = !dataChanged && familyOf(resourceSchema) === "group";
  return commitUpdate(context, request, resourceSchema, {
    id: record.id,
    expectedVersion: ifMatchVersion(request) ?? (commutes ? undefined : record.version),
    before: record.data,
    data: dataChanged ? data : undefined,
    members: delta,
    resource: (lastModified, written) =>
      context.repository.toResource(
        Object.assign({}, record, {
          version: record.version + 1,
          lastModified,
          data: written ?? record.data,
        }),
        { baseUrl: request.baseUrl },
      ),
    changedAttributes: dataChanged ? changedAttributeNames(record.data, data) : [],
  });
}

/**
 * A group's membership delta written without reading the group first (Entra's
 * one-member PATCHes; see `patchResource`): it commutes, so it carries no version
 * guard unless the client sent If-Match, and its change (`group.membersChanged`)
 * carries no resource. The store reports a missing group.
 */
export function writeMembership(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  id: string,
  delta: MembershipDelta,
): Promise<{ readonly record: UpdatedRecord; readonly changedAttributes: readonly string[] }> {
  if (familyOf(resourceSchema) !== "group") {
    throw new Error("Only a group's membership is written without reading it.");
  }
  return commitUpdate(context, request, resourceSchema, {
    id,
    expectedVersion: ifMatchVersion(request),
    before: {},
    data: undefined,
    members: delta,
    resource: () => {
      throw new Error("A group's membership change carries no resource.");
    },
    changedAttributes: [],
  });
}

/** Writes an update, then emits its changes; `changedAttributes` gains the members attribute when rows changed. */
async function commitUpdate(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  write: {
    readonly id: string;
    readonly expectedVersion: number | undefined;
    /** The attributes before the write (the written ones are `data`, or unchanged). */
    readonly before: ScimObject;
    readonly data: ScimObject | undefined;
    readonly members: MembershipDelta | undefined;
    /** The resource as it will be stored, for the changes that carry it. */
    readonly resource: (lastModified: string, data: ScimObject | undefined) => ScimObject;
    readonly changedAttributes: string[];
  },
): Promise<{ readonly record: UpdatedRecord; readonly changedAttributes: readonly string[] }> {
  const { id, expectedVersion, before, data, members: delta, changedAttributes } = write;
  const resourceType = resourceSchema.resourceType.id;
  const capture = captureChanges(
    context,
    (written: { readonly lastModified: string; readonly data: ScimObject | undefined }) =>
      updatedChanges(resourceSchema, {
        before,
        after: written.data ?? before,
        dataChanged: data !== undefined,
        membership: delta !== undefined,
        resource: () => write.resource(written.lastModified, written.data),
      }),
  );
  const updated = await context.repository.update(request.tenant, {
    resourceType,
    id,
    ...(expectedVersion === undefined ? {} : { expectedVersion }),
    ...(data === undefined ? {} : { data }),
    // The members are as the client named them: the repository resolves their types.
    ...(delta === undefined ? {} : { members: delta, checkMembers: true }),
    changes: capture.changes,
  });
  emitChanges(
    context.events,
    { tenant: request.tenant, resourceType, id },
    capture.drafts(),
    updated.membership,
  );
  const { membership } = updated;
  const membersAttribute = resourceSchema.resourceType.membersAttribute;
  if (
    membersAttribute !== undefined &&
    membership !== undefined &&
    (membership.added.length > 0 || membership.removed.length > 0)
  ) {
    changedAttributes.push(membersAttribute);
  }
  return { record: updated, changedAttributes };
}
