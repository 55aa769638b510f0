import type { Queryable } from "./client";
import type { Tables } from "./rows";

/** Writes after which the store first refreshes the planner's statistics. */
const FIRST_REFRESH = 500;
/** Writes between two refreshes once the tables are large. */
const LARGEST_INTERVAL = 100_000;

/**
 * Keeps the planner's statistics of the hot tables fresh while a directory
 * grows. PGlite runs no autovacuum, so without this it plans every statement
 * with no statistics at all; a fresh PostgreSQL schema has none until
 * autovacuum's first ANALYZE (a minute or more into an IdP's initial sync), and
 * a prepared statement keeps the plan it made on the empty tables. Without
 * statistics, a lookup by `userName` and a scan of the whole tenant cost the
 * same to the planner. The store therefore runs ANALYZE itself after 500,
 * 1 000, 2 000, ... writes of this instance (then every 100 000), in the
 * background: O(log n) refreshes, each a bounded sample. ANALYZE also drops
 * the plans prepared statements cached, so they are planned again.
 */
export function statisticsKeeper(
  db: Queryable,
  tables: Tables,
  onError: (error: unknown) => void,
): { wrote(count?: number): void; refresh(): Promise<void> } {
  let writes = 0;
  let next = FIRST_REFRESH;
  let running: Promise<void> | undefined;
  const refresh = async () => {
    for (const table of [tables.resources, tables.uniqueKeys, tables.memberships]) {
      await db.query(`ANALYZE ${table}`);
    }
  };
  return {
    wrote(count = 1) {
      writes += count;
      if (writes < next || running !== undefined) return;
      next = writes + Math.min(writes, LARGEST_INTERVAL);
      running = refresh()
        .catch(onError)
        .finally(() => {
          running = undefined;
        });
    },
    refresh,
  };
}
