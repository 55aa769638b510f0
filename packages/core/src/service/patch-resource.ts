import { unwrap } from "../errors";
import { applyPatch, type PatchApplied } from "../patch/apply-patch";
import { needsMembers, type Projection } from "../query/project-resource";
import type { ResourceSchema, ScimObject } from "../schema/types";
import type { MembershipDelta, StoredRecord } from "../store/contract";
import {
  parseProjection,
  readForWrite,
  render,
  resourceHeaders,
  retryOnConflict,
} from "./handle-resource";
import { writeUpdate } from "./record-changes";
import type { ServiceContext } from "./service-context";
import type { TracedResponse } from "./trace";
import type { ScimRequest } from "./types";

/**
 * `PATCH /{type}/{id}` (RFC 7644 §3.5.2): read, apply in memory, write with a
 * version guard, and retry on a lost race when the client sent no If-Match.
 * A PATCH that only changes membership is written without a version guard:
 * set operations commute, so concurrent member adds never conflict. A PATCH
 * that changes nothing writes nothing and emits nothing.
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

  const read = (includeMembers: boolean): Promise<StoredRecord> =>
    readForWrite(context, request, resourceSchema, id, { includeMembers });

  const { record, changedAttributes } = await retryOnConflict(request, async () => {
    let record = await read(false);
    let outcome = unwrap(
      applyPatch({
        resourceSchema,
        resource: { ...record.data, id: record.id },
        request: request.body,
        options: patchOptions,
      }),
    );
    if (outcome.kind === "needsMembers") {
      record = await read(true);
      outcome = unwrap(
        applyPatch({
          resourceSchema,
          resource: { ...record.data, id: record.id },
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
  if (answersNoContent(options.patchResponse, projection, resourceSchema)) {
    return { status: 204, headers, trace };
  }
  let shown = record;
  if (needsMembers(resourceSchema, projection)) {
    shown =
      (await repository.get(request.tenant, resourceType, id, { includeMembers: true })) ?? record;
  }
  return {
    status: 200,
    headers,
    body: await render(context, request, resourceSchema, shown, projection),
    trace,
  };
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
  let delta: MembershipDelta | undefined = outcome.members;
  if (delta !== undefined && delta.add.length > 0) {
    delta = { ...delta, add: await context.repository.resolveMembers(request.tenant, delta.add) };
  }
  return writeUpdate(context, request, resourceSchema, record, { data, members: delta });
}
