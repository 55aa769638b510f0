import type { MemberRef } from "@scimkit/core/store";
import type { Queryable } from "./client";
import { memberRef, type Tables } from "./rows";

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
