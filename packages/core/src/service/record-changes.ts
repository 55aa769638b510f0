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
 * Records and emits the changes; returns the record unchanged for a no-op.
 */
export async function writeUpdate(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  record: StoredRecord,
  change: { readonly data: ScimObject; readonly members: MembershipDelta | undefined },
): Promise<{ readonly record: UpdatedRecord; readonly changedAttributes: readonly string[] }> {
  const { data, members: delta } = change;
  const dataChanged = !jsonEqual(record.data, data);
  if (!dataChanged && delta === undefined) return { record, changedAttributes: [] };
  const commutes = !dataChanged && familyOf(resourceSchema) === "group";
  const expectedVersion = ifMatchVersion(request) ?? (commutes ? undefined : record.version);
  const resourceType = resourceSchema.resourceType.id;
  const capture = captureChanges(
    context,
    (write: { readonly lastModified: string; readonly data: ScimObject | undefined }) =>
      updatedChanges(resourceSchema, {
        before: record.data,
        after: write.data ?? record.data,
        dataChanged,
        membership: delta !== undefined,
        resource: context.repository.toResource(
          {
            ...record,
            version: record.version + 1,
            lastModified: write.lastModified,
            data: write.data ?? record.data,
          },
          { baseUrl: request.baseUrl },
        ),
      }),
  );
  const updated = await context.repository.update(request.tenant, {
    resourceType,
    id: record.id,
    ...(expectedVersion === undefined ? {} : { expectedVersion }),
    ...(dataChanged ? { data } : {}),
    ...(delta === undefined ? {} : { members: delta }),
    changes: capture.changes,
  });
  emitChanges(
    context.events,
    { tenant: request.tenant, resourceType, id: record.id },
    capture.drafts(),
    updated.membership,
  );
  const changedAttributes = dataChanged ? changedAttributeNames(record.data, data) : [];
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
