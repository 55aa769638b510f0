import { runStoreConformance } from "@scimkit/store-tests";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresStore, postgresStore } from "../src";
import {
  ALL_TENANT_STATEMENTS,
  checkStatement,
  isDataStatement,
  type RecordedStatement,
  recordingClient,
} from "./distribution-rules";
import { type Driver, driverFactories, uniqueSchema } from "./drivers";

for (const [name, open] of driverFactories) {
  // One database and schema per driver for the whole suite: starting PGlite takes
  // seconds, and the suite gives every test fresh tenants anyway.
  const schema = uniqueSchema("scimkit_conformance");
  let opened: Promise<{ driver: Driver; store: PostgresStore }> | undefined;
  /** Every statement the store sends during the suite, for the distribution rules below. */
  const recorded = new Map<string, RecordedStatement>();
  const shared = () => {
    opened ??= (async () => {
      const driver = await open();
      const store = postgresStore({ client: recordingClient(driver.client, recorded), schema });
      await store.migrate();
      return { driver, store };
    })();
    return opened;
  };

  // Opening PGlite can take many seconds on a busy machine: do it before any test hook.
  beforeAll(async () => {
    await shared();
  }, 120_000);

  afterAll(async () => {
    if (opened === undefined) return;
    const { driver } = await opened;
    await driver.dropSchema(schema);
    await driver.close();
  });

  runStoreConformance({
    name: `postgresStore on ${name}`,
    createStore: async () => (await shared()).store,
    backdoor: (store) => ({
      async readRecord(tenant, resourceType, id) {
        const { driver } = await shared();
        const { rows } = await driver.client.query(
          `SELECT id, version, created, last_modified, data FROM "${store.schema}".resources
           WHERE tenant = $1 AND resource_type = $2 AND id = $3`,
          [tenant, resourceType, id],
        );
        const row = rows[0];
        if (row === undefined) return undefined;
        return {
          id: row.id as string,
          version: Number(row.version),
          created: row.created as string,
          lastModified: row.last_modified as string,
          data: row.data as Record<string, unknown>,
        };
      },
      async readMembers(tenant, groupId) {
        const { driver } = await shared();
        const { rows } = await driver.client.query(
          `SELECT member_id FROM "${store.schema}".memberships WHERE tenant = $1 AND group_id = $2`,
          [tenant, groupId],
        );
        return rows.map((row) => row.member_id as string);
      },
      async readDeleted(tenant, resourceType, id) {
        const { driver } = await shared();
        const { rows } = await driver.client.query(
          `SELECT id, version, (extract(epoch FROM purge_after) * 1000)::float8 AS purge_after, data, members, member_of
           FROM "${store.schema}".deleted_resources
           WHERE tenant = $1 AND resource_type = $2 AND id = $3`,
          [tenant, resourceType, id],
        );
        const row = rows[0];
        if (row === undefined) return undefined;
        return {
          id: row.id as string,
          version: Number(row.version),
          purgeAfter: new Date(Number(row.purge_after)).toISOString(),
          data: row.data as Record<string, unknown>,
          members: (row.members as { value: string }[]).map((member) => member.value),
          memberOf: (row.member_of as { id: string }[]).map((group) => group.id),
        };
      },
    }),
  });

  // Runs after the suite (vitest runs a file's blocks in order), on what it sent.
  describe(`statements the suite made the store send on ${name}`, () => {
    it("are each tenant-scoped, or one of the listed all-tenant statements joining only on the tenant", async () => {
      const { driver } = await shared();
      const statements = [...recorded.values()].filter((statement) =>
        isDataStatement(statement.text, schema),
      );
      expect(statements.length).toBeGreaterThan(50);
      const problems: string[] = [];
      for (const statement of statements) {
        for (const problem of await checkStatement(driver.client, statement)) {
          problems.push(`${problem}: ${statement.text.replace(/\s+/g, " ").slice(0, 2000)}`);
        }
      }
      expect(problems).toEqual([]);
      // Every listed all-tenant statement was seen, so the list stays exact.
      for (const [purpose, pattern] of Object.entries(ALL_TENANT_STATEMENTS)) {
        expect(
          statements.some((statement) => pattern.test(statement.text)),
          purpose,
        ).toBe(true);
      }
    });
  });
}
