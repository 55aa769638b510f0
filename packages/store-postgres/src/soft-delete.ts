import type { PurgedRecordRef, RestoredRecord, UniqueKey } from "@scimkit/core";
import type { Queryable } from "./client";
import {
  clientError,
  isoInstant,
  json,
  parseJson,
  RECORD_COLUMNS,
  type ResourceRow,
  type Tables,
  toRecord,
} from "./rows";
import { writeUniqueKeys } from "./unique-keys";

/**
 * The store's trash (migration 2): a table of its own, so the live tables, their
 * indexes and every hot query stay as they are. Each trashed record keeps what it
 * was removed with: its unique keys, its own members and the groups it was in.
 */

/** Moves a live record with its keys and memberships (both directions) into the trash. */
export async function trashRecord(
  transaction: Queryable,
  tables: Tables,
  tenant: string,
  resourceType: string,
  id: string,
  purgeAfter: string,
): Promise<boolean> {
  const { resources, uniqueKeys, memberships, deletedResources } = tables;
  // One statement: every sub-statement sees the same snapshot, and the record
  // row's delete locks it against concurrent writers.
  const { rows } = await transaction.query(
    `WITH record AS (
       DELETE FROM ${resources} WHERE tenant = $1 AND resource_type = $2 AND id = $3
       RETURNING version, created, last_modified, data
     ), keys AS (
       DELETE FROM ${uniqueKeys}
       WHERE tenant = $1 AND resource_type = $2 AND id = $3 AND EXISTS (SELECT 1 FROM record)
       RETURNING attribute, value
     ), own AS (
       DELETE FROM ${memberships}
       WHERE tenant = $1 AND group_id = $3 AND EXISTS (SELECT 1 FROM record)
       RETURNING member_id, member_type, display, position
     ), belongs AS (
       DELETE FROM ${memberships}
       WHERE tenant = $1 AND member_id = $3 AND group_id <> $3 AND EXISTS (SELECT 1 FROM record)
       RETURNING group_type, group_id, member_type, display
     )
     INSERT INTO ${deletedResources} (tenant, resource_type, id, version, created,
       last_modified, data, unique_keys, members, member_of, purge_after)
     SELECT $1, $2, $3, record.version, record.created, record.last_modified, record.data,
       COALESCE((SELECT jsonb_agg(jsonb_build_object('attribute', attribute, 'value', value))
         FROM keys), '[]'::jsonb),
       COALESCE((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('value', member_id,
         'type', member_type, 'display', display)) ORDER BY position) FROM own), '[]'::jsonb),
       COALESCE((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('resourceType',
         group_type, 'id', group_id, 'type', member_type, 'display', display))) FROM belongs),
         '[]'::jsonb),
       $4::timestamptz
     FROM record
     ON CONFLICT (tenant, resource_type, id) DO UPDATE SET version = EXCLUDED.version,
       created = EXCLUDED.created, last_modified = EXCLUDED.last_modified,
       data = EXCLUDED.data, unique_keys = EXCLUDED.unique_keys, members = EXCLUDED.members,
       member_of = EXCLUDED.member_of, deleted_at = now(), purge_after = EXCLUDED.purge_after
     RETURNING id`,
    [tenant, resourceType, id, purgeAfter],
  );
  return rows.length > 0;
}

/** Removes expired trash of every tenant; a row two purges both match is returned by one. */
export async function purgeTrash(
  transaction: Queryable,
  tables: Tables,
  before: string,
): Promise<PurgedRecordRef[]> {
  const { rows } = await transaction.query(
    `DELETE FROM ${tables.deletedResources} WHERE purge_after <= $1::timestamptz
     RETURNING tenant, resource_type, id, ${isoInstant("purge_after")} AS purge_after`,
    [before],
  );
  return rows.map(
    (row): PurgedRecordRef => ({
      tenant: row.tenant as string,
      resourceType: row.resource_type as string,
      id: row.id as string,
      purgeAfter: row.purge_after as string,
    }),
  );
}

/**
 * Moves a trashed record back with its version incremented, its keys, and the
 * memberships whose other side is live. Throws 409 `uniqueness` (the transaction
 * rolls back, so it stays trashed) when a key was taken meanwhile.
 */
export async function restoreFromTrash(
  transaction: Queryable,
  tables: Tables,
  tenant: string,
  resourceType: string,
  id: string,
  lastModified: string,
): Promise<RestoredRecord | undefined> {
  const { resources, memberships, deletedResources } = tables;
  const { rows } = await transaction.query(
    `DELETE FROM ${deletedResources} WHERE tenant = $1 AND resource_type = $2 AND id = $3
     RETURNING version, created, last_modified, data, unique_keys, members, member_of`,
    [tenant, resourceType, id],
  );
  const trashed = rows[0];
  if (trashed === undefined) return undefined;
  const keys = parseJson(trashed.unique_keys) as UniqueKey[];
  try {
    const { rows: restored } = await transaction.query(
      `INSERT INTO ${resources} (tenant, resource_type, id, version, created, last_modified, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
       RETURNING ${RECORD_COLUMNS}`,
      [
        tenant,
        resourceType,
        id,
        Number(trashed.version) + 1,
        trashed.created,
        lastModified,
        json(parseJson(trashed.data)),
      ],
    );
    await writeUniqueKeys(transaction, tables, tenant, resourceType, id, keys);
    // Memberships come back only where the other side is live; FOR KEY SHARE
    // keeps that side from being deleted before this transaction commits.
    const { rows: members } = await transaction.query(
      `INSERT INTO ${memberships} (tenant, group_type, group_id, member_id, member_type, display)
       SELECT $1, $2, $3, live.id, member.item ->> 'type', member.item ->> 'display'
       FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS member(item, ordinal)
       JOIN ${resources} live ON live.tenant = $1 AND live.id = member.item ->> 'value'
       ORDER BY member.ordinal
       FOR KEY SHARE OF live
       ON CONFLICT (tenant, group_id, member_id) DO NOTHING
       RETURNING member_id, position`,
      [tenant, resourceType, id, json(parseJson(trashed.members))],
    );
    const { rows: groups } = await transaction.query(
      `INSERT INTO ${memberships} (tenant, group_type, group_id, member_id, member_type, display)
       SELECT $1, live.resource_type, live.id, $2, belongs.item ->> 'type', belongs.item ->> 'display'
       FROM jsonb_array_elements($3::jsonb) AS belongs(item)
       JOIN ${resources} live ON live.tenant = $1
         AND live.resource_type = belongs.item ->> 'resourceType'
         AND live.id = belongs.item ->> 'id'
       FOR KEY SHARE OF live
       ON CONFLICT (tenant, group_id, member_id) DO NOTHING
       RETURNING group_type, group_id`,
      [tenant, id, json(parseJson(trashed.member_of))],
    );
    return {
      ...toRecord(resourceType, restored[0] as unknown as ResourceRow),
      restoredMembers: [...members]
        .sort((left, right) => Number(left.position) - Number(right.position))
        .map((row) => row.member_id as string),
      rejoinedGroups: groups.map((row) => ({
        resourceType: row.group_type as string,
        id: row.group_id as string,
      })),
    };
  } catch (error) {
    throw clientError(error, keys);
  }
}
