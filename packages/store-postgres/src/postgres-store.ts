import {
  type CreateInput,
  type GetOptions,
  notFound,
  printPath,
  type QueryTarget,
  type ScimStore,
  STORE_SPECIFICATION_VERSION,
  type UpdatedRecord,
  type UpdateInput,
  unwrap,
} from "@scimkit/core/store";
import { changeFeed } from "./change-feed";
import {
  inTransaction,
  isPgPool,
  isPostgresClient,
  type PostgresClient,
  type Queryable,
  withNamedStatements,
} from "./client";
import { FilterCompiler, type SqlContext } from "./compile-filter";
import { compileListQuery, compileSortKey, type KeysetPosition } from "./compile-query";
import { createRecord } from "./create-record";
import { decodeKeysetCursor, encodeKeysetCursor } from "./cursor";
import { deleteRecord } from "./delete-record";
import { membershipBatches } from "./membership-batch";
import { groupRefs, memberOfJson, readMembers } from "./memberships";
import { runMigrations } from "./migrations";
import { isPgliteLike, withPreparedStatements } from "./pglite-statements";
import { provisioningLog } from "./provisioning-log";
import { resourceTypeBatches } from "./resource-type-batches";
import { hasNul, isInstant, RECORD_COLUMNS, type ResourceRow, tablesIn, toRecord } from "./rows";
import { purgeTrash, restoreFromTrash, trashRecord } from "./soft-delete";
import { SqlParameters } from "./sql-parameters";
import { statisticsKeeper } from "./statistics";
import { tenantStore } from "./tenants";
import { updateRecord } from "./update-record";

/** Options of `postgresStore`. */
export interface PostgresStoreOptions {
  /**
   * A `pg` Pool (server PostgreSQL) or a PGlite instance (embedded). The store
   * calls only `query`, and `connect`/`release` (pool) or `transaction` (PGlite).
   * The caller owns it: `store.close()` does not end it.
   */
  readonly client: PostgresClient;
  /**
   * The PostgreSQL schema holding the store's tables, so several stores (or test
   * runs) can share one database. Letters, digits and `_`, at most 63 characters.
   * @default "scimkit"
   */
  readonly schema?: string;
  /**
   * Send statements as named prepared statements, so PostgreSQL parses and plans
   * each once per connection rather than on every call (about twice the lookups
   * per second on PostgreSQL, 2-3x on PGlite). A `pg` Pool sends named
   * statements; on PGlite each text is prepared once per instance. Turn this off
   * behind a pooler in transaction mode that does not track prepared statements
   * (PgBouncer before 1.21, or with `max_prepared_statements = 0`).
   * @default true
   */
  readonly preparedStatements?: boolean;
}

/** The result of `migrate()`. */
export interface MigrationResult {
  /** Versions this call applied; empty when the schema was already up to date. */
  readonly applied: readonly number[];
}

/** A `ScimStore` on PostgreSQL, plus its migrations. */
export interface PostgresStore extends ScimStore {
  /** The schema name the tables live in. */
  readonly schema: string;
  /**
   * Creates or upgrades the store's tables. Idempotent; safe to call from every
   * app instance at start-up at once (serialised by an advisory lock).
   */
  migrate(): Promise<MigrationResult>;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/**
 * A SCIM store on PostgreSQL: filters and sorts compiled to parameterised SQL,
 * group memberships as rows (one member change touches one row), every write one
 * statement (its own transaction) with the record row locked and its changes
 * recorded in it, uniqueness enforced by a primary key so concurrent creates
 * have exactly one winner. Implements every feature group: the change feed,
 * tenants with their tokens, and the provisioning log. Runs on a `pg` Pool or on
 * PGlite. Call `migrate()` once before use.
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  if (options === null || typeof options !== "object") {
    throw new TypeError("postgresStore: options are required.");
  }
  const { client: given } = options;
  if (!isPostgresClient(given)) {
    throw new TypeError(
      "postgresStore: `client` must be a pg Pool or a PGlite instance (query plus connect or transaction).",
    );
  }
  const schemaName = options.schema ?? "scimkit";
  if (typeof schemaName !== "string" || !SCHEMA_NAME.test(schemaName)) {
    throw new TypeError(
      "postgresStore: `schema` must be letters, digits and underscores (at most 63), not starting with a digit.",
    );
  }
  if (options.preparedStatements !== undefined && typeof options.preparedStatements !== "boolean") {
    throw new TypeError("postgresStore: `preparedStatements` must be a boolean.");
  }
  const prepared = options.preparedStatements !== false;
  // PGlite prepares through its own protocol entry point; a pg Pool names statements.
  const preparedOnPglite = prepared && isPgliteLike(given);
  const client: PostgresClient = preparedOnPglite ? withPreparedStatements(given) : given;
  const named = prepared && isPgPool(given);
  /** Whether PostgreSQL keeps each statement's plan instead of planning it on every call. */
  const plansKept = named || preparedOnPglite;
  /** What reads run on: the client, naming statements when `named`. */
  const db: Queryable = named ? withNamedStatements(client) : client;
  /** `inTransaction`, naming the transaction's statements when `named`. */
  const transact = <T>(callback: (transaction: Queryable) => Promise<T>): Promise<T> =>
    inTransaction(client, (connection) =>
      callback(named ? withNamedStatements(connection) : connection),
    );
  const tables = tablesIn(schemaName);
  const { schema, resources } = tables;
  // Statistics are an optimisation: a failed refresh changes no answer.
  const statistics = statisticsKeeper(db, tables, () => {});
  /** The types of the records with these ids; concurrent lookups of a tenant share a statement. */
  const resourceTypes = resourceTypeBatches(async (tenant, ids) => {
    const found = new Map<string, string[]>();
    const { rows } = await db.query(
      `SELECT id, resource_type FROM ${resources}
       WHERE tenant = $1 AND id = ANY ($2::text[])`,
      [tenant, ids],
    );
    for (const row of rows) {
      const id = row.id as string;
      found.set(id, [...(found.get(id) ?? []), row.resource_type as string]);
    }
    return found;
  });
  /** `updateRecord`, batching concurrent membership changes of one group. */
  const update = membershipBatches(db, tables, (tenant, input) =>
    updateRecord(db, tables, tenant, input),
  );

