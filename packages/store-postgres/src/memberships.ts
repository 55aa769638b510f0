import {
  type AppliedMembership,
  type MemberRef,
  type MembershipDelta,
  notFound,
  type UpdatedRecord,
} from "@scimkit/core/store";
import type { Queryable } from "./client";
import {
  json,
  memberRef,
  parseJson,
  RECORD_COLUMNS,
  type ResourceRow,
  type Tables,
  toRecord,
} from "./rows";

/** The members of each group, in insertion order (groups without members map to []). */
export async function readMembers(
  queryable: Queryable,
  tables: Tables,
  tenant: string,
  groupIds: readonly string[],
): Promise<Map<string, MemberRef[]>> {
  const byGroup = new Map<string, MemberRef[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return byGroup;
  const { rows } = await queryable.query(
    `SELECT group_id, member_id, member_type, display FROM ${tables.memberships}
     WHERE tenant = $1 AND group_id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))
     ORDER BY position`,
    [tenant, json(groupIds)],
  );
  for (const row of rows) byGroup.get(row.group_id as string)?.push(memberRef(row));
  return byGroup;
}

/** Inserts members of a group (existing ones are left alone); returns the ids inserted. */
export async function insertMembers(
  transaction: Queryable,
  tables: Tables,
  tenant: string,
  groupType: string,
  groupId: string,
  members: readonly MemberRef[],
): Promise<string[]> {
  if (members.length === 0) return [];
  const { rows } = await transaction.query(
    `INSERT INTO ${tables.memberships} (tenant, group_type, group_id, member_id, member_type, display)
     SELECT $1, $2, $3, member.item ->> 'value', member.item ->> 'type', member.item ->> 'display'
     FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS member(item, ordinal)
     ORDER BY member.ordinal
     ON CONFLICT (tenant, group_id, member_id) DO NOTHING
     RETURNING member_id`,
    [tenant, groupType, groupId, json(members)],
  );
  return rows.map((row) => row.member_id as string);
}

/**
 * A membership-only update (no attributes, no version guard) as ONE statement,
 * its own transaction: one round trip for the write Entra sends once per member.
 * The group row is locked first (`target`), so concurrent deltas on one group
 * serialise; inserts check the live index (`ON CONFLICT`), so none is lost. The
 * version is bumped only when a row really changed.
 */
export async function updateMembershipOnly(
  queryable: Queryable,
  tables: Tables,
  tenant: string,
  input: {
    readonly resourceType: string;
    readonly id: string;
    readonly lastModified: string;
    readonly members: MembershipDelta;
  },
): Promise<UpdatedRecord> {
  const { resourceType, id, members: delta } = input;
  const { resources, memberships } = tables;
  const addIds = json(delta.add.map((member) => member.value));
  const { rows } = await queryable.query(
    `WITH target AS (
       SELECT ${RECORD_COLUMNS} FROM ${resources}
       WHERE tenant = $1 AND resource_type = $2 AND id = $3 FOR UPDATE
     ), cleared AS (
       DELETE FROM ${memberships}
       WHERE $4::boolean AND tenant = $1 AND group_id = $3 AND EXISTS (SELECT 1 FROM target)
         AND NOT (member_id = ANY (ARRAY(SELECT jsonb_array_elements_text($5::jsonb))))
       RETURNING member_id
     ), added AS (
       INSERT INTO ${memberships} (tenant, group_type, group_id, member_id, member_type, display)
       SELECT $1, $2, $3, member.item ->> 'value', member.item ->> 'type', member.item ->> 'display'
       FROM jsonb_array_elements($6::jsonb) WITH ORDINALITY AS member(item, ordinal)
       WHERE EXISTS (SELECT 1 FROM target)
       ORDER BY member.ordinal
       ON CONFLICT (tenant, group_id, member_id) DO NOTHING
       RETURNING member_id
     ), removed AS (
       DELETE FROM ${memberships}
       WHERE tenant = $1 AND group_id = $3 AND EXISTS (SELECT 1 FROM target)
         AND member_id = ANY (ARRAY(SELECT jsonb_array_elements_text($7::jsonb)))
       RETURNING member_id
     ), bumped AS (
       UPDATE ${resources} SET version = version + 1, last_modified = $8
       WHERE tenant = $1 AND resource_type = $2 AND id = $3
         AND (EXISTS (SELECT 1 FROM cleared) OR EXISTS (SELECT 1 FROM added)
           OR EXISTS (SELECT 1 FROM removed))
       RETURNING ${RECORD_COLUMNS}
     )
     SELECT row_to_json(record) AS record,
       COALESCE((SELECT jsonb_agg(member_id) FROM added), '[]'::jsonb) AS added,
       COALESCE((SELECT jsonb_agg(member_id) FROM (
         SELECT member_id FROM cleared UNION ALL SELECT member_id FROM removed) gone), '[]'::jsonb)
         AS removed
     FROM (SELECT * FROM bumped UNION ALL
       SELECT * FROM target WHERE NOT EXISTS (SELECT 1 FROM bumped)) record`,
    [
      tenant,
      resourceType,
      id,
      delta.replaceAll === true,
      addIds,
      json(delta.add),
      json(delta.remove),
      input.lastModified,
    ],
  );
  const row = rows[0];
  if (row === undefined) throw notFound(`Resource ${id} not found.`);
  const membership: AppliedMembership = {
    added: parseJson(row.added) as string[],
    removed: parseJson(row.removed) as string[],
  };
  return { ...toRecord(resourceType, parseJson(row.record) as ResourceRow), membership };
}
