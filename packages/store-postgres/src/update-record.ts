import {
  type AppliedMembership,
  notFound,
  ScimError,
  type ScimObject,
  type UpdatedRecord,
  type UpdateInput,
  versionConflictError,
} from "@scimkit/core/store";
import { encodeDrafts, hasChanges, recordChangesCte } from "./change-feed";
import type { Queryable } from "./client";
import { clientError, json, liveMember, parseJson, type Tables } from "./rows";
import { SqlParameters } from "./sql-parameters";
import { untilFresh } from "./stale-snapshots";

/**
 * Applies an update (attributes, a version guard, a membership delta, changes,
 * in any combination) as ONE statement, its own transaction.
 *
 * The record row is locked first (`target`), so writers of one record serialise.
 * A statement that had to wait for that lock still reads everything else with
 * the snapshot it started with, which misses what the writer it waited for
 * committed. That matters for the parts that delete what they find (unique keys,
 * a replace of all members, removed members): they run only when the record's
 * version in the snapshot is still the version locked (`seen` = `target`), and
 * otherwise the statement changes nothing and runs again with a new snapshot.
 * A remove whose members the snapshot all holds needs no fresh snapshot (what it
 * finds, it deletes, or a concurrent remove already did), nor do inserts (ON
 * CONFLICT looks at the latest rows), so Entra's one-member add or remove never
 * waits for a second round.
 */
export async function updateRecord(
  db: Queryable,
  tables: Tables,
  tenant: string,
  input: UpdateInput,
): Promise<UpdatedRecord> {
  const statement = compileUpdate(tables, tenant, input);
  const row = await untilApplied(
    input.id,
    async (membersVanished) => {
      const { text, values } = membersVanished
        ? compileUpdate(tables, tenant, input, { liveMembersOnly: true })
        : statement;
      try {
        const found = (await db.query(text, values)).rows[0];
        if (found?.conflict === true) throw versionConflictError(input.id);
        return found;
      } catch (error) {
        throw error instanceof ScimError ? error : clientError(error, input.uniqueKeys ?? []);
      }
    },
    input.checkMembers === true,
  );
  const bumped = row.version !== null;
  const membership: AppliedMembership | undefined =
    input.members === undefined
      ? undefined
      : {
          added: parseJson(row.added) as string[],
          removed: parseJson(row.removed) as string[],
        };
  return {
    resourceType: input.resourceType,
    id: input.id,
    version: Number(bumped ? row.version : row.current_version),
    created: row.created as string,
    lastModified: bumped ? input.lastModified : (row.last_modified as string),
    data:
      input.data === undefined ? (parseJson(row.data) as ScimObject) : structuredClone(input.data),
    ...(membership === undefined ? {} : { membership }),
  };
}

/**
 * Runs an update statement (`run`) until it ran on a fresh snapshot (see
 * `untilFresh`) and returns its row; 404 when the record is missing.
 */
export async function untilApplied(
  id: string,
  run: (membersVanished: boolean) => Promise<Record<string, unknown> | undefined>,
  uncheckedMembers: boolean,
): Promise<Record<string, unknown>> {
  const row = await untilFresh(
    id,
    run,
    (found) => found === undefined || found.current_version === null,
    uncheckedMembers,
  );
  if (row === undefined) throw notFound(`Resource ${id} not found.`);
  return row;
}

/** How a statement that adds members treats them. */
export interface AddOptions {
  /**
   * Add only members the snapshot holds as records (`liveMember`), for the run
   * after one failed because a member was gone. @default false
   */
  readonly liveMembersOnly?: boolean;
}

