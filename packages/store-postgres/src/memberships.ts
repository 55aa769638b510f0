import type { GroupRef, MemberRef, RelationNames } from "@scimkit/core/store";
import type { Queryable } from "./client";
import { groupDisplay } from "./compile-filter";
import { memberRef, parseJson, type Tables } from "./rows";

/**
 * The groups a member directly belongs to, as one SQL expression: a json array
 * of `[group type, group id, display text]` (display NULL for a type without a
 * display attribute), or NULL when there are none. `tenant` and `memberId` are
 * SQL expressions (a placeholder, a column), so a record's read can carry its
 * groups instead of a second statement. `schema` is the quoted schema name.
 * `resources.id` is `COLLATE "C"` and `memberships.member_id` is not: compared
 * with the column of a record, the member index is usable only under the
 * member's collation (without it, a seq scan of the memberships per record).
 */
export function memberOfJson(
  schema: string,
  names: RelationNames,
  tenant: string,
  memberId: string,
): string {
  const display = groupDisplay(
    { schema, row: "g", resourceType: "", displayAttributes: names.displayAttributes },
    "g",
  );
  return `(SELECT json_agg(json_build_array(m.group_type, m.group_id, ${display} #>> '{}'))
     FROM ${schema}.memberships m JOIN ${schema}.resources g
       ON g.tenant = m.tenant AND g.resource_type = m.group_type AND g.id = m.group_id
     WHERE m.tenant = ${tenant} AND m.member_id = ${memberId} COLLATE "default")`;
}

/** The groups of a `memberOfJson` value. */
export function groupRefs(value: unknown): GroupRef[] {
  const rows = (parseJson(value) ?? []) as [string, string, string | null][];
  return rows.map(([resourceType, id, display]) =>
    display === null ? { resourceType, id } : { resourceType, id, display },
  );
}

/**
 * The members of each group, in insertion order (groups without members map to
 * []): by the group version that added a member, then its place in that write.
 */
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
     WHERE tenant = $1 AND group_id = ANY ($2::text[])
     ORDER BY added_version, position`,
    [tenant, [...groupIds]],
  );
  for (const row of rows) byGroup.get(row.group_id as string)?.push(memberRef(row));
  return byGroup;
}
