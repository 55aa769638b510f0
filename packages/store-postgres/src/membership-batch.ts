import {
  ScimError,
  type ScimObject,
  type UpdatedRecord,
  type UpdateInput,
} from "@scimkit/core/store";
import { draftItems } from "./change-feed";
import type { Queryable } from "./client";
import { type Waiting as Queued, queueBehind } from "./queue-behind";
import { json, liveMember, parseJson, type Tables } from "./rows";
import { SqlParameters } from "./sql-parameters";
import { type AddOptions, untilApplied } from "./update-record";

/**
 * Concurrent membership changes of one group, batched.
 *
 * An IdP sends many one-member PATCHes to one group at once (Entra's initial
 * sync: one `Add members` per member, several in flight). Each is one statement,
 * but they serialise on the group's row lock, which each holds through its commit
 * (the WAL flush), so one group takes one flush per member. Here, while a
 * membership-only update of a group is running, the next ones for that group
 * wait in the process (they would wait on the row lock anyway) and then run as
 * ONE statement and one commit.
 *
 * A batch is the same as running its updates one after another in arrival
 * order, all inside one transaction: every update in it touches member ids no
 * other in it touches (an update that shares one with any update that arrived
 * before it, batched or still waiting, waits for the next batch, so the updates
 * of one member id keep their arrival order), so their deltas
 * commute; each gets the version the group has after it (a version per update
 * that changed rows, as alone), its own `added`/`removed`, and its own changes in
 * the feed with its own time. Only updates without attributes,
 * version guard or `replaceAll` are batched; the rest run as they come.
 */

/** Most updates in one batch, and most member ids across them. */
const MAX_BATCH_UPDATES = 64;
const MAX_BATCH_MEMBERS = 1000;

/** An update of `tenant`, as the batches queue it. */
interface TenantUpdate {
  readonly tenant: string;
  readonly input: UpdateInput;
}

type Waiting = Queued<TenantUpdate, UpdatedRecord>;

/** Whether `input` may share a statement with other updates of its record. */
function batchable(input: UpdateInput): boolean {
  const delta = input.members;
  return (
    delta !== undefined &&
    delta.replaceAll !== true &&
    input.data === undefined &&
    input.expectedVersion === undefined
  );
}

/**
 * `update` with batching: `single` runs one update (its own statement); batches
 * of waiting updates of one record run through `updateMembershipBatch`.
 */
export function membershipBatches(
  db: Queryable,
  tables: Tables,
  single: (tenant: string, input: UpdateInput) => Promise<UpdatedRecord>,
): (tenant: string, input: UpdateInput) => Promise<UpdatedRecord> {
  const alone = ({ tenant, input }: TenantUpdate) => single(tenant, input);
  const update = queueBehind<TenantUpdate, UpdatedRecord>(
    ({ tenant, input }) =>
      batchable(input) ? `${tenant}\u0000${input.resourceType}\u0000${input.id}` : undefined,
    alone,
    async (queue) => {
      const batch = takeBatch(queue);
      if (batch.length === 1) {
        const [only] = batch as [Waiting];
        await alone(only.input).then(only.resolve, only.reject);
        return;
      }
      const tenant = (batch[0] as Waiting).input.tenant;
      try {
        const records = await updateMembershipBatch(
          db,
          tables,
          tenant,
          batch.map((waiting) => waiting.input.input),
        );
        for (const [index, waiting] of batch.entries()) {
          waiting.resolve(records[index] as UpdatedRecord);
        }
      } catch (error) {
        if (error instanceof ScimError && error.status === 404) {
          for (const waiting of batch) waiting.reject(error);
          return;
        }
        // Whatever failed, each update gets the answer it would get alone.
        for (const waiting of batch)
          await alone(waiting.input).then(waiting.resolve, waiting.reject);
      }
    },
  );
  return (tenant, input) => update({ tenant, input });
}

/**
 * Takes the next batch off `queue`: the first waiting update, then every later
 * one whose member ids no update before it in the queue touches, whether taken or
 * left waiting (up to the limits). The others stay, in order, for the next batch.
 */
