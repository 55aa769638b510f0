/**
 * The few driver methods the store calls, declared structurally so a `pg` Pool
 * and a PGlite instance both fit without this package importing either driver.
 */

/** A result set: rows keyed by column name. */
export interface QueryResultLike {
  readonly rows: readonly Record<string, unknown>[];
}

/** Anything that runs one parameterised statement (`$1`, `$2`, ...). */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<QueryResultLike>;
}

/** A `pg` Pool (or anything shaped like it): checks out a connection for a transaction. */
export interface PoolLikeClient extends Queryable {
  connect(): Promise<Queryable & { release(error?: Error | boolean): void }>;
}

/** A PGlite instance (or anything shaped like it): runs a callback in one transaction. */
export interface TransactionLikeClient extends Queryable {
  transaction<T>(callback: (transaction: Queryable) => Promise<T>): Promise<T>;
}

/** What `postgresStore({ client })` accepts: a `pg` Pool or a PGlite instance. */
export type PostgresClient = PoolLikeClient | TransactionLikeClient;

const isTransactionLike = (client: PostgresClient): client is TransactionLikeClient =>
  typeof (client as Partial<TransactionLikeClient>).transaction === "function";

/** Whether `value` has the methods a store needs. */
export function isPostgresClient(value: unknown): value is PostgresClient {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<PoolLikeClient & TransactionLikeClient>;
  return (
    typeof candidate.query === "function" &&
    (typeof candidate.transaction === "function" || typeof candidate.connect === "function")
  );
}

const RETRYABLE = new Set(["40P01", "40001"]);
const MAX_ATTEMPTS = 3;

/**
 * Runs `callback` inside one transaction: committed when it resolves, rolled back
 * when it throws. A transaction PostgreSQL aborted as a deadlock victim or
 * serialization failure is retried (a lost race is never a 500); the callback
 * must therefore have no effects outside the transaction.
 */
export async function inTransaction<T>(
  client: PostgresClient,
  callback: (transaction: Queryable) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await runTransaction(client, callback);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (attempt >= MAX_ATTEMPTS || typeof code !== "string" || !RETRYABLE.has(code)) throw error;
    }
  }
}

/** One attempt; with a pool, the connection is returned (or discarded after a failed rollback). */
async function runTransaction<T>(
  client: PostgresClient,
  callback: (transaction: Queryable) => Promise<T>,
): Promise<T> {
  if (isTransactionLike(client)) return client.transaction(callback);
  const connection = await client.connect();
  let broken = false;
  try {
    await connection.query("BEGIN");
    const result = await callback(connection);
    await connection.query("COMMIT");
    return result;
  } catch (error) {
    try {
      await connection.query("ROLLBACK");
    } catch {
      broken = true;
    }
    throw error;
  } finally {
    connection.release(broken);
  }
}
