import type { LogEntry, ProvisioningLogStore } from "@scimkit/core/store";
import { ALL_TENANTS } from "./change-feed";
import type { Queryable } from "./client";
import { json, parseJson, type Tables } from "./rows";
import { SqlParameters } from "./sql-parameters";

const COLUMNS = `tenant, time, id, token_id, method, path, status, scim_type,
  detail, resource_type, resource_id, changed_attributes, duration_ms, idp`;

/** Optional entry fields and their columns; absent values are stored as NULL and read back absent. */
const OPTIONAL = [
  ["tokenId", "token_id"],
  ["scimType", "scim_type"],
  ["detail", "detail"],
  ["resourceType", "resource_type"],
  ["resourceId", "resource_id"],
  ["idp", "idp"],
] as const;

const toEntry = (row: Record<string, unknown>): LogEntry => {
  const entry: Record<string, unknown> = {
    id: row.id,
    tenant: row.tenant,
    time: row.time,
    method: row.method,
    path: row.path,
    status: Number(row.status),
    durationMs: Number(row.duration_ms),
  };
  for (const [field, column] of OPTIONAL) if (row[column] !== null) entry[field] = row[column];
  if (row.changed_attributes !== null) {
    entry.changedAttributes = parseJson(row.changed_attributes);
  }
  return entry as unknown as LogEntry;
};

/**
 * The provisioning log (migration 3): appended in batches, one statement per
 * batch; read newest first by the primary key (tenant, time, id), with keyset
 * paging on (time, id). Times compare as strings, as in the reference store.
 */
export function provisioningLog(db: Queryable, tables: Tables): ProvisioningLogStore {
  const log = tables.provisioningLog;
  return {
    async append(entries) {
      if (entries.length === 0) return;
      // An entry appended twice (a retried batch) is kept once. A batch may hold
      // several tenants' entries.
      await db.query(
        `${ALL_TENANTS} INSERT INTO ${log} (tenant, time, id, token_id, method, path, status, scim_type, detail,
           resource_type, resource_id, changed_attributes, duration_ms, idp)
         SELECT entry.tenant, entry.time, entry.id, entry."tokenId", entry.method, entry.path,
           entry.status, entry."scimType", entry.detail, entry."resourceType", entry."resourceId",
           entry."changedAttributes", entry."durationMs", entry.idp
         FROM jsonb_to_recordset($1::jsonb) AS entry(tenant text, time text, id text,
           "tokenId" text, method text, path text, status integer, "scimType" text, detail text,
           "resourceType" text, "resourceId" text, "changedAttributes" jsonb,
           "durationMs" double precision, idp text)
         ON CONFLICT (tenant, time, id) DO NOTHING`,
        [json(entries)],
      );
    },

    async query(tenant, query) {
      const parameters = new SqlParameters();
      const where = [`tenant = ${parameters.add(tenant)}`];
      if (query.before !== undefined) {
        where.push(
          `(time, id) < (${parameters.add(query.before.time)}::text, ${parameters.add(query.before.id)}::text)`,
        );
      }
      if (query.statusClass !== undefined) {
        const low = Math.floor(query.statusClass) * 100;
        where.push(
          `status >= ${parameters.add(low)}::integer AND status < ${parameters.add(low + 100)}::integer`,
        );
      }
      if (query.resourceId !== undefined) {
        where.push(`resource_id = ${parameters.add(query.resourceId)}`);
      }
      if (query.from !== undefined) {
        where.push(`time >= ${parameters.add(query.from)}::text`);
      }
      if (query.to !== undefined) {
        where.push(`time < ${parameters.add(query.to)}::text`);
      }
      const limit = parameters.add(Math.max(0, Math.floor(query.limit)));
      const { rows } = await db.query(
        `SELECT ${COLUMNS} FROM ${log} WHERE ${where.join(" AND ")}
         ORDER BY time DESC, id DESC LIMIT ${limit}`,
        parameters.values,
      );
      return rows.map(toEntry);
    },

    async prune(before, limit) {
      const { rows } = await db.query(
        `${ALL_TENANTS} WITH doomed AS (
           SELECT tenant, time, id FROM ${log} WHERE time < $1::text ORDER BY time LIMIT $2
         ), deleted AS (
           DELETE FROM ${log} entry USING doomed
           WHERE entry.tenant = doomed.tenant AND entry.time = doomed.time AND entry.id = doomed.id
           RETURNING 1
         )
         SELECT count(*) AS deleted FROM deleted`,
        [before, Math.max(0, Math.floor(limit))],
      );
      return Number(rows[0]?.deleted ?? 0);
    },
  };
}