function takeBatch(queue: Waiting[]): Waiting[] {
  const batch: Waiting[] = [];
  /** Member ids of the updates looked at so far: a later update of one must not overtake them. */
  const claimed = new Set<string>();
  let members = 0;
  for (let index = 0; index < queue.length && batch.length < MAX_BATCH_UPDATES; ) {
    const waiting = queue[index] as Waiting;
    const ids = memberIds(waiting.input);
    const fits =
      batch.length === 0 ||
      (members + ids.length <= MAX_BATCH_MEMBERS && ids.every((id) => !claimed.has(id)));
    for (const id of ids) claimed.add(id);
    if (!fits) {
      index += 1;
      continue;
    }
    members += ids.length;
    batch.push(waiting);
    queue.splice(index, 1);
  }
  return batch;
}

const memberIds = ({ input }: TenantUpdate): string[] => {
  const delta = input.members;
  if (delta === undefined) return [];
  return [...delta.add.map((member) => member.value), ...delta.remove];
};

/** Runs several membership-only updates of one record as one statement (see above). */
export async function updateMembershipBatch(
  db: Queryable,
  tables: Tables,
  tenant: string,
  inputs: readonly UpdateInput[],
): Promise<UpdatedRecord[]> {
  const first = inputs[0] as UpdateInput;
  const statement = compileMembershipBatch(tables, tenant, inputs);
  // An update whose members core did not check must not lose one silently: the
  // batch fails, and each update runs alone, answering for its own members.
  const unchecked = inputs.some((input) => input.checkMembers === true);
  const row = await untilApplied(
    first.id,
    async (membersVanished) => {
      const { text, values } = membersVanished
        ? compileMembershipBatch(tables, tenant, inputs, { liveMembersOnly: true })
        : statement;
      return (await db.query(text, values)).rows[0];
    },
    unchecked,
  );
  const applied = parseJson(row.requests) as { added: string[]; removed: string[] }[];
  const data = parseJson(row.data) as ScimObject;
  let version = Number(row.current_version);
  let lastModified = row.last_modified as string;
  return inputs.map((input, index) => {
    const membership = applied[index] ?? { added: [], removed: [] };
    if (membership.added.length > 0 || membership.removed.length > 0) {
      version += 1;
      lastModified = input.lastModified;
    }
    return {
      resourceType: input.resourceType,
      id: input.id,
      version,
      created: row.created as string,
      lastModified,
      data: index === 0 ? data : structuredClone(data),
      membership,
    };
  });
}