/** The statement for one update, with `$n` placeholders and its values. */
export function compileUpdate(
  tables: Tables,
  tenant: string,
  input: UpdateInput,
  options: AddOptions = {},
): { text: string; values: unknown[] } {
  const { resources, uniqueKeys, memberships } = tables;
  const parameters = new SqlParameters();
  const t = parameters.add(tenant);
  const type = parameters.add(input.resourceType);
  const id = parameters.add(input.id);
  const lastModified = parameters.add(input.lastModified);
  const record = `tenant = ${t} AND resource_type = ${type} AND id = ${id}`;
  const delta = input.members;
  const addsMembers = delta !== undefined && delta.add.length > 0;
  const removesMembers = delta !== undefined && delta.remove.length > 0;
  const replacesMembers = delta?.replaceAll === true;

  const ctes = [
    `target AS (SELECT version, created, last_modified, data FROM ${resources} WHERE ${record} FOR UPDATE)`,
  ];
  const conditions: string[] = [];
  if (input.expectedVersion !== undefined) {
    conditions.push(`target.version = ${parameters.add(input.expectedVersion)}::bigint`);
  }
  const fresh = "target.version = (SELECT version FROM seen)";
  // The removed ids as a condition the planner can only serve from the primary key
  // (tenant, group_id, member_id): one id is an equality, several a text[] the
  // planner sees the length of. (An array it cannot size, such as ARRAY(SELECT
  // ...), lets it scan all the group's rows instead when statistics are missing.)
  const removeIds = removesMembers ? [...new Set(delta.remove)] : [];
  const removing =
    removeIds.length === 0
      ? undefined
      : removeIds.length === 1
        ? `member_id = ${parameters.add(removeIds[0])}::text`
        : `member_id = ANY (${parameters.add(removeIds)}::text[])`;
  if (input.data !== undefined || replacesMembers) {
    conditions.push(fresh);
  } else if (removing !== undefined) {
    conditions.push(`(${fresh} OR (SELECT count(*) FROM ${memberships}
        WHERE tenant = ${t} AND group_id = ${id} AND ${removing})
      = ${parameters.add(removeIds.length)}::bigint)`);
  }
  // The snapshot's own view of the record, read only when a condition compares it.
  if (conditions.some((condition) => condition.includes("FROM seen"))) {
    ctes.push(`seen AS (SELECT version FROM ${resources} WHERE ${record})`);
  }
  ctes.push(
    `go AS (SELECT version FROM target${conditions.length === 0 ? "" : ` WHERE ${conditions.join(" AND ")}`})`,
  );
  const whenGo = "EXISTS (SELECT 1 FROM go)";

  if (input.data !== undefined) {
    const keys = parameters.add(json(input.uniqueKeys ?? []));
    const newKeys = `jsonb_to_recordset(${keys}::jsonb) AS key(attribute text, value text)`;
    // Keys the record keeps are left alone, so no statement deletes and re-inserts one key.
    ctes.push(`keys_dropped AS (
       DELETE FROM ${uniqueKeys} k WHERE k.tenant = ${t} AND k.resource_type = ${type} AND k.id = ${id}
         AND ${whenGo}
         AND NOT EXISTS (SELECT 1 FROM ${newKeys} WHERE key.attribute = k.attribute AND key.value = k.value)
     )`);
    ctes.push(`keys_added AS (
       INSERT INTO ${uniqueKeys} (tenant, resource_type, attribute, value, id)
       SELECT ${t}, ${type}, key.attribute, key.value, ${id} FROM ${newKeys}
       WHERE ${whenGo} AND NOT EXISTS (SELECT 1 FROM ${uniqueKeys} k
         WHERE k.tenant = ${t} AND k.resource_type = ${type} AND k.attribute = key.attribute
           AND k.value = key.value AND k.id = ${id})
     )`);
  }

  const changedRows: string[] = [];
  if (delta !== undefined) {
    if (replacesMembers) {
      const kept = parameters.add(delta.add.map((member) => member.value));
      ctes.push(`cleared AS (
         DELETE FROM ${memberships}
         WHERE tenant = ${t} AND group_id = ${id} AND ${whenGo}
           AND NOT (member_id = ANY (${kept}::text[]))
         RETURNING member_id
       )`);
      changedRows.push("cleared");
    }
    if (addsMembers) {
      // A new member's place: the version this write gives the group, then its order here.
      ctes.push(`added AS (
         INSERT INTO ${memberships} (tenant, group_type, group_id, member_id, member_type, display, added_version, position)
         SELECT ${t}, ${type}, ${id}, member.item ->> 'value', member.item ->> 'type',
           member.item ->> 'display', go.version + 1, member.ordinal
         FROM go, jsonb_array_elements(${parameters.add(json(delta.add))}::jsonb)
           WITH ORDINALITY AS member(item, ordinal)
         ${options.liveMembersOnly === true ? `WHERE ${liveMember(resources, t, "member.item ->> 'type'", "member.item ->> 'value'")}` : ""}
         ORDER BY member.ordinal
         ON CONFLICT (tenant, group_id, member_id) DO NOTHING
         RETURNING member_id
       )`);
      changedRows.push("added");
    }
    if (removing !== undefined) {
      ctes.push(`removed AS (
         DELETE FROM ${memberships}
         WHERE tenant = ${t} AND group_id = ${id} AND ${whenGo} AND ${removing}
         RETURNING member_id
       )`);
      changedRows.push("removed");
    }
  }
  const anyRowChanged =
    changedRows.length === 0
      ? "false"
      : changedRows.map((name) => `EXISTS (SELECT 1 FROM ${name})`).join(" OR ");
  const addedJson = addsMembers
    ? `COALESCE((SELECT jsonb_agg(member_id) FROM added), '[]'::jsonb)`
    : `'[]'::jsonb`;
  const gone = [replacesMembers ? "cleared" : undefined, removing ? "removed" : undefined].filter(
    (name): name is string => name !== undefined,
  );
  const removedJson =
    gone.length === 0
      ? `'[]'::jsonb`
      : `COALESCE((SELECT jsonb_agg(member_id) FROM (${gone
          .map((name) => `SELECT member_id FROM ${name}`)
          .join(" UNION ALL ")}) gone), '[]'::jsonb)`;

  // The version moves only when attributes were written or a membership row changed.
  const data = input.data === undefined ? undefined : parameters.add(json(input.data));
  ctes.push(`bumped AS (
     UPDATE ${resources} SET version = version + 1, last_modified = ${lastModified}${
       data === undefined ? "" : `, data = ${data}::jsonb`
     }
     WHERE ${record} AND ${whenGo}${data === undefined ? ` AND (${anyRowChanged})` : ""}
     RETURNING version
   )`);
  // The member ids the delta really changed, computed once for the change and the answer.
  if (delta !== undefined) {
    ctes.push(`applied AS (SELECT ${addedJson} AS added, ${removedJson} AS removed)`);
  }
  if (hasChanges(input.changes)) {
    ctes.push(
      recordChangesCte(tables, parameters, {
        tenant: t,
        time: `${lastModified}::timestamptz`,
        drafts: encodeDrafts(input.changes, input.resourceType, input.id),
        happened: "EXISTS (SELECT 1 FROM bumped)",
        ...(delta === undefined ? {} : { membership: "applied" }),
      }),
    );
  }
  const guard =
    input.expectedVersion === undefined
      ? "false"
      : `target.version <> ${parameters.add(input.expectedVersion)}::bigint`;
  // One row from the single-row CTEs (none when the record is missing).
  const text = `WITH ${ctes.join(",\n     ")}
     SELECT target.version AS current_version, ${guard} AS conflict, ${whenGo} AS applied,
       bumped.version AS version, target.created, target.last_modified,
       ${input.data === undefined ? "target.data" : "NULL::jsonb"} AS data,
       ${delta === undefined ? "NULL::jsonb AS added, NULL::jsonb AS removed" : "applied.added, applied.removed"}
     FROM target LEFT JOIN bumped ON true${delta === undefined ? "" : " CROSS JOIN applied"}`;
  return { text, values: parameters.values };
}
