import { ALL_TENANTS } from "./change-feed";
import { inTransaction, type PostgresClient } from "./client";
import { MEMBER_REFERENCE } from "./rows";

/** One versioned step of the store's schema. Versions only grow; applied steps never change. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements run in order, in one transaction; `schema` is already quoted. */
  readonly statements: (schema: string) => readonly string[];
}

/**
 * The store's migrations. The three expression indexes serve the lookups IdPs
 * make before every create (`userName eq`, `externalId eq`, `displayName eq`);
 * the filter compiler emits exactly these expressions so the planner can use them.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "resources, unique keys, memberships",
    statements: (schema) => [
      `CREATE TABLE ${schema}.resources (
        tenant text NOT NULL,
        resource_type text NOT NULL,
        id text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        created text NOT NULL,
        last_modified text NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (tenant, resource_type, id)
      )`,
      `CREATE INDEX resources_by_id ON ${schema}.resources (tenant, id)`,
      `CREATE INDEX resources_by_user_name ON ${schema}.resources (tenant, resource_type, lower(data ->> 'userName'))`,
      `CREATE INDEX resources_by_external_id ON ${schema}.resources (tenant, resource_type, (data ->> 'externalId'))`,
      `CREATE INDEX resources_by_display_name ON ${schema}.resources (tenant, resource_type, lower(data ->> 'displayName'))`,
      `CREATE TABLE ${schema}.unique_keys (
        tenant text NOT NULL,
        resource_type text NOT NULL,
        attribute text NOT NULL,
        value text NOT NULL,
        id text NOT NULL,
        PRIMARY KEY (tenant, resource_type, attribute, value)
      )`,
      `CREATE INDEX unique_keys_by_owner ON ${schema}.unique_keys (tenant, resource_type, id)`,
      `CREATE TABLE ${schema}.memberships (
        tenant text NOT NULL,
        group_type text NOT NULL,
        group_id text NOT NULL,
        member_id text NOT NULL,
        member_type text NOT NULL,
        display text,
        position bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (tenant, group_id, member_id)
      )`,
      `CREATE INDEX memberships_by_member ON ${schema}.memberships (tenant, member_id)`,
      // Filters compare dateTime values held in JSON; a malformed one must not fail the query.
      `CREATE FUNCTION ${schema}.to_timestamptz(value text) RETURNS timestamptz
        LANGUAGE plpgsql STABLE AS $$
        BEGIN
          RETURN value::timestamptz;
        EXCEPTION WHEN others THEN
          RETURN NULL;
        END
        $$`,
      `CREATE FUNCTION ${schema}.to_numeric(value text) RETURNS numeric
        LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
          RETURN btrim(value)::numeric;
        EXCEPTION WHEN others THEN
          RETURN NULL;
        END
        $$`,
      // RFC 7644 pr: null, "", [] and objects without a present member are absent.
      `CREATE FUNCTION ${schema}.is_present(value jsonb) RETURNS boolean
        LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
          RETURN CASE jsonb_typeof(value)
            WHEN 'null' THEN false
            WHEN 'string' THEN value <> '""'::jsonb
            WHEN 'array' THEN EXISTS (
              SELECT 1 FROM jsonb_array_elements(value) AS element(item)
              WHERE ${schema}.is_present(element.item))
            WHEN 'object' THEN EXISTS (
              SELECT 1 FROM jsonb_each(value) AS member(key, item)
              WHERE jsonb_typeof(member.item) <> 'null'
                AND member.item NOT IN ('""'::jsonb, '[]'::jsonb))
            ELSE value IS NOT NULL
          END;
        END
        $$`,
    ],
  },
  {
    version: 2,
    name: "trash for soft-deleted resources",
    // A table of its own, so the live tables, their indexes and every hot query
    // stay exactly as they were. Each trashed record keeps what it was removed
    // with: its unique keys, its own members and the groups it was in.
    statements: (schema) => [
      `CREATE TABLE ${schema}.deleted_resources (
        tenant text NOT NULL,
        resource_type text NOT NULL,
        id text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        created text NOT NULL,
        last_modified text NOT NULL,
        data jsonb NOT NULL,
        unique_keys jsonb NOT NULL,
        members jsonb NOT NULL,
        member_of jsonb NOT NULL,
        deleted_at timestamptz NOT NULL DEFAULT now(),
        purge_after timestamptz NOT NULL,
        PRIMARY KEY (tenant, resource_type, id)
      )`,
      `CREATE INDEX deleted_resources_by_purge_after ON ${schema}.deleted_resources (purge_after)`,
    ],
  },
  {
    version: 3,
    name: "change feed, tenants and tokens, provisioning log; memberships ordered without a sequence",
    statements: (schema) => [
      // A sequence cannot be distributed by tenant (Citus hands out values per node),
      // so a member's place is (the group version that added it, its place in that
      // write). Rows from before keep their sequence values under version 0, first.
      `ALTER TABLE ${schema}.memberships ALTER COLUMN position DROP IDENTITY`,
      `ALTER TABLE ${schema}.memberships ALTER COLUMN position SET DEFAULT 0`,
      `ALTER TABLE ${schema}.memberships ADD COLUMN added_version bigint NOT NULL DEFAULT 0`,
      // Writers append here, in their own transaction, without any lock: no write
      // waits for another tenant's or its own tenant's feed.
      `CREATE TABLE ${schema}.pending_changes (
        tenant text NOT NULL,
        lsn pg_lsn NOT NULL,
        xid xid8 NOT NULL,
        ordinal integer NOT NULL,
        type text NOT NULL,
        resource_type text NOT NULL,
        id text NOT NULL,
        time timestamptz NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (tenant, lsn, xid, ordinal)
      )`,
      // Readers move committed pending changes here under the tenant's head row
      // lock, numbering them 1, 2, 3, ... in the order they became visible.
      `CREATE TABLE ${schema}.changes (
        tenant text NOT NULL,
        position bigint NOT NULL,
        type text NOT NULL,
        resource_type text NOT NULL,
        id text NOT NULL,
        time timestamptz NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (tenant, position)
      )`,
      `CREATE INDEX changes_by_time ON ${schema}.changes (time)`,
      `CREATE TABLE ${schema}.change_heads (
        tenant text NOT NULL,
        position bigint NOT NULL,
        PRIMARY KEY (tenant)
      )`,
      `CREATE TABLE ${schema}.feed_leases (
        name text NOT NULL,
        holder text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (name)
      )`,
      `CREATE TABLE ${schema}.feed_checkpoints (
        tenant text NOT NULL,
        consumer text NOT NULL,
        position bigint NOT NULL,
        PRIMARY KEY (tenant, consumer)
      )`,
      `CREATE INDEX feed_checkpoints_by_consumer ON ${schema}.feed_checkpoints (consumer)`,
      `CREATE TABLE ${schema}.dead_letters (
        tenant text NOT NULL,
        consumer text NOT NULL,
        position bigint NOT NULL,
        type text NOT NULL,
        resource_type text NOT NULL,
        id text NOT NULL,
        attempts integer NOT NULL,
        error text NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (tenant, consumer, position)
      )`,
      `CREATE INDEX dead_letters_by_consumer ON ${schema}.dead_letters (consumer, at, position)`,
      `CREATE TABLE ${schema}.tenants (
        tenant text COLLATE "C" NOT NULL,
        name text NOT NULL,
        disabled boolean NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant)
      )`,
      // Only the SHA-256 of a token is stored; the hash is unique over all tenants.
      `CREATE TABLE ${schema}.tokens (
        tenant text NOT NULL,
        id text COLLATE "C" NOT NULL,
        sha256 text NOT NULL,
        description text NOT NULL,
        hint text NOT NULL,
        created_at timestamptz NOT NULL,
        last_used_at timestamptz,
        expires_at timestamptz,
        PRIMARY KEY (tenant, id),
        UNIQUE (sha256)
      )`,
      // Times are core's ISO-8601 strings, compared as strings (C collation), as
      // the reference store does: for toISOString values that is time order.
      `CREATE TABLE ${schema}.provisioning_log (
        tenant text NOT NULL,
        time text COLLATE "C" NOT NULL,
        id text COLLATE "C" NOT NULL,
        token_id text,
        method text NOT NULL,
        path text NOT NULL,
        status integer NOT NULL,
        scim_type text,
        detail text,
        resource_type text,
        resource_id text,
        changed_attributes jsonb,
        duration_ms double precision NOT NULL,
        idp text,
        PRIMARY KEY (tenant, time, id)
      )`,
      `CREATE INDEX provisioning_log_by_resource ON ${schema}.provisioning_log (tenant, resource_id, time)`,
      `CREATE INDEX provisioning_log_by_time ON ${schema}.provisioning_log (time)`,
    ],
  },
  {
    version: 4,
    name: "secondary indexes lead with their selective column",
    // Every secondary index used to start with (tenant, resource_type) or (tenant),
    // the primary key's prefix. Without statistics (PGlite never gathers any; a
    // fresh PostgreSQL schema has none until autovacuum runs, and a prepared
    // statement keeps the plan it made on the empty table) the planner cannot
    // tell a lookup by id from a scan of the whole tenant through the smallest
    // such index, and often picks the scan: every get, update and lookup then
    // grows with the directory. Led by the value they look up, these indexes are
    // useless for any other query, so that choice no longer exists.
    statements: (schema) => [
      `DROP INDEX ${schema}.resources_by_user_name`,
      `CREATE INDEX resources_by_user_name ON ${schema}.resources (lower(data ->> 'userName'), tenant, resource_type)`,
      `DROP INDEX ${schema}.resources_by_external_id`,
      `CREATE INDEX resources_by_external_id ON ${schema}.resources ((data ->> 'externalId'), tenant, resource_type)`,
      `DROP INDEX ${schema}.resources_by_display_name`,
      `CREATE INDEX resources_by_display_name ON ${schema}.resources (lower(data ->> 'displayName'), tenant, resource_type)`,
      `DROP INDEX ${schema}.resources_by_id`,
      `CREATE INDEX resources_by_id ON ${schema}.resources (id, tenant)`,
      `DROP INDEX ${schema}.memberships_by_member`,
      `CREATE INDEX memberships_by_member ON ${schema}.memberships (member_id, tenant)`,
      `DROP INDEX ${schema}.unique_keys_by_owner`,
      `CREATE INDEX unique_keys_by_owner ON ${schema}.unique_keys (id, tenant, resource_type)`,
    ],
  },
  {
    version: 5,
    name: "no planner statistics on whole resource documents",
    // No statement compares `data` as a whole (filters read its members, whose
    // statistics come from the expression indexes), yet ANALYZE spent half its time
    // on the column: on PGlite, whose one connection waits for it, the store's
    // background refresh of 100 000 users fell from ~420 to ~230 ms.
    statements: (schema) => [`ALTER TABLE ${schema}.resources ALTER COLUMN data SET STATISTICS 0`],
  },
  {
    version: 6,
    name: "a membership row cannot outlive its member",
    // Core checks that members exist before a write adds them, and a delete removes
    // the member's rows; but a delete that committed between the check and the add,
    // or whose snapshot predates the add's commit, left a row naming a deleted
    // member. The foreign key closes both windows the way PostgreSQL does for any
    // reference: the add's check locks the member's row (so a delete waits for the
    // add, and its cascade, run on a fresh snapshot, removes the new row) and fails
    // when the member is already gone (the store then retries without it). It leads
    // with the tenant, so Citus accepts it between the colocated tables. Rows that
    // the old race left behind go first, or the constraint could not be added.
    statements: (schema) => [
      `${ALL_TENANTS} DELETE FROM ${schema}.memberships m WHERE NOT EXISTS (
        SELECT 1 FROM ${schema}.resources r
        WHERE r.tenant = m.tenant AND r.resource_type = m.member_type AND r.id = m.member_id)`,
      `ALTER TABLE ${schema}.memberships ADD CONSTRAINT ${MEMBER_REFERENCE}
        FOREIGN KEY (tenant, member_type, member_id)
        REFERENCES ${schema}.resources (tenant, resource_type, id) ON DELETE CASCADE`,
    ],
  },
];

/** The latest migration version this package knows. */
export const LATEST_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Applies every pending migration in one transaction. Idempotent, and safe when
 * several app instances start at once: a transaction-scoped advisory lock keyed
 * by the schema name serialises them, and each sees what the previous one applied.
 * Returns the versions it applied (empty when the schema was up to date).
 */
export async function runMigrations(
  client: PostgresClient,
  schemaName: string,
  quotedSchema: string,
): Promise<number[]> {
  return inTransaction(client, async (transaction) => {
    await transaction.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
      `scimkit.migrate:${schemaName}`,
    ]);
    await transaction.query(`CREATE SCHEMA IF NOT EXISTS ${quotedSchema}`);
    await transaction.query(
      `CREATE TABLE IF NOT EXISTS ${quotedSchema}.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const { rows } = await transaction.query(
      `SELECT version FROM ${quotedSchema}.schema_migrations`,
    );
    const applied = new Set(rows.map((row) => Number(row.version)));
    const newlyApplied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements(quotedSchema)) {
        await transaction.query(statement);
      }
      await transaction.query(
        `INSERT INTO ${quotedSchema}.schema_migrations (version, name) VALUES ($1, $2)`,
        [migration.version, migration.name],
      );
      newlyApplied.push(migration.version);
    }
    return newlyApplied;
  });
}
