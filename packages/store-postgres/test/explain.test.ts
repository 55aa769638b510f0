import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresStore, postgresStore, type Queryable } from "../src";
import { type Driver, driverFactories, uniqueSchema } from "./drivers";
import { bound } from "./helpers";

const ROWS = 12_000;
const UNANALYZED_ROWS = 3_000;
const tenant = "explain";

const cases = driverFactories.flatMap(
  ([name, open]) =>
    [
      [name, "with statistics", open, true],
      [name, "without statistics (PGlite never gathers any)", open, false],
    ] as const,
);

describe.each(cases)("index use on %s %s", (_name, _statistics, open, analyze) => {
  let driver: Driver;
  let schema: string;
  let store: PostgresStore;
  const statements: { text: string; values: unknown[] }[] = [];

  beforeAll(async () => {
    driver = await open();
    schema = uniqueSchema("scimkit_explain");
    const writer = postgresStore({ client: driver.client, schema });
    await writer.migrate();
    if (analyze) {
      // Enough rows, and fresh statistics, that the planner picks an index on its own merits.
      for (const type of ["User", "Group"]) {
        await driver.client.query(
          `INSERT INTO "${schema}".resources (tenant, resource_type, id, version, created, last_modified, data)
           SELECT $1, $2, $2 || '-' || n, 1, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z',
             jsonb_build_object('userName', 'user' || n, 'displayName', 'Name ' || n, 'externalId', 'ext-' || n)
           FROM generate_series(1, ${ROWS}) AS n`,
          [tenant, type],
        );
      }
      await driver.client.query(`ANALYZE "${schema}".resources`);
    } else {
      // Written one row at a time, as an IdP's sync writes them, and never analysed
      // (the store's own statistics refresh is bypassed: plain INSERTs).
      for (let n = 1; n <= UNANALYZED_ROWS; n += 1) {
        for (const type of ["User", "Group"]) {
          await driver.client.query(
            `INSERT INTO "${schema}".resources (tenant, resource_type, id, version, created, last_modified, data)
             VALUES ($1, $2, $3, 1, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', $4)`,
            [
              tenant,
              type,
              `${type}-${n}`,
              { userName: `user${n}`, displayName: `Name ${n}`, externalId: `ext-${n}` },
            ],
          );
        }
      }
    }
    // Every user in two groups, so reading a page's groups has rows to find.
    const users = analyze ? ROWS : UNANALYZED_ROWS;
    await driver.client.query(
      `INSERT INTO "${schema}".memberships (tenant, group_type, group_id, member_id, member_type)
       SELECT $1, 'Group', 'Group-' || (n % 50 + g), 'User-' || n, 'User'
       FROM generate_series(1, ${users}) AS n, generate_series(1, 2) AS g`,
      [tenant],
    );
    if (analyze) await driver.client.query(`ANALYZE "${schema}".memberships`);
    const recorder: Queryable & { transaction: unknown } = {
      query: (text, values = []) => {
        statements.push({ text, values });
        return driver.client.query(text, values);
      },
      transaction: () => Promise.reject(new Error("read only")),
    };
    store = postgresStore({ client: recorder as never, schema });
  }, 120_000);

  afterAll(async () => {
    await driver?.dropSchema(schema);
    await driver?.close();
  });

  it.each([
    ["User", 'userName eq "USER2500"', "resources_by_user_name"],
    ["User", 'externalId eq "ext-2500"', "resources_by_external_id"],
    ["Group", 'displayName eq "name 2500"', "resources_by_display_name"],
  ])("%s %s uses %s", async (resourceType, filter, index) => {
    statements.length = 0;
    const result = await store.query(tenant, {
      resourceType,
      filter: bound(filter, resourceType),
      page: { kind: "index", startIndex: 1, count: 100 },
    });
    expect(result.totalResults).toBe(1);
    const select = statements.find((statement) => statement.text.startsWith("SELECT r.id"));
    expect(select).toBeDefined();
    const { rows } = await driver.client.query(`EXPLAIN ${select!.text}`, select!.values);
    const plan = rows.map((row) => Object.values(row)[0]).join("\n");
    expect(plan).toContain(index);
    expect(plan).not.toMatch(/Seq Scan on resources/);
  });

  it("reads a page's groups through the member index, for the page's rows only", async () => {
    statements.length = 0;
    const result = await store.query(tenant, {
      resourceType: "User",
      page: { kind: "index", startIndex: 1, count: 20 },
      includeMemberOf: true,
      displayAttributes: { Group: "displayName" },
    });
    expect(result.records).toHaveLength(20);
    expect(result.records.every((record) => record.memberOf?.length === 2)).toBe(true);
    const select = statements.find((statement) => statement.text.startsWith("SELECT r.id"));
    const { rows } = await driver.client.query(
      `EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) ${select!.text}`,
      select!.values,
    );
    const plan = rows.map((row) => Object.values(row)[0]).join("\n");
    expect(plan).toContain("memberships_by_member");
    expect(plan).not.toMatch(/Seq Scan on memberships/);
    // The correlated subquery runs once per row of the page, not per matching row.
    expect(plan).toMatch(/Aggregate \(actual rows=1(?:\.00)? loops=20\)/);
  });
});
