import { createScimService, type ScimRequest, type ScimService } from "@scimkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresClient, postgresStore } from "../src";
import { type Driver, driverFactories, uniqueSchema } from "./drivers";

/**
 * A client that counts the statements it sends, BEGIN and COMMIT included: each is
 * one round trip to PostgreSQL. Transactions of a pool count on their connection;
 * a PGlite transaction counts as its statements plus BEGIN and COMMIT.
 */
function countingClient(client: PostgresClient): { client: PostgresClient; count: () => number } {
  let statements = 0;
  const countQueries = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (property === "query" && typeof value === "function") {
          return (...args: unknown[]) => {
            statements += 1;
            return value.apply(object, args);
          };
        }
        if (property === "connect" && typeof value === "function") {
          return async () => countQueries(await value.apply(object)) as never;
        }
        if (property === "transaction" && typeof value === "function") {
          return (callback: (transaction: object) => Promise<unknown>) => {
            statements += 2;
            return value.call(object, (transaction: object) => callback(countQueries(transaction)));
          };
        }
        return typeof value === "function" ? value.bind(object) : value;
      },
    });
  return { client: countQueries(client), count: () => statements };
}

const request = (overrides: Partial<ScimRequest>): ScimRequest => ({
  method: "GET",
  path: "/",
  query: {},
  headers: {},
  tenant: "round-trips",
  baseUrl: "https://scim.example.com/scim/v2",
  ...overrides,
});

describe.each(driverFactories)("round trips on %s", (_name, open) => {
  let driver: Driver;
  let counter: ReturnType<typeof countingClient>;
  let service: ScimService;
  const schema = uniqueSchema("scimkit_round_trips");
  let groupId: string;
  const userIds: string[] = [];

  const create = async (path: string, body: unknown) => {
    const response = await service.handle(request({ method: "POST", path, body }));
    expect(response.status).toBe(201);
    return (response.body as { id: string }).id;
  };

  beforeAll(async () => {
    driver = await open();
    counter = countingClient(driver.client);
    const store = postgresStore({ client: counter.client, schema });
    await store.migrate();
    service = createScimService({ store });
    for (const name of ["ann", "bob", "cy"]) {
      userIds.push(await create("/Users", { userName: `${name}@example.com` }));
    }
    groupId = await create("/Groups", { displayName: "Engineering" });
  });

  afterAll(async () => {
    await driver.dropSchema(schema);
    await driver.close();
  });

  /** Statements one request sends. */
  const roundTrips = async (patch: ScimRequest): Promise<number> => {
    const before = counter.count();
    const response = await service.handle(patch);
    expect(response.status).toBe(204);
    return counter.count() - before;
  };

  const patch = (operations: unknown[]) =>
    request({
      method: "PATCH",
      path: `/Groups/${groupId}`,
      body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: operations },
    });

  it("adds a member the way Entra does in at most 4 round trips", async () => {
    const trips = await roundTrips(
      patch([{ op: "Add", path: "members", value: [{ $ref: null, value: userIds[0] }] }]),
    );
    expect(trips).toBeLessThanOrEqual(4);
    const group = await service.handle(request({ path: `/Groups/${groupId}` }));
    expect((group.body as { members: { value: string }[] }).members).toEqual([
      expect.objectContaining({ value: userIds[0], type: "User" }),
    ]);
  });

  it("removes a member by value filter in at most 4 round trips", async () => {
    await roundTrips(patch([{ op: "add", path: "members", value: [{ value: userIds[1] }] }]));
    const trips = await roundTrips(
      patch([{ op: "Remove", path: `members[value eq "${userIds[1]}"]` }]),
    );
    expect(trips).toBeLessThanOrEqual(4);
    const group = await service.handle(request({ path: `/Groups/${groupId}` }));
    expect((group.body as { members: { value: string }[] }).members.map((m) => m.value)).toEqual([
      userIds[0],
    ]);
  });

  it("resolves many members' types in one statement", async () => {
    const trips = await roundTrips(
      patch([{ op: "add", path: "members", value: userIds.map((value) => ({ value })) }]),
    );
    expect(trips).toBeLessThanOrEqual(4);
  });
});
