import type { DeleteOptions } from "@scimkit/core/store";
import { encodeDrafts, hasChanges, recordChangesCte } from "./change-feed";
import type { Queryable } from "./client";
import type { Tables } from "./rows";
import { SqlParameters } from "./sql-parameters";
import { untilFresh } from "./stale-snapshots";

/**
 * The shape every deleting statement shares: lock the record row, check that the
 * snapshot still holds the version locked (else the membership rows the
 * statement finds may miss some a writer it waited for added), then run `body`,
 * CTEs that act only when `go` has a row. The statement answers `found` (the
 * record was there) and `applied` (it went ahead).
 */
export function lockedStatement(
  tables: Tables,
  record: { readonly tenant: string; readonly resourceType: string; readonly id: string },
  body: readonly string[],
): string {
  const where = `tenant = ${record.tenant} AND resource_type = ${record.resourceType} AND id = ${record.id}`;
  return `WITH target AS (SELECT version, created, last_modified, data FROM ${tables.resources} WHERE ${where} FOR UPDATE),
     seen AS (SELECT version FROM ${tables.resources} WHERE ${where}),
     go AS (SELECT target.* FROM target WHERE target.version = (SELECT version FROM seen)),
     ${body.join(",\n     ")}
     SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM go) AS applied`;
}

/** Runs a `lockedStatement` until its snapshot is current; resolves whether the record was there. */
export async function runLocked(
  db: Queryable,
  text: string,
  values: unknown[],
  id: string,
): Promise<boolean> {
  const row = await untilFresh(
    id,
    async () => (await db.query(text, values)).rows[0],
    (found) => found?.found !== true,
  );
  return row !== undefined;
}

/**
 * Deletes a record, its unique keys and every membership row it is in (as group
 * or as member), and records its changes, in ONE statement. Groups that lose it
 * keep their version.
 */
export async function deleteRecord(
  db: Queryable,
  tables: Tables,
  tenant: string,
  resourceType: string,
  id: string,
  options: DeleteOptions | undefined,
): Promise<boolean> {
  const parameters = new SqlParameters();
  const record = {
    tenant: parameters.add(tenant),
    resourceType: parameters.add(resourceType),
    id: parameters.add(id),
  };
  const body = [
    `record AS (
       DELETE FROM ${tables.resources}
       WHERE tenant = ${record.tenant} AND resource_type = ${record.resourceType} AND id = ${record.id}
         AND EXISTS (SELECT 1 FROM go)
       RETURNING id
     )`,
    `keys AS (
       DELETE FROM ${tables.uniqueKeys}
       WHERE tenant = ${record.tenant} AND resource_type = ${record.resourceType} AND id = ${record.id}
         AND EXISTS (SELECT 1 FROM record)
     )`,
    `links AS (
       DELETE FROM ${tables.memberships}
       WHERE tenant = ${record.tenant} AND (group_id = ${record.id} OR member_id = ${record.id})
         AND EXISTS (SELECT 1 FROM record)
     )`,
  ];
  const changes = options?.changes;
  if (hasChanges(changes)) {
    const time = parameters.add(options?.changedAt ?? null);
    body.push(
      recordChangesCte(tables, parameters, {
        tenant: record.tenant,
        time: `COALESCE(${time}::timestamptz, now())`,
        drafts: encodeDrafts(changes, resourceType, id),
        happened: "EXISTS (SELECT 1 FROM record)",
      }),
    );
  }
  return runLocked(db, lockedStatement(tables, record, body), parameters.values, id);
}
