import type {
  ChangeDraft,
  ChangeFeedStore,
  ChangeRecord,
  DeadLetter,
  ScimObject,
} from "@scimkit/core/store";
import type { Queryable } from "./client";
import { isInstant, isoInstant, json, parseJson, type Tables } from "./rows";
import type { SqlParameters } from "./sql-parameters";

/**
 * The change feed (migration 3) as a transactional outbox in two steps:
 *
 * 1. A write appends its changes to `pending_changes` in its own statement or
 *    transaction, stamped with the WAL insert position (`lsn`) reached when the
 *    row was written, its transaction id and its place among the write's changes.
 *    No lock is taken: writers never wait for the feed, so commits of one tenant
 *    still flush together.
 * 2. A reader (`read`) numbers the tenant's committed pending changes: under the
 *    tenant's `change_heads` row lock it moves every pending change its snapshot
 *    sees into `changes` with positions head+1, head+2, ... in `lsn` order, and
 *    advances the head, in one statement.
 *
 * Why no reader can skip: a position is only ever given to a change that has
 * already committed, by a transaction that holds the head row lock until it
 * commits, and the head only grows. Once a reader has seen position P, every
 * position up to P was assigned by a committed numbering transaction, and any
 * change still pending gets a position above the head, so above P. A numbering
 * statement whose snapshot is older than the head it locked (another reader
 * numbered meanwhile) does nothing and is run again.
 *
 * Why `lsn` order is commit order where it matters: a write that starts after
 * another committed writes its change row after that commit record, so at a
 * higher WAL position; two writes of one record are serialised by the record's
 * row lock, and the second stamps its change after acquiring it. Changes of
 * transactions that overlap in time have no order to respect; ties fall back to
 * the transaction id and the write's own order.
 */

/** A draft with its defaults applied, as the recording statements read it. */
export interface EncodedDraft {
  readonly type: string;
  readonly data: ScimObject;
  readonly resourceType: string;
  readonly id: string;
  readonly membership?: true;
}

/** The drafts of a write on `resourceType`/`id`, as one JSON parameter. */
export function encodeDrafts(
  drafts: readonly ChangeDraft[],
  resourceType: string,
  id: string,
): string {
  return json(draftItems(drafts, resourceType, id));
}

/** The drafts as `encodeDrafts` encodes them, before JSON. */
export function draftItems(
  drafts: readonly ChangeDraft[],
  resourceType: string,
  id: string,
): EncodedDraft[] {
  return drafts.map((draft) => ({
    type: draft.type,
    data: draft.data,
    resourceType: draft.resourceType ?? resourceType,
    id: draft.id ?? id,
    ...(draft.membership === true ? { membership: true } : {}),
  }));
}

/** Whether a write carries changes to record. */
export const hasChanges = (drafts: readonly ChangeDraft[] | undefined): drafts is ChangeDraft[] =>
  drafts !== undefined && drafts.length > 0;

/**
 * The CTE (`recorded AS (...)`, to follow other CTEs after a comma) that appends
 * a write's drafts to the pending changes, as core's `committedData` reads them:
 * nothing unless `happened` holds; a membership draft only when the write changed
 * rows (the `membership` CTE's `added`/`removed`), with them set in its data.
 * Without `membership` the write has no delta and membership drafts never stand.
 */
export function recordChangesCte(
  tables: Tables,
  parameters: SqlParameters,
  input: {
    readonly tenant: string;
    readonly time: string;
    readonly drafts: string;
    readonly happened: string;
    /** A CTE of one row with the applied member ids as jsonb arrays (`added`, `removed`). */
    readonly membership?: string;
  },
): string {
  const { membership } = input;
  const isMembership = `(draft.item ? 'membership')`;
  const stands =
    membership === undefined
      ? `NOT ${isMembership}`
      : `(NOT ${isMembership} OR jsonb_array_length(${membership}.added) + jsonb_array_length(${membership}.removed) > 0)`;
  const data =
    membership === undefined
      ? `draft.item -> 'data'`
      : `CASE WHEN ${isMembership} THEN (draft.item -> 'data') || jsonb_build_object('added', ${membership}.added, 'removed', ${membership}.removed) ELSE draft.item -> 'data' END`;
  return `recorded AS (
       INSERT INTO ${tables.pendingChanges} (tenant, lsn, xid, ordinal, type, resource_type, id, time, data)
       SELECT ${input.tenant}, pg_current_wal_insert_lsn(), pg_current_xact_id(), draft.ordinal,
         draft.item ->> 'type', draft.item ->> 'resourceType', draft.item ->> 'id',
         ${input.time}, ${data}
       FROM jsonb_array_elements(${parameters.add(input.drafts)}::jsonb) WITH ORDINALITY AS draft(item, ordinal)${
         membership === undefined ? "" : `, ${membership}`
       }
       WHERE ${input.happened} AND ${stands}
     )`;
}