/** The statement for a batch, with `$n` placeholders and its values. */
export function compileMembershipBatch(
  tables: Tables,
  tenant: string,
  inputs: readonly UpdateInput[],
  options: AddOptions = {},
): { text: string; values: unknown[] } {
  const { resources, memberships, pendingChanges } = tables;
  const first = inputs[0] as UpdateInput;
  const parameters = new SqlParameters();
  const t = parameters.add(tenant);
  const type = parameters.add(first.resourceType);
  const id = parameters.add(first.id);
  const record = `tenant = ${t} AND resource_type = ${type} AND id = ${id}`;

  // Every member id of the batch, with the update (1-based, arrival order) it belongs to.
  const items: {
    request: number;
    op: "add" | "remove";
    value: string;
    type?: string;
    display?: string;
  }[] = [];
  const removeIds: string[] = [];
  inputs.forEach((input, index) => {
    for (const member of input.members?.add ?? []) {
      items.push({
        request: index + 1,
        op: "add",
        value: member.value,
        type: member.type,
        ...(member.display === undefined ? {} : { display: member.display }),
      });
    }
    for (const value of new Set(input.members?.remove ?? [])) {
      items.push({ request: index + 1, op: "remove", value });
      removeIds.push(value);
    }
  });
  const requests = inputs.map((input) => ({ lastModified: input.lastModified }));

  const ctes = [
    `target AS (SELECT version, created, last_modified, data FROM ${resources} WHERE ${record} FOR UPDATE)`,
  ];
  const removing = `member_id = ANY (${parameters.add(removeIds)}::text[])`;
  let go = "SELECT version FROM target";
  if (removeIds.length > 0) {
    // As for one update: removes need the locked version in the snapshot, unless
    // the snapshot holds every member they remove.
    ctes.push(`seen AS (SELECT version FROM ${resources} WHERE ${record})`);
    go += ` WHERE (target.version = (SELECT version FROM seen) OR (SELECT count(*) FROM ${memberships}
        WHERE tenant = ${t} AND group_id = ${id} AND ${removing}) = ${parameters.add(removeIds.length)}::bigint)`;
  }
  ctes.push(`go AS (${go})`);
  ctes.push(`batch AS (
       SELECT (item ->> 'request')::int AS request, item ->> 'op' AS op, item ->> 'value' AS member_id,
         item ->> 'type' AS member_type, item ->> 'display' AS display, ordinal
       FROM jsonb_array_elements(${parameters.add(json(items))}::jsonb) WITH ORDINALITY AS member(item, ordinal)
     )`);
  // Each new member's place: the first version this batch gives the group, then its order here.
  ctes.push(`added AS (
       INSERT INTO ${memberships} (tenant, group_type, group_id, member_id, member_type, display, added_version, position)
       SELECT ${t}, ${type}, ${id}, batch.member_id, batch.member_type, batch.display, go.version + 1, batch.ordinal
       FROM go, batch
       WHERE batch.op = 'add'${options.liveMembersOnly === true ? ` AND ${liveMember(resources, t, "batch.member_type", "batch.member_id")}` : ""}
       ORDER BY batch.ordinal
       ON CONFLICT (tenant, group_id, member_id) DO NOTHING
       RETURNING member_id
     )`);
  ctes.push(`removed AS (
       DELETE FROM ${memberships}
       WHERE tenant = ${t} AND group_id = ${id} AND EXISTS (SELECT 1 FROM go) AND ${removing}
       RETURNING member_id
     )`);
  // Per update, what it changed (member ids are the batch's own: each belongs to one update).
  ctes.push(`changed AS (
       SELECT batch.request, batch.op, batch.member_id, batch.ordinal FROM batch
       WHERE (batch.op = 'add' AND batch.member_id IN (SELECT member_id FROM added))
          OR (batch.op = 'remove' AND batch.member_id IN (SELECT member_id FROM removed))
     )`);
  ctes.push(`requests AS (
       SELECT request.ordinal AS request, (request.item ->> 'lastModified') AS last_modified,
         COALESCE((SELECT jsonb_agg(member_id ORDER BY ordinal) FROM changed
           WHERE changed.request = request.ordinal AND op = 'add'), '[]'::jsonb) AS added,
         COALESCE((SELECT jsonb_agg(member_id ORDER BY ordinal) FROM changed
           WHERE changed.request = request.ordinal AND op = 'remove'), '[]'::jsonb) AS removed,
         EXISTS (SELECT 1 FROM changed WHERE changed.request = request.ordinal) AS changed
       FROM jsonb_array_elements(${parameters.add(json(requests))}::jsonb) WITH ORDINALITY AS request(item, ordinal)
     )`);
  // One version per update that changed rows; the time of the last of them.
  ctes.push(`bumped AS (
       UPDATE ${resources} SET
         version = version + (SELECT count(*) FROM requests WHERE changed),
         last_modified = (SELECT last_modified FROM requests WHERE changed ORDER BY request DESC LIMIT 1)
       WHERE ${record} AND EXISTS (SELECT 1 FROM go) AND EXISTS (SELECT 1 FROM changed)
       RETURNING version
     )`);
  const drafts = inputs.flatMap((input, index) =>
    draftItems(input.changes ?? [], input.resourceType, input.id).map((draft) =>
      Object.assign({}, draft, { request: index + 1 }),
    ),
  );
  if (drafts.length > 0) {
    // Each update's changes as it records them alone: only when it changed rows, with
    // its own time and member ids.
    ctes.push(`recorded AS (
       INSERT INTO ${pendingChanges} (tenant, lsn, xid, ordinal, type, resource_type, id, time, data)
       SELECT ${t}, pg_current_wal_insert_lsn(), pg_current_xact_id(), draft.ordinal,
         draft.item ->> 'type', draft.item ->> 'resourceType', draft.item ->> 'id',
         requests.last_modified::timestamptz,
         CASE WHEN (draft.item ? 'membership')
           THEN (draft.item -> 'data') || jsonb_build_object('added', requests.added, 'removed', requests.removed)
           ELSE draft.item -> 'data' END
       FROM jsonb_array_elements(${parameters.add(json(drafts))}::jsonb) WITH ORDINALITY AS draft(item, ordinal)
         JOIN requests ON requests.request = (draft.item ->> 'request')::int
       WHERE requests.changed
     )`);
  }
  const text = `WITH ${ctes.join(",\n     ")}
     SELECT target.version AS current_version, EXISTS (SELECT 1 FROM go) AS applied,
       target.created, target.last_modified, target.data,
       (SELECT jsonb_agg(jsonb_build_object('added', added, 'removed', removed) ORDER BY request)
        FROM requests) AS requests
     FROM target`;
  return { text, values: parameters.values };
}
