export type {
  PoolLikeClient,
  PostgresClient,
  Queryable,
  QueryResultLike,
  TransactionLikeClient,
} from "./client";
export { LATEST_MIGRATION, MIGRATIONS, type Migration } from "./migrations";
export {
  type MigrationResult,
  type PostgresStore,
  type PostgresStoreOptions,
  postgresStore,
} from "./postgres-store";