/**
 * Records drafts of a write done in a transaction (its last statement), for
 * writes whose changes are known only after earlier statements ran (a restore).
 */
export async function recordChanges(
  transaction: Queryable,
  tables: Tables,
  tenant: string,
  target: { readonly resourceType: string; readonly id: string; readonly time: string },
  drafts: readonly ChangeDraft[],
): Promise<void> {
  if (drafts.length === 0) return;
  await transaction.query(
    `INSERT INTO ${tables.pendingChanges} (tenant, lsn, xid, ordinal, type, resource_type, id, time, data)
     SELECT $1, pg_current_wal_insert_lsn(), pg_current_xact_id(), draft.ordinal,
       draft.item ->> 'type', draft.item ->> 'resourceType', draft.item ->> 'id', $2::timestamptz,
       draft.item -> 'data'
     FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS draft(item, ordinal)
     WHERE NOT (draft.item ? 'membership')`,
    [tenant, target.time, encodeDrafts(drafts, target.resourceType, target.id)],
  );
}

const CHANGE_COLUMNS = "position, type, resource_type, id, time, data";

const toChange = (tenant: string, row: Record<string, unknown>): ChangeRecord => ({
  tenant,
  position: Number(row.position),
  type: row.type as string,
  resourceType: row.resource_type as string,
  id: row.id as string,
  time: row.time as string,
  data: parseJson(row.data) as ScimObject,
});

const toDeadLetter = (row: Record<string, unknown>): DeadLetter => ({
  consumer: row.consumer as string,
  tenant: row.tenant as string,
  position: Number(row.position),
  type: row.type as string,
  resourceType: row.resource_type as string,
  id: row.id as string,
  attempts: Number(row.attempts),
  error: row.error as string,
  at: row.at as string,
});

/** Most pending changes one read numbers (a backlog is numbered over several reads). */
const NUMBERING_BATCH = 10_000;

/** Numbering attempts a read makes while other readers keep numbering first. */
const MAX_NUMBERING_ATTEMPTS = 20;

const nonNegativeInteger = (value: number, what: string): number => {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`postgresStore.feed: \`${what}\` must be a non-negative number.`);
  }
  return Math.floor(value);
};

const checkInstant = (value: string, what: string): void => {
  if (!isInstant(value)) {
    throw new TypeError(`postgresStore.feed: \`${what}\` must be an ISO-8601 instant.`);
  }
};

/**
 * Statements that read or maintain every tenant at once start with this
 * comment, so the distribution rules (see the README's Citus section) can tell
 * them from the tenant-scoped ones.
 */
export const ALL_TENANTS = "/* scimkit: all tenants */";

