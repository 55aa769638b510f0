import {
  type AppliedMembership,
  type CreateInput,
  type GetOptions,
  type GroupRef,
  type MemberRef,
  notFound,
  type PurgedRecordRef,
  printPath,
  queryInMemory,
  ScimError,
  type ScimObject,
  type ScimStore,
  STORE_SPECIFICATION_VERSION,
  type StoredRecord,
  type StoreQuery,
  type StoreQueryResult,
  type UniqueKey,
  type UpdatedRecord,
  type UpdateInput,
  unwrap,
} from "@scimkit/core";
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
import { decodeCursor, encodeCursor } from "./cursor";
import { runMigrations } from "./migrations";
import { identifier, SqlParameters } from "./sql-parameters";

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
   * per second). Only a `pg` Pool supports them. Turn this off behind a pooler in
   * transaction mode that does not track prepared statements (PgBouncer before
   * 1.21, or with `max_prepared_statements = 0`).
   * @default true for a `pg` Pool; PGlite never uses them
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
const UNIQUE_VIOLATION = "23505";

interface ResourceRow {
  readonly id: string;
  readonly version: number | string;
  readonly created: string;
  readonly last_modified: string;
  readonly data: ScimObject | string;
  readonly sort_key?: string | null;
}

const toRecord = (resourceType: string, row: ResourceRow): StoredRecord => ({
  resourceType,
  id: row.id,
  version: Number(row.version),
  created: row.created,
  lastModified: row.last_modified,
  data: typeof row.data === "string" ? (JSON.parse(row.data) as ScimObject) : row.data,
});

const memberRef = (row: Record<string, unknown>): MemberRef => ({
  value: row.member_id as string,
  type: row.member_type as string,
  ...(row.display === null || row.display === undefined ? {} : { display: row.display as string }),
});

const isUniqueViolation = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  (error as { code?: unknown }).code === UNIQUE_VIOLATION;

const uniquenessError = (keys: readonly UniqueKey[], cause: unknown) =>
  new ScimError({
    status: 409,
    scimType: "uniqueness",
    detail:
      keys.length === 0
        ? "A resource with this id already exists."
        : `The value of ${keys.map((key) => `"${key.attribute}"`).join(" or ")} is already in use.`,
    code: "uniqueness",
    cause,
  });

const versionConflict = (id: string) =>
  new ScimError({
    status: 412,
    detail: `Resource ${id} was changed by another request; fetch it again and retry.`,
    code: "version_conflict",
  });

const json = (value: unknown) => JSON.stringify(value);

/** An ISO-8601 instant as core writes it (`toISOString`), from a timestamptz. */
const isoInstant = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const isInstant = (value: unknown): value is string =>
  typeof value === "string" && !Number.isNaN(Date.parse(value));

/** PostgreSQL text and jsonb cannot hold U+0000, so no stored id or value contains it. */
const hasNul = (text: string) => text.includes("\u0000");

// 22P05: jsonb rejects \u0000; 22021: text rejects a NUL byte.
const UNSTORABLE = new Set(["22P05", "22021"]);
const isUnstorable = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  UNSTORABLE.has((error as { code?: unknown }).code as string);

const unstorableError = (cause: unknown) =>
  new ScimError({
    status: 400,
    scimType: "invalidValue",
    detail: "Values must not contain the NUL character (U+0000).",
    code: "value.nul_character",
    cause,
  });

