import type pg from "pg";
import { type PostgresStore, postgresStore } from "../src";

/** A store whose every statement runs inside one open transaction on its own connection. */
export interface HeldOpen {
  readonly store: PostgresStore;
  readonly connection: pg.PoolClient;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Opens a transaction on a connection of `pool` and a store that writes inside it. */
export async function heldOpen(pool: pg.Pool, schema: string): Promise<HeldOpen> {
  const connection = await pool.connect();
  await connection.query("BEGIN");
  const inside = { query: (text: string, values?: unknown[]) => connection.query(text, values) };
  const store = postgresStore({
    client: {
      ...inside,
      transaction: (callback: (transaction: typeof inside) => Promise<unknown>) => callback(inside),
    } as never,
    schema,
  });
  const end = async (statement: string) => {
    await connection.query(statement);
    connection.release();
  };
  return { store, connection, commit: () => end("COMMIT"), rollback: () => end("ROLLBACK") };
}

/** Resolves once some backend of `pool`'s database waits for a lock in a statement naming `schema`. */
export async function waitForLockWait(pool: pg.Pool, schema: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const { rows } = await pool.query(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND position($1 in query) > 0`,
      [schema],
    );
    if ((rows[0]?.waiting as number) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("no statement started waiting for a lock");
}