/** The store's `feed`: reads that number pending changes, heads, prune, leases, checkpoints, dead letters. */
export function changeFeed(db: Queryable, tables: Tables): ChangeFeedStore {
  const { pendingChanges, changes, changeHeads, feedLeases, feedCheckpoints, deadLetters } = tables;

  /**
   * One statement: number the tenant's pending changes (when there are any and
   * the snapshot is current), and answer the page after `after` from the changes
   * numbered before plus those it just numbered.
   */
  const readText = `WITH waiting AS (
       SELECT EXISTS (SELECT 1 FROM ${pendingChanges} WHERE tenant = $1) AS pending
     ), locked AS (
       SELECT position FROM ${changeHeads}
       WHERE tenant = $1 AND (SELECT pending FROM waiting) FOR UPDATE
     ), seen AS (
       SELECT position FROM ${changeHeads} WHERE tenant = $1
     ), base AS (
       SELECT locked.position FROM locked, seen WHERE locked.position = seen.position
     ), moved AS (
       DELETE FROM ${pendingChanges} p
       WHERE p.tenant = $1 AND EXISTS (SELECT 1 FROM base)
         AND (p.lsn, p.xid, p.ordinal) IN (
           SELECT lsn, xid, ordinal FROM ${pendingChanges} WHERE tenant = $1
           ORDER BY lsn, xid, ordinal LIMIT ${NUMBERING_BATCH})
       RETURNING p.lsn, p.xid, p.ordinal, p.type, p.resource_type, p.id, p.time, p.data
     ), numbered AS (
       SELECT (SELECT position FROM base) + row_number() OVER (ORDER BY lsn, xid, ordinal) AS position,
         type, resource_type, id, time, data
       FROM moved
     ), inserted AS (
       INSERT INTO ${changes} (tenant, ${CHANGE_COLUMNS})
       SELECT $1, ${CHANGE_COLUMNS} FROM numbered
       RETURNING ${CHANGE_COLUMNS}
     ), advanced AS (
       UPDATE ${changeHeads} SET position = position + (SELECT count(*) FROM numbered)
       WHERE tenant = $1 AND EXISTS (SELECT 1 FROM numbered)
     ), page AS (
       SELECT ${CHANGE_COLUMNS} FROM (
         SELECT ${CHANGE_COLUMNS} FROM ${changes} WHERE tenant = $1 AND position > $2
         UNION ALL
         SELECT ${CHANGE_COLUMNS} FROM inserted WHERE position > $2
       ) candidates
       ORDER BY position LIMIT $3
     )
     SELECT (SELECT pending FROM waiting) AS waiting, EXISTS (SELECT 1 FROM base) AS numbered,
       EXISTS (SELECT 1 FROM seen) AS has_head,
       COALESCE((SELECT jsonb_agg(jsonb_build_object('position', position, 'type', type,
         'resource_type', resource_type, 'id', id, 'time', ${isoInstant("time")}, 'data', data)
         ORDER BY position) FROM page), '[]'::jsonb) AS page`;

  const read: ChangeFeedStore["read"] = async (tenant, { after, limit }) => {
    const from = nonNegativeInteger(after, "after");
    const count = nonNegativeInteger(limit, "limit");
    for (let attempt = 1; ; attempt += 1) {
      const { rows } = await db.query(readText, [tenant, from, count]);
      const row = rows[0]!;
      const page = (parseJson(row.page) as Record<string, unknown>[]).map((entry) =>
        toChange(tenant, entry),
      );
      if (row.waiting !== true || row.numbered === true || attempt >= MAX_NUMBERING_ATTEMPTS) {
        return page;
      }
      // The first numbering of a tenant creates its head; later, another reader
      // numbered between this statement's snapshot and its lock: run it again.
      if (row.has_head !== true) {
        await db.query(
          `INSERT INTO ${changeHeads} (tenant, position) VALUES ($1, 0) ON CONFLICT (tenant) DO NOTHING`,
          [tenant],
        );
      }
    }
  };

  return {
    read,

    async heads() {
      // Pending changes count: they will take the next positions of their tenant.
      const { rows } = await db.query(
        `${ALL_TENANTS} SELECT COALESCE(h.tenant, p.tenant) AS tenant,
           COALESCE(h.position, 0) + COALESCE(p.waiting, 0) AS position
         FROM ${changeHeads} h
         FULL JOIN (SELECT tenant, count(*) AS waiting FROM ${pendingChanges} GROUP BY tenant) p
           ON p.tenant = h.tenant
         WHERE COALESCE(h.position, 0) + COALESCE(p.waiting, 0) > 0`,
      );
      return rows.map((row) => ({ tenant: row.tenant as string, position: Number(row.position) }));
    },

    async prune(before, limit) {
      checkInstant(before, "before");
      const bound = nonNegativeInteger(limit, "limit");
      if (bound === 0) return 0;
      // Changes nobody has read yet are numbered first, so a prune never drops a
      // change before it had a position (a reader then sees the gap).
      const { rows: stale } = await db.query(
        `${ALL_TENANTS} SELECT DISTINCT tenant FROM ${pendingChanges} WHERE time < $1::timestamptz LIMIT 100`,
        [before],
      );
      for (const row of stale) await read(row.tenant as string, { after: 0, limit: 0 });
      const { rows } = await db.query(
        `${ALL_TENANTS} WITH doomed AS (
           SELECT tenant, position FROM ${changes} WHERE time < $1::timestamptz
           ORDER BY time LIMIT $2
         ), deleted AS (
           DELETE FROM ${changes} c USING doomed
           WHERE c.tenant = doomed.tenant AND c.position = doomed.position
           RETURNING 1
         )
         SELECT count(*) AS deleted FROM deleted`,
        [before, bound],
      );
      return Number(rows[0]?.deleted ?? 0);
    },

    async acquireLease(name, holder, ttlSeconds) {
      const ttl = Number(ttlSeconds);
      if (!Number.isFinite(ttl) || ttl < 0) {
        throw new TypeError("postgresStore.feed: `ttlSeconds` must be a non-negative number.");
      }
      // Measured on the database's clock, so instances with skewed clocks agree.
      const { rows } = await db.query(
        `INSERT INTO ${feedLeases} AS lease (name, holder, expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3::float8))
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
         WHERE lease.holder = EXCLUDED.holder OR lease.expires_at <= now()
         RETURNING holder`,
        [name, holder, ttl],
      );
      return rows.length > 0;
    },

    async releaseLease(name, holder) {
      await db.query(`DELETE FROM ${feedLeases} WHERE name = $1 AND holder = $2`, [name, holder]);
    },

    async checkpoints(consumer) {
      const { rows } = await db.query(
        `${ALL_TENANTS} SELECT tenant, position FROM ${feedCheckpoints} WHERE consumer = $1`,
        [consumer],
      );
      return new Map(rows.map((row) => [row.tenant as string, Number(row.position)]));
    },

    async saveCheckpoint(consumer, holder, tenant, position) {
      const target = nonNegativeInteger(position, "position");
      // FOR SHARE fences the save: a new holder's acquireLease waits until it
      // commits, and a lease taken over meanwhile makes it save nothing.
      const { rows } = await db.query(
        `WITH lease AS (
           SELECT 1 FROM ${feedLeases}
           WHERE name = $1 AND holder = $2 AND expires_at > now() FOR SHARE
         )
         INSERT INTO ${feedCheckpoints} AS checkpoint (tenant, consumer, position)
         SELECT $3, $1, $4::bigint FROM lease WHERE $4::bigint > 0
         ON CONFLICT (tenant, consumer) DO UPDATE SET position = EXCLUDED.position
         WHERE checkpoint.position < EXCLUDED.position
         RETURNING position`,
        [consumer, holder, tenant, target],
      );
      return rows.length > 0;
    },

    async addDeadLetter(entry) {
      checkInstant(entry.at, "at");
      await db.query(
        `INSERT INTO ${deadLetters} (tenant, consumer, position, type, resource_type, id, attempts, error, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz)
         ON CONFLICT (tenant, consumer, position) DO UPDATE SET type = EXCLUDED.type,
           resource_type = EXCLUDED.resource_type, id = EXCLUDED.id, attempts = EXCLUDED.attempts,
           error = EXCLUDED.error, at = EXCLUDED.at`,
        [
          entry.tenant,
          entry.consumer,
          entry.position,
          entry.type,
          entry.resourceType,
          entry.id,
          entry.attempts,
          entry.error,
          entry.at,
        ],
      );
    },

    async deadLetters(consumer, { tenant, limit }) {
      const count = nonNegativeInteger(limit, "limit");
      const columns = `consumer, tenant, position, type, resource_type, id, attempts, error, ${isoInstant("at")} AS at`;
      const { rows } =
        tenant === undefined
          ? await db.query(
              `${ALL_TENANTS} SELECT ${columns} FROM ${deadLetters} WHERE consumer = $1
               ORDER BY at DESC, position DESC LIMIT $2`,
              [consumer, count],
            )
          : await db.query(
              `SELECT ${columns} FROM ${deadLetters} WHERE tenant = $1 AND consumer = $2
               ORDER BY at DESC, position DESC LIMIT $3`,
              [tenant, consumer, count],
            );
      return rows.map(toDeadLetter);
    },
  };
}
