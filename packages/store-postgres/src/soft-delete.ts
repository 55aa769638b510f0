import type {
  PurgeDeletedOptions,
  PurgedRecordRef,
  RestoreDeletedOptions,
  RestoredRecord,
  SoftDeleteOptions,
  UniqueKey,
} from "@scimkit/core/store";
import {
  ALL_TENANTS,
  encodeDrafts,
  hasChanges,
  recordChanges,
  recordChangesCte,
} from "./change-feed";
import type { Queryable } from "./client";
import { lockedStatement, runLocked } from "./delete-record";
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
import { SqlParameters } from "./sql-parameters";
import { writeUniqueKeys } from "./unique-keys";

/**
 * The store's trash (migration 2): a table of its own, so the live tables, their
 * indexes and every hot query stay as they are. Each trashed record keeps what it
 * was removed with: its unique keys, its own members and the groups it was in.
 */

/** Where a member that rejoins a group with a restore sorts among that group version's members. */
const REJOINED_POSITION = 2_147_483_647;

/** Moves a live record with its keys and memberships (both directions) into the trash. */
export async function trashRecord(
  db: Queryable,
  tables: Tables,
  tenant: string,
  resourceType: string,
  id: string,
  options: SoftDeleteOptions,
): Promise<boolean> {
  const { resources, uniqueKeys, memberships, deletedResources } = tables;
  const parameters = new SqlParameters();
  const record = {
    tenant: parameters.add(tenant),
    resourceType: parameters.add(resourceType),
    id: parameters.add(id),
  };
  const { tenant: t, resourceType: type, id: key } = record;
  // One statement: every part sees the same snapshot, checked current against
  // the locked record row (see `lockedStatement`).
  const body = [
    `record AS (
       DELETE FROM ${resources} WHERE tenant = ${t} AND resource_type = ${type} AND id = ${key}
         AND EXISTS (SELECT 1 FROM go)
       RETURNING version, created, last_modified, data
     )`,
    `keys AS (
       DELETE FROM ${uniqueKeys}
       WHERE tenant = ${t} AND resource_type = ${type} AND id = ${key} AND EXISTS (SELECT 1 FROM record)
       RETURNING attribute, value
     )`,
    `own AS (
       DELETE FROM ${memberships}
       WHERE tenant = ${t} AND group_id = ${key} AND EXISTS (SELECT 1 FROM record)
       RETURNING member_id, member_type, display, added_version, position
     )`,
    `belongs AS (
       DELETE FROM ${memberships}
       WHERE tenant = ${t} AND member_id = ${key} AND group_id <> ${key} AND EXISTS (SELECT 1 FROM record)
       RETURNING group_type, group_id, member_type, display
     )`,
    `trashed AS (
       INSERT INTO ${deletedResources} (tenant, resource_type, id, version, created,
         last_modified, data, unique_keys, members, member_of, purge_after)
       SELECT ${t}, ${type}, ${key}, record.version, record.created, record.last_modified, record.data,
         COALESCE((SELECT jsonb_agg(jsonb_build_object('attribute', attribute, 'value', value))
           FROM keys), '[]'::jsonb),
         COALESCE((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('value', member_id,
           'type', member_type, 'display', display)) ORDER BY added_version, position) FROM own),
           '[]'::jsonb),
         COALESCE((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('resourceType',
           group_type, 'id', group_id, 'type', member_type, 'display', display))) FROM belongs),
           '[]'::jsonb),
         ${parameters.add(options.purgeAfter)}::timestamptz
       FROM record
       ON CONFLICT (tenant, resource_type, id) DO UPDATE SET version = EXCLUDED.version,
         created = EXCLUDED.created, last_modified = EXCLUDED.last_modified,
         data = EXCLUDED.data, unique_keys = EXCLUDED.unique_keys, members = EXCLUDED.members,
         member_of = EXCLUDED.member_of, deleted_at = now(), purge_after = EXCLUDED.purge_after
     )`,
  ];
  if (hasChanges(options.changes)) {
    const time = parameters.add(options.changedAt ?? null);
    body.push(
      recordChangesCte(tables, parameters, {
        tenant: t,
        time: `COALESCE(${time}::timestamptz, now())`,
        drafts: encodeDrafts(options.changes, resourceType, id),
        happened: "EXISTS (SELECT 1 FROM record)",
      }),
    );
  }
  return runLocked(db, lockedStatement(tables, record, body), parameters.values, id);
}

