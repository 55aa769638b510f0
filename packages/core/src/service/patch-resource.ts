import { ScimError, unwrap } from "../errors";
import { applyPatch, type PatchApplied, type PatchOptions } from "../patch/apply-patch";
import { needsMembers, type Projection } from "../query/project-resource";
import type { ResourceSchema, ScimObject } from "../schema/types";
import type { GroupRef, StoredRecord } from "../store/contract";
import { familyOf } from "./change-events";
import {
  parseProjection,
  readForWrite,
  render,
  resourceHeaders,
  retryOnConflict,
  showsGroups,
} from "./handle-resource";
import { writeMembership, writeUpdate } from "./record-changes";
import type { ServiceContext } from "./service-context";
import type { TracedResponse } from "./trace";
import type { ScimRequest } from "./types";

/**
 * `PATCH /{type}/{id}` (RFC 7644 §3.5.2): read, apply in memory, write with a
 * version guard, and retry on a lost race when the client sent no If-Match.
 * A PATCH that only changes membership is written without a version guard:
 * set operations commute, so concurrent member adds never conflict; when it
 * does not depend on the group's attributes (Entra's and Okta's member adds and
 * removes), it is written without reading the group first. A PATCH that changes
 * nothing writes nothing and emits nothing.
 */
export async function patchResource(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  id: string,
): Promise<TracedResponse> {
  const projection = parseProjection(context, request, resourceSchema);
  const resourceType = resourceSchema.resourceType.id;
  const { repository, options } = context;
  const patchOptions = { strict: options.strict, maxOperations: options.limits.maxPatchOperations };

  const noContent = answersNoContent(options.patchResponse, projection, resourceSchema);
  // The answer's groups come with the read: a resource's own PATCH never changes them.
  const includeMemberOf = !noContent && showsGroups(resourceSchema, projection);
  let groups: readonly GroupRef[] | undefined;
  const read = async (includeMembers: boolean): Promise<StoredRecord> => {
    const record = await readForWrite(context, request, resourceSchema, id, {
      includeMembers,
      includeMemberOf,
    });
    groups = record.memberOf;
    return record;
  };

  const { record, changedAttributes } = await retryOnConflict(request, async () => {
    const unread = await writeUnreadMembership(context, request, resourceSchema, id, patchOptions);
    if (unread !== undefined) return unread;
    let record = await read(false);
    let outcome = unwrap(
      applyPatch({
        resourceSchema,
        resource: Object.assign({}, record.data, { id: record.id }),
        request: request.body,
        options: patchOptions,
      }),
    );
    if (outcome.kind === "needsMembers") {
      record = await read(true);
      outcome = unwrap(
        applyPatch({
          resourceSchema,
          resource: Object.assign({}, record.data, { id: record.id }),
          request: request.body,
          members: record.members ?? [],
          options: patchOptions,
        }),
      );
      if (outcome.kind === "needsMembers") {
        throw new Error("applyPatch asked for members although they were given.");
      }
    }
    if (!outcome.changed) return { record, changedAttributes: [] as readonly string[] };
    return write(context, request, resourceSchema, record, outcome);
  });

  const headers = resourceHeaders(request, resourceSchema, record);
  const trace = { changedAttributes };
  if (noContent) return { status: 204, headers, trace };
  let shown = record;
  if (needsMembers(resourceSchema, projection)) {
    shown =
      (await repository.get(request.tenant, resourceType, id, { includeMembers: true })) ?? record;
  }
  return {
    status: 200,
    headers,
    body: await render(context, request, resourceSchema, shown, projection, groups),
    trace,
  };
}

/**
 * The PATCH as a membership delta written without a read, when its outcome does
 * not depend on the group's attributes; `undefined` when it needs the normal path.
 * Any trouble (a bad operation, a member that does not exist) goes the normal
 * path too, so errors and their order (404 for a missing group first) stay the same.
 */
async function writeUnreadMembership(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  id: string,
  patchOptions: PatchOptions,
): Promise<
  { readonly record: StoredRecord; readonly changedAttributes: readonly string[] } | undefined
> {
  if (familyOf(resourceSchema) !== "group" || request.headers["if-match"] !== undefined) {
    return undefined;
  }
  const outcome = applyPatch({
    resourceSchema,
    resource: { id },
    request: request.body,
    options: patchOptions,
  });
  if (!outcome.ok || outcome.value.kind !== "applied" || outcome.value.readResource)
    return undefined;
  const delta = outcome.value.members;
  if (delta === undefined) return undefined;
  try {
    return await writeMembership(context, request, resourceSchema, id, delta);
  } catch (error) {
    if (error instanceof ScimError && (error.status === 404 || error.status === 400))
      return undefined;
    throw error;
  }
}

/** Whether this PATCH answers 204 rather than 200 with the resource (see `patchResponse`). */
function answersNoContent(
  patchResponse: "auto" | "resource" | "noContent",
  projection: Projection,
  resourceSchema: ResourceSchema,
): boolean {
  if (patchResponse !== "auto") return patchResponse === "noContent";
  const asksForBody =
    projection.attributes !== undefined || projection.excludedAttributes !== undefined;
  return resourceSchema.resourceType.membersAttribute !== undefined && !asksForBody;
}

async function write(
  context: ServiceContext,
  request: ScimRequest,
  resourceSchema: ResourceSchema,
  record: StoredRecord,
  outcome: PatchApplied,
): Promise<{ readonly record: StoredRecord; readonly changedAttributes: readonly string[] }> {
  const { id: _id, meta: _meta, ...data } = outcome.resource as ScimObject;
  return writeUpdate(context, request, resourceSchema, record, { data, members: outcome.members });
}
