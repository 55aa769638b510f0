import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresStore } from "../src";
import { DISTRIBUTED_TABLES, REFERENCE_TABLES } from "./distribution-rules";
import { type Driver, driverFactories, uniqueSchema } from "./drivers";

/**
 * Citus is not installable here, so its rules for a schema distributed by tenant
 * are checked on the migrated catalog: every table is either distributed (key
 * and unique indexes lead with `tenant text`) or a listed reference table;
 * foreign keys only between distributed tables and led by the tenant; no
 * sequences or identity columns. The statements are checked
 * in conformance.test.ts, on everything the conformance suite made the store send.
 */
describe.each(driverFactories)("schema distributable by tenant on %s", (_name, open) => {
  let driver: Driver;
  const schema = uniqueSchema("scimkit_citus");
  const sql = async (text: string) =>
    (await driver.client.query(text, [schema])).rows as Record<string, unknown>[];

  beforeAll(async () => {
    driver = await open();
    await postgresStore({ client: driver.client, schema }).migrate();
  }, 120_000);

  afterAll(async () => {
    await driver?.dropSchema(schema);
    await driver?.close();
  });

  it("has exactly the distributed and reference tables the README lists", async () => {
    const tables = await sql(
      `SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY relname`,
    );
    expect(tables.map((row) => row.relname).sort()).toEqual(
      [...DISTRIBUTED_TABLES, ...Object.keys(REFERENCE_TABLES)].sort(),
    );
  });

  it("gives every distributed table a tenant text column that leads its primary key and unique indexes", async () => {
    const keys = await sql(
      `SELECT c.relname AS table_name, i.relname AS index_name, x.indisprimary AS is_primary,
         (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = x.indkey[0]) AS first_column,
         (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
           WHERE a.attrelid = c.oid AND a.attname = 'tenant') AS tenant_type
       FROM pg_index x
       JOIN pg_class c ON c.oid = x.indrelid
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND x.indisunique`,
    );
    for (const table of DISTRIBUTED_TABLES) {
      const unique = keys.filter((row) => row.table_name === table);
      expect(
        unique.filter((row) => row.is_primary),
        `${table} has a primary key`,
      ).toHaveLength(1);
      for (const index of unique) {
        expect(index.first_column, `${index.index_name} leads with tenant`).toBe("tenant");
        expect(index.tenant_type, `${table}.tenant is text`).toBe("text");
      }
    }
  });

  it("has foreign keys only between distributed tables, on columns led by tenant", async () => {
    // Citus accepts a foreign key between colocated distributed tables when it
    // includes the distribution column on both sides; here that is the first column.
    const keys = await sql(
      `SELECT c.conname, c.conrelid::regclass::text AS from_table, c.confrelid::regclass::text AS to_table,
         (SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = c.conkey[1]) AS from_first,
         (SELECT attname FROM pg_attribute WHERE attrelid = c.confrelid AND attnum = c.confkey[1]) AS to_first
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
       WHERE n.nspname = $1 AND c.contype = 'f'`,
    );
    expect(keys.map((key) => key.conname)).toEqual(["memberships_member_fkey"]);
    const unqualified = (name: unknown) => String(name).replace(/^.*\./, "").replaceAll('"', "");
    for (const key of keys) {
      expect(DISTRIBUTED_TABLES).toContain(unqualified(key.from_table));
      expect(DISTRIBUTED_TABLES).toContain(unqualified(key.to_table));
      expect([key.from_first, key.to_first]).toEqual(["tenant", "tenant"]);
    }
  });

  it("has no sequences or identity columns", async () => {
    expect(
      await sql(
        `SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind = 'S'`,
      ),
    ).toEqual([]);
    expect(
      await sql(
        `SELECT c.relname, a.attname FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND a.attnum > 0 AND NOT a.attisdropped
           AND (a.attidentity <> '' OR a.attgenerated <> '')`,
      ),
    ).toEqual([]);
    expect(
      await sql(
        `SELECT pg_get_expr(d.adbin, d.adrelid) AS expression FROM pg_attrdef d
         JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND pg_get_expr(d.adbin, d.adrelid) LIKE '%nextval%'`,
      ),
    ).toEqual([]);
  });
});