/**
 * Removes expired trash of every tenant, recording `changeTypes` changes in the
 * purged records' tenants; a row two purges both match is returned by one.
 */
export async function purgeTrash(
  db: Queryable,
  tables: Tables,
  before: string,
  options: PurgeDeletedOptions | undefined,
): Promise<PurgedRecordRef[]> {
  const types = options?.changeTypes;
  const recording = types !== undefined && Object.keys(types).length > 0;
  const { rows } = await db.query(
    `${ALL_TENANTS} WITH purged AS (
       DELETE FROM ${tables.deletedResources} WHERE purge_after <= $1::timestamptz
       RETURNING tenant, resource_type, id, ${isoInstant("purge_after")} AS purge_after
     )${
       recording
         ? `, recorded AS (
       INSERT INTO ${tables.pendingChanges} (tenant, lsn, xid, ordinal, type, resource_type, id, time, data)
       SELECT purged.tenant, pg_current_wal_insert_lsn(), pg_current_xact_id(),
         row_number() OVER (ORDER BY purged.tenant, purged.resource_type, purged.id),
         kind.type, purged.resource_type, purged.id, COALESCE($3::timestamptz, $1::timestamptz),
         jsonb_build_object('purgeAfter', purged.purge_after)
       FROM purged JOIN jsonb_each_text($2::jsonb) AS kind(resource_type, type)
         ON kind.resource_type = purged.resource_type
     )`
         : ""
     }
     SELECT tenant, resource_type, id, purge_after FROM purged`,
    recording ? [before, json(types), options?.changedAt ?? null] : [before],
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
  options: RestoreDeletedOptions,
): Promise<RestoredRecord | undefined> {
  const { lastModified } = options;
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
      `INSERT INTO ${memberships} (tenant, group_type, group_id, member_id, member_type, display, added_version, position)
       SELECT $1, $2, $3, live.id, member.item ->> 'type', member.item ->> 'display', $5::bigint, member.ordinal
       FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS member(item, ordinal)
       JOIN ${resources} live ON live.tenant = $1 AND live.id = member.item ->> 'value'
         AND live.resource_type = member.item ->> 'type'
       ORDER BY member.ordinal
       FOR KEY SHARE OF live
       ON CONFLICT (tenant, group_id, member_id) DO NOTHING
       RETURNING member_id, position`,
      [tenant, resourceType, id, json(parseJson(trashed.members)), Number(trashed.version) + 1],
    );
    // A group it rejoins keeps its version; the member goes after the members that
    // version added (a later add gives the group a higher version).
    const { rows: groups } = await transaction.query(
      `INSERT INTO ${memberships} (tenant, group_type, group_id, member_id, member_type, display, added_version, position)
       SELECT $1, live.resource_type, live.id, $2, belongs.item ->> 'type', belongs.item ->> 'display',
         live.version, ${REJOINED_POSITION}
       FROM jsonb_array_elements($3::jsonb) AS belongs(item)
       JOIN ${resources} live ON live.tenant = $1
         AND live.resource_type = belongs.item ->> 'resourceType'
         AND live.id = belongs.item ->> 'id'
       FOR KEY SHARE OF live
       ON CONFLICT (tenant, group_id, member_id) DO NOTHING
       RETURNING group_type, group_id`,
      [tenant, id, json(parseJson(trashed.member_of))],
    );
    const result: RestoredRecord = Object.assign(
      toRecord(resourceType, restored[0] as unknown as ResourceRow),
      {
        restoredMembers: [...members]
          .sort((left, right) => Number(left.position) - Number(right.position))
          .map((row) => row.member_id as string),
        rejoinedGroups: groups.map((row) => ({
          resourceType: row.group_type as string,
          id: row.group_id as string,
        })),
      },
    );
    const changes = options.changes?.(result);
    if (hasChanges(changes)) {
      await recordChanges(
        transaction,
        tables,
        tenant,
        { resourceType, id, time: lastModified },
        changes,
      );
    }
    return result;
  } catch (error) {
    throw clientError(error, keys);
  }
}