  /** Where compiled SQL runs for a query target: its type and relation names. */
  const sqlContext = (target: QueryTarget): SqlContext => ({
    schema,
    row: "r",
    resourceType: target.resourceType,
    membersAttribute: target.membersAttribute,
    memberOfAttribute: target.memberOfAttribute,
    displayAttributes: target.displayAttributes,
  });

  const store: PostgresStore = {
    specificationVersion: STORE_SPECIFICATION_VERSION,
    schema: schemaName,

    // Judged with the query's own target, so whatever is claimed here compiles in
    // `query`: core's repository is the only in-memory fallback.
    capabilities: {
      filter: (filter, target) =>
        new FilterCompiler(sqlContext(target), new SqlParameters()).compile(filter) !== undefined,
      sort: (path, target) => compileSortKey(path, sqlContext(target)) !== undefined,
      cursor: true,
      // The membership rows' foreign key to their member (migration 6) checks each added member.
      checksMembers: true,
      // A record's groups are a correlated subquery of its own read (`memberOfJson`),
      // where plans are kept: planned on every call, the subquery costs a lookup that
      // finds nobody (most of a sync's) ~0.2 ms, more than the round trip it saves.
      readsMemberOf: plansKept,
    },

    async migrate() {
      const applied = await runMigrations(client, schemaName, schema);
      // Plans start from what the tables hold now (PGlite gathers nothing by itself).
      await statistics.refresh();
      return { applied };
    },

    async create(tenant, input: CreateInput) {
      const record = await createRecord(db, tables, tenant, input);
      statistics.wrote(1 + (input.members?.length ?? 0));
      return record;
    },

    async get(tenant, resourceType, id, getOptions?: GetOptions) {
      if (hasNul(id)) return undefined;
      const withGroups = getOptions?.includeMemberOf === true;
      const { rows } = await db.query(
        `SELECT ${RECORD_COLUMNS}${withGroups ? `, ${memberOfJson(schema, getOptions, "$1", "$3")} AS member_of` : ""}
         FROM ${resources} WHERE tenant = $1 AND resource_type = $2 AND id = $3`,
        [tenant, resourceType, id],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      const record = toRecord(resourceType, row as unknown as ResourceRow);
      if (withGroups) Object.assign(record, { memberOf: groupRefs(row.member_of) });
      if (getOptions?.includeMembers !== true) return record;
      const members = await readMembers(db, tables, tenant, [id]);
      return Object.assign(record, { members: members.get(id) ?? [] });
    },

    async query(tenant, query) {
      const context = sqlContext(query);
      const page = query.page;
      const sortId =
        query.sort === undefined ? "id" : `${printPath(query.sort.path)} ${query.sort.order}`;
      let after: KeysetPosition | undefined;
      if (page.kind === "cursor" && page.cursor !== undefined) {
        const sortKind =
          query.sort === undefined ? undefined : compileSortKey(query.sort.path, context)?.kind;
        after = unwrap(decodeKeysetCursor(page.cursor, sortId, sortKind));
      }
      const count = page.kind === "all" ? undefined : Math.max(0, Math.floor(page.count));
      // One extra row tells a cursor page whether another page follows.
      const limit = count === undefined || page.kind !== "cursor" ? count : count + 1;
      const offset = page.kind === "index" ? Math.max(1, Math.floor(page.startIndex)) - 1 : 0;
      const compiled = compileListQuery(
        {
          tenant,
          filter: query.filter,
          sort: query.sort,
          ...(limit === undefined ? {} : { limit }),
          offset,
          ...(after === undefined ? {} : { after }),
          memberOf: query.includeMemberOf === true,
        },
        context,
      );
      if (compiled === undefined) {
        // Core passes only what `capabilities` accepted for this same target.
        throw new TypeError("postgresStore: query() got a filter or sort it cannot compile.");
      }

      let rows: ResourceRow[];
      let totalResults: number;
      if (offset === 0 && after === undefined && count !== 0) {
        // A first page that is not full holds every match, so it is its own count:
        // the lookups IdPs make before each create cost one statement, not two.
        rows = (await db.query(compiled.select.text, compiled.select.values))
          .rows as unknown as ResourceRow[];
        // A cursor page asks for one extra row (see above); fewer than asked is complete.
        const complete = limit === undefined || rows.length < limit;
        totalResults = complete
          ? rows.length
          : Number(
              (await db.query(compiled.count.text, compiled.count.values)).rows[0]?.total ?? 0,
            );
      } else {
        const totalPromise = db.query(compiled.count.text, compiled.count.values);
        const rowsPromise =
          count === 0
            ? Promise.resolve({ rows: [] })
            : db.query(compiled.select.text, compiled.select.values);
        const [totalResult, rowsResult] = await Promise.all([totalPromise, rowsPromise]);
        totalResults = Number(totalResult.rows[0]?.total ?? 0);
        rows = rowsResult.rows as unknown as ResourceRow[];
      }
      let nextCursor: string | undefined;
      if (page.kind === "cursor" && count !== undefined && rows.length > count) {
        rows = rows.slice(0, count);
        const last = rows[rows.length - 1];
        if (last !== undefined) {
          nextCursor = encodeKeysetCursor(sortId, { value: last.sort_key ?? null, id: last.id });
        }
      }
      let records = rows.map((row) => {
        const record = toRecord(query.resourceType, row);
        return query.includeMemberOf === true
          ? Object.assign(record, { memberOf: groupRefs(row.member_of) })
          : record;
      });
      if (query.includeMembers === true) {
        const members = await readMembers(
          db,
          tables,
          tenant,
          records.map((record) => record.id),
        );
        records = records.map((record) =>
          Object.assign(record, { members: members.get(record.id) ?? [] }),
        );
      }
      return { records, totalResults, ...(nextCursor === undefined ? {} : { nextCursor }) };
    },

    async update(tenant, input: UpdateInput): Promise<UpdatedRecord> {
      if (hasNul(input.id)) throw notFound(`Resource ${input.id} not found.`);
      const updated = await update(tenant, input);
      if (updated.membership !== undefined) statistics.wrote(updated.membership.added.length);
      return updated;
    },

    async delete(tenant, resourceType, id, deleteOptions) {
      if (hasNul(id)) return false;
      return deleteRecord(db, tables, tenant, resourceType, id, deleteOptions);
    },

    async softDelete(tenant, resourceType, id, deleteOptions) {
      if (!isInstant(deleteOptions?.purgeAfter)) {
        throw new TypeError("postgresStore.softDelete: `purgeAfter` must be an ISO-8601 instant.");
      }
      if (hasNul(id)) return false;
      return trashRecord(db, tables, tenant, resourceType, id, deleteOptions);
    },

    async purgeDeleted(before, purgeOptions) {
      if (!isInstant(before)) {
        throw new TypeError("postgresStore.purgeDeleted: `before` must be an ISO-8601 instant.");
      }
      return purgeTrash(db, tables, before, purgeOptions);
    },

    async restoreDeleted(tenant, resourceType, id, restoreOptions) {
      if (hasNul(id)) return undefined;
      return transact((transaction) =>
        restoreFromTrash(transaction, tables, tenant, resourceType, id, restoreOptions),
      );
    },

    async memberOf(tenant, memberId, names = {}) {
      if (hasNul(memberId)) return [];
      const { rows } = await db.query(
        `SELECT ${memberOfJson(schema, names, "$1", "$2")} AS member_of`,
        [tenant, memberId],
      );
      return groupRefs(rows[0]?.member_of);
    },

    async resourceTypesOf(tenant, allIds) {
      const ids = allIds.filter((id) => !hasNul(id));
      if (ids.length === 0) return new Map();
      return resourceTypes(tenant, ids);
    },

    feed: changeFeed(db, tables),
    tenants: tenantStore(db, transact, tables),
    log: provisioningLog(db, tables),
  };
  return store;
}
