import { createScimService, type ScimRequest, type ScimService } from "@scimkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresClient, type PostgresStore, postgresStore } from "../src";
import { type Driver, driverFactories, uniqueSchema } from "./drivers";
import { protocolStatements } from "./protocol-messages";

/**
 * A client that counts the statements it sends, BEGIN and COMMIT included: each is
 * one round trip to PostgreSQL. Transactions of a pool count on their connection;
 * a PGlite transaction counts as its statements plus BEGIN and COMMIT.
 */
function countingClient(client: PostgresClient): { client: PostgresClient; count: () => number } {
  let statements = 0;
  const decode = protocolStatements();
  const countQueries = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        // On PGlite the store runs prepared statements through the protocol: one
        // Bind is one statement (the Parse before a text's first run is once per text).
        if (property === "execProtocolStream" && typeof value === "function") {
          return (message: Uint8Array, options: unknown) => {
            for (const { text } of decode(message)) {
              if (!text.includes(".provisioning_log")) statements += 1;
            }
            return value.call(object, message, options);
          };
        }
        if (property === "query" && typeof value === "function") {
          return (...args: unknown[]) => {
            // The provisioning log is appended in batches after responses, off
            // every request's path (and its timer fires during a later request).
            const first = args[0] as string | { text?: string };
            const text = typeof first === "string" ? first : (first.text ?? "");
            if (!text.includes(".provisioning_log")) statements += 1;
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

  let store: PostgresStore;

  beforeAll(async () => {
    driver = await open();
    counter = countingClient(driver.client);
    store = postgresStore({ client: counter.client, schema });
    await store.migrate();
    // The change feed is on: core records changes whenever the store has a feed.
    service = createScimService({ store });
    for (const name of ["ann", "bob", "cy"]) {
      userIds.push(await create("/Users", { userName: `${name}@example.com` }));
    }
    groupId = await create("/Groups", { displayName: "Engineering" });
  }, 120_000);

  afterAll(async () => {
    await service.flush();
    await driver.dropSchema(schema);
    await driver.close();
  });

  /** Statements one request sends. */
  let lastBody: unknown;
  /** Statements one request sends; its answer's body is kept in `lastBody`. */
  const roundTrips = async (sent: ScimRequest, status = 204): Promise<number> => {
    const before = counter.count();
    const response = await service.handle(sent);
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    lastBody = response.body;
    return counter.count() - before;
  };
  /** The group names a user's answer shows. */
  const groupNames = (body: unknown) =>
    ((body as { groups?: { display?: string }[] }).groups ?? []).map((group) => group.display);

  const patch = (operations: unknown[]) =>
    request({
      method: "PATCH",
      path: `/Groups/${groupId}`,
      body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: operations },
    });

  it("adds a member the way Entra does in one round trip", async () => {
    const trips = await roundTrips(
      patch([{ op: "Add", path: "members", value: [{ $ref: null, value: userIds[0] }] }]),
    );
    // One statement for the add and its change: the group is not read first (the
    // PATCH touches only members), and the membership's foreign key checks the
    // member's claimed type instead of a lookup before the write.
    expect(trips).toBe(1);
    const group = await service.handle(request({ path: `/Groups/${groupId}` }));
    expect((group.body as { members: { value: string }[] }).members).toEqual([
      expect.objectContaining({ value: userIds[0], type: "User" }),
    ]);
  });

  it("removes a member by value filter in one round trip", async () => {
    await roundTrips(patch([{ op: "add", path: "members", value: [{ value: userIds[1] }] }]));
    const trips = await roundTrips(
      patch([{ op: "Remove", path: `members[value eq "${userIds[1]}"]` }]),
    );
    // One statement for the remove and its change (no group read, no member list read).
    expect(trips).toBe(1);
    const group = await service.handle(request({ path: `/Groups/${groupId}` }));
    expect((group.body as { members: { value: string }[] }).members.map((m) => m.value)).toEqual([
      userIds[0],
    ]);
  });

  it("creates a user, with its change, in one round trip", async () => {
    const trips = await roundTrips(
      request({ method: "POST", path: "/Users", body: { userName: "dee@example.com" } }),
      201,
    );
    expect(trips).toBe(1);
  });

  it("creates a group with members in two round trips (their types, then the group)", async () => {
    const trips = await roundTrips(
      request({
        method: "POST",
        path: "/Groups",
        body: { displayName: "Founders", members: userIds.map((value) => ({ value })) },
      }),
      201,
    );
    expect(trips).toBe(2);
  });

  it("deactivates a user with a version-guarded PATCH in two round trips, its groups included", async () => {
    // Read (with the user's groups, which the 200 answer shows), one guarded write.
    const trips = await roundTrips(
      request({
        method: "PATCH",
        path: `/Users/${userIds[2]}`,
        body: {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "Replace", path: "active", value: "False" }],
        },
      }),
      200,
    );
    expect(trips).toBe(2);
    expect(groupNames(lastBody)).toEqual(["Founders"]);
  });

  it("replaces a user with PUT in two round trips, its groups included", async () => {
    const trips = await roundTrips(
      request({
        method: "PUT",
        path: `/Users/${userIds[2]}`,
        body: { userName: "cy@example.com", active: true, displayName: "Cy" },
      }),
      200,
    );
    expect(trips).toBe(2);
    expect(groupNames(lastBody)).toEqual(["Founders"]);
  });

  it("reads a user with its groups in one round trip, by id and by a userName lookup", async () => {
    const id = await create("/Users", { userName: "eve@example.com" });
    await roundTrips(patch([{ op: "add", path: "members", value: [{ value: id }] }]));
    const shown = (body: unknown) => (body as { groups?: { value: string }[] }).groups;
    const before = counter.count();
    const byId = await service.handle(request({ path: `/Users/${id}` }));
    expect(counter.count() - before).toBe(1);
    expect(shown(byId.body)).toEqual([
      expect.objectContaining({ value: groupId, display: "Engineering" }),
    ]);
    const lookup = request({ path: "/Users", query: { filter: 'userName eq "eve@example.com"' } });
    const afterGet = counter.count();
    const found = await service.handle(lookup);
    expect(counter.count() - afterGet).toBe(1);
    const [user] = (found.body as { Resources: unknown[] }).Resources;
    expect(shown(user)).toEqual([expect.objectContaining({ value: groupId })]);
  });

  it("lists a page of users with their groups in one round trip, not one more per user", async () => {
    const trips = await roundTrips(request({ path: "/Users", query: { count: "50" } }), 200);
    expect(trips).toBe(1);
  });

  it("deletes a user, its memberships and its change in one round trip", async () => {
    const id = await create("/Users", { userName: "gone@example.com" });
    expect(await roundTrips(request({ method: "DELETE", path: `/Users/${id}` }))).toBe(1);
  });

  it("recorded every change of these requests in the feed", async () => {
    const changes = await store.feed!.read("round-trips", { after: 0, limit: 1000 });
    const types = changes.map((change) => change.type);
    expect(types).toContain("group.membersChanged");
    expect(types).toContain("user.deactivated");
    expect(types).toContain("user.reactivated");
    expect(types).toContain("user.deleted");
    expect(changes.map((change) => change.position)).toEqual(
      Array.from({ length: changes.length }, (_, index) => index + 1),
    );
  });

  it("adds many members in one statement", async () => {
    const trips = await roundTrips(
      patch([{ op: "add", path: "members", value: userIds.map((value) => ({ value })) }]),
    );
    expect(trips).toBe(1);
  });

  it("looks a member up only when the write found its claimed type wrong", async () => {
    const nested = await create("/Groups", { displayName: "Nested" });
    // No type: core claims "User", the foreign key refuses, one lookup, the write again.
    const trips = await roundTrips(
      patch([{ op: "add", path: "members", value: [{ value: nested }] }]),
    );
    expect(trips).toBe(3);
    const group = await service.handle(request({ path: `/Groups/${groupId}` }));
    expect((group.body as { members: { value: string; type: string }[] }).members).toContainEqual(
      expect.objectContaining({ value: nested, type: "Group" }),
    );
    const unknown = await service.handle(
      patch([{ op: "add", path: "members", value: [{ value: "no-such-member" }] }]),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ scimType: "invalidValue" });
    expect(JSON.stringify(unknown.body)).toContain("no-such-member");
  });
});
