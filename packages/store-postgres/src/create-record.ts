import type { CreateInput, StoredRecord } from "@scimkit/core/store";
import { encodeDrafts, hasChanges, recordChangesCte } from "./change-feed";
import type { Queryable } from "./client";
import { clientError, isVanishedMember, json, liveMember, type Tables } from "./rows";
import { SqlParameters } from "./sql-parameters";
import type { AddOptions } from "./update-record";

/**
 * Creates a record with its unique keys, its members and its changes in ONE
 * statement, which is its own transaction: all of it commits or none, in one
 * round trip (an IdP's initial sync is mostly creates). A taken key fails the
 * statement with 23505, reported as 409 `uniqueness`. A member that is no longer
 * a record fails it on the membership's foreign key; it then runs again adding
 * only members its snapshot holds (`liveMember`).
 */
export async function createRecord(
  db: Queryable,
  tables: Tables,
  tenant: string,
  input: CreateInput,
): Promise<StoredRecord> {
  let statement = compileCreate(tables, tenant, input);
  for (let attempt = 1; ; attempt += 1) {
    try {
      await db.query(statement.text, statement.values);
      break;
    } catch (error) {
      // Each run after the first sees the deletes that failed the one before.
      if (isVanishedMember(error) && attempt <= (input.members?.length ?? 0)) {
        statement = compileCreate(tables, tenant, input, { liveMembersOnly: true });
        continue;
      }
      throw clientError(error, input.uniqueKeys);
    }
  }
  return {
    resourceType: input.resourceType,
    id: input.id,
    version: 1,
    created: input.created,
    lastModified: input.created,
    data: structuredClone(input.data),
  };
}

/** The statement for one create, with `$n` placeholders and its values. */
function compileCreate(
  tables: Tables,
  tenant: string,
  input: CreateInput,
  options: AddOptions = {},
): { text: string; values: unknown[] } {
  const parameters = new SqlParameters();
  const t = parameters.add(tenant);
  const type = parameters.add(input.resourceType);
  const id = parameters.add(input.id);
  const created = parameters.add(input.created);
  const ctes = [
    `inserted AS (
       INSERT INTO ${tables.resources} (tenant, resource_type, id, version, created, last_modified, data)
       VALUES (${t}, ${type}, ${id}, 1, ${created}, ${created}, ${parameters.add(json(input.data))}::jsonb)
       RETURNING id
     )`,
  ];
  if (input.uniqueKeys.length > 0) {
    ctes.push(`keys AS (
       INSERT INTO ${tables.uniqueKeys} (tenant, resource_type, attribute, value, id)
       SELECT ${t}, ${type}, key.attribute, key.value, inserted.id
       FROM inserted, jsonb_to_recordset(${parameters.add(json(input.uniqueKeys))}::jsonb)
         AS key(attribute text, value text)
     )`);
  }
  if (input.members !== undefined && input.members.length > 0) {
    // Members keep the order they were given in: (version 1, their place).
    ctes.push(`members AS (
       INSERT INTO ${tables.memberships} (tenant, group_type, group_id, member_id, member_type, display, added_version, position)
       SELECT ${t}, ${type}, inserted.id, member.item ->> 'value', member.item ->> 'type',
         member.item ->> 'display', 1, member.ordinal
       FROM inserted, jsonb_array_elements(${parameters.add(json(input.members))}::jsonb)
         WITH ORDINALITY AS member(item, ordinal)
       ${options.liveMembersOnly === true ? `WHERE ${liveMember(tables.resources, t, "member.item ->> 'type'", "member.item ->> 'value'")}` : ""}
       ORDER BY member.ordinal
       ON CONFLICT (tenant, group_id, member_id) DO NOTHING
     )`);
  }
  if (hasChanges(input.changes)) {
    ctes.push(
      recordChangesCte(tables, parameters, {
        tenant: t,
        time: `${created}::timestamptz`,
        drafts: encodeDrafts(input.changes, input.resourceType, input.id),
        happened: "EXISTS (SELECT 1 FROM inserted)",
      }),
    );
  }
  return { text: `WITH ${ctes.join(", ")} SELECT id FROM inserted`, values: parameters.values };
}