/**
 * A SCIM store on PostgreSQL: filters and sorts compiled to parameterised SQL,
 * group memberships as rows (one member change touches one row), every write in
 * one transaction with the record row locked, uniqueness enforced by a primary
 * key so concurrent creates have exactly one winner. Runs on a `pg` Pool or on
 * PGlite. Call `migrate()` once before use.
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  if (options === null || typeof options !== "object") {
    throw new TypeError("postgresStore: options are required.");
  }
  const { client } = options;
  if (!isPostgresClient(client)) {
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
  const named = isPgPool(client) && options.preparedStatements !== false;
  /** What reads run on: the client, naming statements when `named`. */
  const db: Queryable = named ? withNamedStatements(client) : client;
  /** `inTransaction`, naming the transaction's statements when `named`. */
  const transact = <T>(callback: (transaction: Queryable) => Promise<T>): Promise<T> =>
    inTransaction(client, (connection) =>
      callback(named ? withNamedStatements(connection) : connection),
    );
  const schema = identifier(schemaName);
  const resources = `${schema}.resources`;
  const memberships = `${schema}.memberships`;
  const uniqueKeys = `${schema}.unique_keys`;
  const deletedResources = `${schema}.deleted_resources`;

  // Capabilities are judged without knowing the type's relation attributes; a query
  // whose relation paths turn out not to compile falls back to memory (see query).
  const probeContext: SqlContext = { schema, row: "r", resourceType: "" };

  const readMembers = async (
    queryable: Queryable,
    tenant: string,
    groupIds: readonly string[],
  ): Promise<Map<string, MemberRef[]>> => {
    const byGroup = new Map<string, MemberRef[]>(groupIds.map((id) => [id, []]));
    if (groupIds.length === 0) return byGroup;
    const { rows } = await queryable.query(
      `SELECT group_id, member_id, member_type, display FROM ${memberships}
       WHERE tenant = $1 AND group_id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))
       ORDER BY position`,
      [tenant, json(groupIds)],
    );
    for (const row of rows) byGroup.get(row.group_id as string)?.push(memberRef(row));
    return byGroup;
  };

  const writeUniqueKeys = async (
    transaction: Queryable,
    tenant: string,
    resourceType: string,
    id: string,
    keys: readonly UniqueKey[],
  ) => {
    if (keys.length === 0) return;
    await transaction.query(
      `INSERT INTO ${uniqueKeys} (tenant, resource_type, attribute, value, id)
       SELECT $1, $2, key.attribute, key.value, $3
       FROM jsonb_to_recordset($4::jsonb) AS key(attribute text, value text)`,
      [tenant, resourceType, id, json(keys)],
    );
  };

  const insertMembers = async (
    transaction: Queryable,
    tenant: string,
    groupType: string,
    groupId: string,
    members: readonly MemberRef[],
  ): Promise<string[]> => {
    if (members.length === 0) return [];
    const { rows } = await transaction.query(
      `INSERT INTO ${memberships} (tenant, group_type, group_id, member_id, member_type, display)
       SELECT $1, $2, $3, member.item ->> 'value', member.item ->> 'type', member.item ->> 'display'
       FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS member(item, ordinal)
       ORDER BY member.ordinal
       ON CONFLICT (tenant, group_id, member_id) DO NOTHING
       RETURNING member_id`,
      [tenant, groupType, groupId, json(members)],
    );
    return rows.map((row) => row.member_id as string);
  };

  /** Core's evaluator over every record of the type: for relation paths SQL cannot express. */
  const queryInMemoryFallback = async (
    tenant: string,
    query: StoreQuery,
  ): Promise<StoreQueryResult> => {
    const { rows } = await db.query(
      `SELECT id, version, created, last_modified, data FROM ${resources}
       WHERE tenant = $1 AND resource_type = $2 ORDER BY id`,
      [tenant, query.resourceType],
    );
    const records = rows.map((row) => toRecord(query.resourceType, row as unknown as ResourceRow));
    const members = await readMembers(
      db,
      tenant,
      records.map((record) => record.id),
    );
    const groups = new Map<string, GroupRef[]>();
    if (query.memberOfAttribute !== undefined) {
      const { rows: groupRows } = await db.query(
        `SELECT m.member_id, m.group_type, m.group_id, g.data ->> 'displayName' AS display
         FROM ${memberships} m JOIN ${resources} g
           ON g.tenant = m.tenant AND g.resource_type = m.group_type AND g.id = m.group_id
         WHERE m.tenant = $1`,
        [tenant],
      );
      for (const row of groupRows) {
        const list = groups.get(row.member_id as string) ?? [];
        list.push({
          resourceType: row.group_type as string,
          id: row.group_id as string,
          ...(row.display === null ? {} : { display: row.display as string }),
        });
        groups.set(row.member_id as string, list);
      }
    }
    const withMembers = records.map((record) => ({
      ...record,
      members: members.get(record.id) ?? [],
    }));
    return unwrap(
      queryInMemory(withMembers, query, { memberOf: (record) => groups.get(record.id) ?? [] }),
    );
  };

  const store: PostgresStore = {
    specificationVersion: STORE_SPECIFICATION_VERSION,
    schema: schemaName,

    capabilities: {
      filter: (filter) =>
        new FilterCompiler(probeContext, new SqlParameters()).compile(filter) !== undefined,
      sort: (path) => compileSortKey(path, probeContext) !== undefined,
      cursor: true,
    },

    async migrate() {
      return { applied: await runMigrations(client, schemaName, schema) };
    },

    async create(tenant, input: CreateInput) {
      try {
        if (input.members === undefined || input.members.length === 0) {
          // One statement is its own transaction: the record and its unique keys commit
          // together or not at all, in one round trip instead of BEGIN..COMMIT's four
          // (the IdP's initial sync is mostly these creates).
          await db.query(
            `WITH inserted AS (
               INSERT INTO ${resources} (tenant, resource_type, id, version, created, last_modified, data)
               VALUES ($1, $2, $3, 1, $4, $4, $5::jsonb)
               RETURNING id
             )
             INSERT INTO ${uniqueKeys} (tenant, resource_type, attribute, value, id)
             SELECT $1, $2, key.attribute, key.value, inserted.id
             FROM inserted, jsonb_to_recordset($6::jsonb) AS key(attribute text, value text)`,
            [
              tenant,
              input.resourceType,
              input.id,
              input.created,
              json(input.data),
              json(input.uniqueKeys),
            ],
          );
        } else {
          await transact(async (transaction) => {
            await transaction.query(
              `INSERT INTO ${resources} (tenant, resource_type, id, version, created, last_modified, data)
             VALUES ($1, $2, $3, 1, $4, $4, $5::jsonb)`,
              [tenant, input.resourceType, input.id, input.created, json(input.data)],
            );
            await writeUniqueKeys(
              transaction,
              tenant,
              input.resourceType,
              input.id,
              input.uniqueKeys,
            );
            if (input.members !== undefined) {
              await insertMembers(transaction, tenant, input.resourceType, input.id, input.members);
            }
          });
        }
      } catch (error) {
        if (isUniqueViolation(error)) throw uniquenessError(input.uniqueKeys, error);
        if (isUnstorable(error)) throw unstorableError(error);
        throw error;
      }
      return {
        resourceType: input.resourceType,
        id: input.id,
        version: 1,
        created: input.created,
        lastModified: input.created,
        data: structuredClone(input.data),
      };
    },

    async get(tenant, resourceType, id, getOptions?: GetOptions) {
      if (hasNul(id)) return undefined;
      const { rows } = await db.query(
        `SELECT id, version, created, last_modified, data FROM ${resources}
         WHERE tenant = $1 AND resource_type = $2 AND id = $3`,
        [tenant, resourceType, id],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      const record = toRecord(resourceType, row as unknown as ResourceRow);
      if (getOptions?.includeMembers !== true) return record;
      const members = await readMembers(db, tenant, [id]);
      return { ...record, members: members.get(id) ?? [] };
    },

    async query(tenant, query) {
      const context: SqlContext = {
        schema,
        row: "r",
        resourceType: query.resourceType,
        membersAttribute: query.membersAttribute,
        memberOfAttribute: query.memberOfAttribute,
      };
      const page = query.page;
      const sortId =
        query.sort === undefined ? "id" : `${printPath(query.sort.path)} ${query.sort.order}`;
      let after: KeysetPosition | undefined;
      if (page.kind === "cursor" && page.cursor !== undefined) {
        const sortKind =
          query.sort === undefined ? undefined : compileSortKey(query.sort.path, context)?.kind;
        after = unwrap(decodeCursor(page.cursor, sortId, sortKind));
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
        },
        context,
      );
      if (compiled === undefined) return queryInMemoryFallback(tenant, query);

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
          nextCursor = encodeCursor(sortId, { value: last.sort_key ?? null, id: last.id });
        }
      }
      let records = rows.map((row) => toRecord(query.resourceType, row));
      if (query.includeMembers === true) {
        const members = await readMembers(
          db,
          tenant,
          records.map((record) => record.id),
        );
        records = records.map((record) => ({ ...record, members: members.get(record.id) ?? [] }));
      }
      return { records, totalResults, ...(nextCursor === undefined ? {} : { nextCursor }) };
    },

    async update(tenant, input: UpdateInput): Promise<UpdatedRecord> {
      const { resourceType, id } = input;
      if (hasNul(id)) throw notFound(`Resource ${id} not found.`);
      try {
        return await transact(async (transaction) => {
          // The row lock serialises writers of one record, so version checks and
          // membership deltas of concurrent PATCHes never interleave.
          const { rows } = await transaction.query(
            `SELECT id, version, created, last_modified, data FROM ${resources}
             WHERE tenant = $1 AND resource_type = $2 AND id = $3 FOR UPDATE`,
            [tenant, resourceType, id],
          );
          const current = rows[0] as unknown as ResourceRow | undefined;
          if (current === undefined) throw notFound(`Resource ${id} not found.`);
          const record = toRecord(resourceType, current);
          if (input.expectedVersion !== undefined && input.expectedVersion !== record.version) {
            throw versionConflict(id);
          }
          if (input.data !== undefined) {
            await transaction.query(
              `DELETE FROM ${uniqueKeys} WHERE tenant = $1 AND resource_type = $2 AND id = $3`,
              [tenant, resourceType, id],
            );
            await writeUniqueKeys(transaction, tenant, resourceType, id, input.uniqueKeys ?? []);
          }
          let membership: AppliedMembership | undefined;
          if (input.members !== undefined) {
            const delta = input.members;
            const removed: string[] = [];
            if (delta.replaceAll === true) {
              const { rows: deleted } = await transaction.query(
                `DELETE FROM ${memberships} WHERE tenant = $1 AND group_id = $2
                 AND NOT (member_id = ANY (ARRAY(SELECT jsonb_array_elements_text($3::jsonb))))
                 RETURNING member_id`,
                [tenant, id, json(delta.add.map((member) => member.value))],
              );
              for (const row of deleted) removed.push(row.member_id as string);
            }
            const added = await insertMembers(transaction, tenant, resourceType, id, delta.add);
            if (delta.remove.length > 0) {
              const { rows: deleted } = await transaction.query(
                `DELETE FROM ${memberships} WHERE tenant = $1 AND group_id = $2
                 AND member_id = ANY (ARRAY(SELECT jsonb_array_elements_text($3::jsonb)))
                 RETURNING member_id`,
                [tenant, id, json(delta.remove)],
              );
              for (const row of deleted) removed.push(row.member_id as string);
            }
            membership = { added, removed };
          }
          const changed =
            input.data !== undefined ||
            (membership !== undefined &&
              (membership.added.length > 0 || membership.removed.length > 0));
          if (!changed) return { ...record, ...(membership === undefined ? {} : { membership }) };
          const { rows: updated } = await transaction.query(
            `UPDATE ${resources} SET version = version + 1, last_modified = $4,
               data = COALESCE($5::jsonb, data)
             WHERE tenant = $1 AND resource_type = $2 AND id = $3
             RETURNING id, version, created, last_modified, data`,
            [
              tenant,
              resourceType,
              id,
              input.lastModified,
              input.data === undefined ? null : json(input.data),
            ],
          );
          const next = toRecord(resourceType, updated[0] as unknown as ResourceRow);
          return { ...next, ...(membership === undefined ? {} : { membership }) };
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw uniquenessError(input.uniqueKeys ?? [], error);
        if (isUnstorable(error)) throw unstorableError(error);
        throw error;
      }
    },

    async delete(tenant, resourceType, id) {
      if (hasNul(id)) return false;
      return transact(async (transaction) => {
        const { rows } = await transaction.query(
          `DELETE FROM ${resources} WHERE tenant = $1 AND resource_type = $2 AND id = $3 RETURNING id`,
          [tenant, resourceType, id],
        );
        if (rows.length === 0) return false;
        await transaction.query(
          `DELETE FROM ${uniqueKeys} WHERE tenant = $1 AND resource_type = $2 AND id = $3`,
          [tenant, resourceType, id],
        );
        await transaction.query(
          `DELETE FROM ${memberships} WHERE tenant = $1 AND (group_id = $2 OR member_id = $2)`,
          [tenant, id],
        );
        return true;
      });
    },

    async softDelete(tenant, resourceType, id, deleteOptions) {
      if (!isInstant(deleteOptions?.purgeAfter)) {
        throw new TypeError("postgresStore.softDelete: `purgeAfter` must be an ISO-8601 instant.");
      }
      if (hasNul(id)) return false;
      return transact(async (transaction) => {
        // One statement: every sub-statement sees the same snapshot, and the
        // record row's delete locks it against concurrent writers.
        const { rows } = await transaction.query(
          `WITH record AS (
             DELETE FROM ${resources} WHERE tenant = $1 AND resource_type = $2 AND id = $3
             RETURNING version, created, last_modified, data
           ), keys AS (
             DELETE FROM ${uniqueKeys}
             WHERE tenant = $1 AND resource_type = $2 AND id = $3 AND EXISTS (SELECT 1 FROM record)
             RETURNING attribute, value
           ), own AS (
             DELETE FROM ${memberships}
             WHERE tenant = $1 AND group_id = $3 AND EXISTS (SELECT 1 FROM record)
             RETURNING member_id, member_type, display, position
           ), belongs AS (
             DELETE FROM ${memberships}
             WHERE tenant = $1 AND member_id = $3 AND group_id <> $3 AND EXISTS (SELECT 1 FROM record)
             RETURNING group_type, group_id, member_type, display
           )
           INSERT INTO ${deletedResources} (tenant, resource_type, id, version, created,
             last_modified, data, unique_keys, members, member_of, purge_after)
           SELECT $1, $2, $3, record.version, record.created, record.last_modified, record.data,
             COALESCE((SELECT jsonb_agg(jsonb_build_object('attribute', attribute, 'value', value))
               FROM keys), '[]'::jsonb),
             COALESCE((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('value', member_id,
               'type', member_type, 'display', display)) ORDER BY position) FROM own), '[]'::jsonb),
             COALESCE((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('resourceType',
               group_type, 'id', group_id, 'type', member_type, 'display', display))) FROM belongs),
               '[]'::jsonb),
             $4::timestamptz
           FROM record
           ON CONFLICT (tenant, resource_type, id) DO UPDATE SET version = EXCLUDED.version,
             created = EXCLUDED.created, last_modified = EXCLUDED.last_modified,
             data = EXCLUDED.data, unique_keys = EXCLUDED.unique_keys, members = EXCLUDED.members,
             member_of = EXCLUDED.member_of, deleted_at = now(), purge_after = EXCLUDED.purge_after
           RETURNING id`,
          [tenant, resourceType, id, deleteOptions.purgeAfter],
        );
        return rows.length > 0;
      });
    },

    async purgeDeleted(before) {
      if (!isInstant(before)) {
        throw new TypeError("postgresStore.purgeDeleted: `before` must be an ISO-8601 instant.");
      }
      // A row two concurrent purges both match is deleted, and returned, by one of them.
      const { rows } = await transact((transaction) =>
        transaction.query(
          `DELETE FROM ${deletedResources} WHERE purge_after <= $1::timestamptz
           RETURNING tenant, resource_type, id, ${isoInstant("purge_after")} AS purge_after`,
          [before],
        ),
      );
      return rows.map(
        (row): PurgedRecordRef => ({
          tenant: row.tenant as string,
          resourceType: row.resource_type as string,
          id: row.id as string,
          purgeAfter: row.purge_after as string,
        }),
      );
    },

    async restoreDeleted(tenant, resourceType, id, restoreOptions) {
      if (hasNul(id)) return undefined;
      let keys: readonly UniqueKey[] = [];
      try {
        return await transact(async (transaction) => {
          const { rows } = await transaction.query(
            `DELETE FROM ${deletedResources} WHERE tenant = $1 AND resource_type = $2 AND id = $3
             RETURNING version, created, last_modified, data, unique_keys, members, member_of`,
            [tenant, resourceType, id],
          );
          const trashed = rows[0];
          if (trashed === undefined) return undefined;
          const parse = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);
          keys = parse(trashed.unique_keys) as UniqueKey[];
          const { rows: restored } = await transaction.query(
            `INSERT INTO ${resources} (tenant, resource_type, id, version, created, last_modified, data)
             VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
             RETURNING id, version, created, last_modified, data`,
            [
              tenant,
              resourceType,
              id,
              Number(trashed.version) + 1,
              trashed.created,
              restoreOptions.lastModified,
              json(parse(trashed.data)),
            ],
          );
          await writeUniqueKeys(transaction, tenant, resourceType, id, keys);
          // Memberships come back only where the other side is live; FOR KEY SHARE
          // keeps that side from being deleted before this transaction commits.
          await transaction.query(
            `INSERT INTO ${memberships} (tenant, group_type, group_id, member_id, member_type, display)
             SELECT $1, $2, $3, live.id, member.item ->> 'type', member.item ->> 'display'
             FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS member(item, ordinal)
             JOIN ${resources} live ON live.tenant = $1 AND live.id = member.item ->> 'value'
             ORDER BY member.ordinal
             FOR KEY SHARE OF live
             ON CONFLICT (tenant, group_id, member_id) DO NOTHING`,
            [tenant, resourceType, id, json(parse(trashed.members))],
          );
          await transaction.query(
            `INSERT INTO ${memberships} (tenant, group_type, group_id, member_id, member_type, display)
             SELECT $1, live.resource_type, live.id, $2, belongs.item ->> 'type', belongs.item ->> 'display'
             FROM jsonb_array_elements($3::jsonb) AS belongs(item)
             JOIN ${resources} live ON live.tenant = $1
               AND live.resource_type = belongs.item ->> 'resourceType'
               AND live.id = belongs.item ->> 'id'
             FOR KEY SHARE OF live
             ON CONFLICT (tenant, group_id, member_id) DO NOTHING`,
            [tenant, id, json(parse(trashed.member_of))],
          );
          return toRecord(resourceType, restored[0] as unknown as ResourceRow);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw uniquenessError(keys, error);
        throw error;
      }
    },

    async memberOf(tenant, memberId) {
      if (hasNul(memberId)) return [];
      const { rows } = await db.query(
        `SELECT m.group_type, m.group_id, g.data ->> 'displayName' AS display
         FROM ${memberships} m JOIN ${resources} g
           ON g.tenant = m.tenant AND g.resource_type = m.group_type AND g.id = m.group_id
         WHERE m.tenant = $1 AND m.member_id = $2`,
        [tenant, memberId],
      );
      return rows.map((row) => ({
        resourceType: row.group_type as string,
        id: row.group_id as string,
        ...(row.display === null || row.display === undefined
          ? {}
          : { display: row.display as string }),
      }));
    },

    async existing(tenant, allIds) {
      const ids = allIds.filter((id) => !hasNul(id));
      if (ids.length === 0) return new Set<string>();
      const { rows } = await db.query(
        `SELECT DISTINCT id FROM ${resources}
         WHERE tenant = $1 AND id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))`,
        [tenant, json(ids)],
      );
      return new Set(rows.map((row) => row.id as string));
    },

    async hasMembers(tenant, _resourceType, id, allMemberIds) {
      const memberIds = allMemberIds.filter((memberId) => !hasNul(memberId));
      if (memberIds.length === 0 || hasNul(id)) return [];
      const { rows } = await db.query(
        `SELECT member_id FROM ${memberships}
         WHERE tenant = $1 AND group_id = $2
           AND member_id = ANY (ARRAY(SELECT jsonb_array_elements_text($3::jsonb)))`,
        [tenant, id, json(memberIds)],
      );
      return rows.map((row) => row.member_id as string);
    },
  };
  return store;
}
