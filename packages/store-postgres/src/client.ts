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

/** A `pg` query config: a named statement is parsed and planned once per connection. */
interface NamedStatementQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<QueryResultLike>;
}

/**
 * At most this many statement texts get a name: `pg` keeps every named statement
 * prepared on every connection for the connection's life, and filters can make
 * statement texts without end. Texts beyond it run unnamed, as before.
 */
export const MAX_NAMED_STATEMENTS = 256;

// One registry per process (even with two copies of this package loaded), so one
// name never stands for two texts on a pool that several stores share.
const REGISTRY = Symbol.for("@scimkit/store-postgres.statement-names");
const statementNames = (): Map<string, string> => {
  const global = globalThis as Record<symbol, Map<string, string> | undefined>;
  let names = global[REGISTRY];
  if (names === undefined) {
    names = new Map();
    global[REGISTRY] = names;
  }
  return names;
};

/** The name `text` is prepared under, or `undefined` once the registry is full. */
export function statementName(text: string): string | undefined {
  const names = statementNames();
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED_STATEMENTS) {
    name = `scimkit_${names.size}`;
    names.set(text, name);
  }
  return name;
}

/** Whether `client` is a `pg` Pool (the driver that takes named statements). */
export function isPgPool(client: PostgresClient): boolean {
  const candidate = client as Partial<Record<"idleCount" | "totalCount" | "waitingCount", unknown>>;
  return (
    !isTransactionLike(client) &&
    typeof candidate.idleCount === "number" &&
    typeof candidate.totalCount === "number" &&
    typeof candidate.waitingCount === "number"
  );
}

/**
 * `queryable` sending each statement as a named prepared statement (a `pg` Pool
 * or pooled client): PostgreSQL parses and plans it once per connection instead
 * of on every call.
 */
export function withNamedStatements(queryable: Queryable): Queryable {
  const named = queryable as unknown as NamedStatementQueryable;
  return {
    query(text, values = []) {
      const name = statementName(text);
      return name === undefined
        ? queryable.query(text, values)
        : named.query({ name, text, values });
    },
  };
}
