import { memoryStore } from "@scimkit/store-memory";
import { describe, expect, it } from "vitest";
import { ScimError } from "../src/errors";
import { createScimService, type ScimServiceOptions } from "../src/service/create-scim-service";
import type { ScimEventMap, ScimEventName } from "../src/service/events";
import type { ScimStore } from "../src/store/contract";
import { GROUP_SCHEMA, patchOp, setup, USER_SCHEMA } from "./service-harness";

const DAY = 86_400_000;
const START = new Date("2026-01-01T00:00:00.000Z");

const EVENT_NAMES: ScimEventName[] = [
  "user.created",
  "user.updated",
  "user.deactivated",
  "user.deleted",
  "user.purged",
  "user.restored",
  "group.created",
  "group.membersChanged",
  "group.deleted",
  "group.purged",
  "group.restored",
  "resource.deleted",
];

/** The service in a deletion mode over a fresh memory store, with a clock the test moves. */
function soft(retentionDays = 30) {
  let now = START;
  const harness = setup({
    deletion: { mode: "soft", retentionDays },
    clock: () => now,
  });
  const seen: { name: ScimEventName; event: ScimEventMap[ScimEventName] }[] = [];
  for (const name of EVENT_NAMES) {
    harness.service.on(name, (event) => void seen.push({ name, event }));
  }
  return {
    ...harness,
    seen,
    advance: (days: number) => {
      now = new Date(now.getTime() + days * DAY);
    },
  };
}

type Harness = ReturnType<typeof setup>;

/** Everything RFC 7644 §3.6 asks of a deleted resource, whatever the mode. */
async function expectGone(harness: Harness, id: string, userName: string, groupId: string) {
  const { call } = harness;
  expect((await call("GET", `/Users/${id}`)).status).toBe(404);
  expect((await call("PUT", `/Users/${id}`, { schemas: [USER_SCHEMA], userName })).status).toBe(
    404,
  );
  const patched = await call(
    "PATCH",
    `/Users/${id}`,
    patchOp({ op: "replace", path: "displayName", value: "x" }),
  );
  expect(patched.status).toBe(404);
  expect((await call("DELETE", `/Users/${id}`)).status).toBe(404);
  const lookup = await call("GET", "/Users", undefined, {
    query: { filter: `userName eq "${userName}"` },
  });
  expect(lookup.body.totalResults).toBe(0);
  const byId = await call("GET", "/Users", undefined, { query: { filter: `id eq "${id}"` } });
  expect(byId.body.totalResults).toBe(0);
  const group = await call("GET", `/Groups/${groupId}`);
  expect((group.body.members ?? []).map((entry: { value: string }) => entry.value)).not.toContain(
    id,
  );
  const withMember = await call("GET", "/Groups", undefined, {
    query: { filter: `members.value eq "${id}"` },
  });
  expect(withMember.body.totalResults).toBe(0);
  // A deleted id is no longer a valid member.
  const added = await call(
    "PATCH",
    `/Groups/${groupId}`,
    patchOp({ op: "add", path: "members", value: [{ value: id }] }),
  );
  expect(added.status).toBe(400);
}

describe("deletion option", () => {
  const store = () => memoryStore();
  const create = (deletion: unknown, storeOverride?: ScimStore) => () =>
    createScimService({ store: storeOverride ?? store(), deletion } as ScimServiceOptions);

  it("defaults to hard and validates at factory time", () => {
    expect(create(undefined)).not.toThrow();
    expect(create({ mode: "hard" })).not.toThrow();
    expect(create({ mode: "soft", retentionDays: 30 })).not.toThrow();
    expect(create({ mode: "soft", retentionDays: 0 })).not.toThrow();
    expect(create({ mode: "soft" })).toThrow(
      "scimkit: `deletion.retentionDays` must be a number of days from 0 to 36500, got nothing.",
    );
    expect(create({ mode: "soft", retentionDays: -1 })).toThrow(/retentionDays/);
    expect(create({ mode: "soft", retentionDays: Number.NaN })).toThrow(/retentionDays/);
    expect(create({ mode: "soft", retentionDays: "30" })).toThrow(/got "30"/);
    expect(create({ mode: "purge" })).toThrow('`deletion.mode` must be "hard" or "soft"');
    expect(create({ mode: "hard", retentionDays: 30 })).toThrow(/only to `deletion.mode` "soft"/);
    expect(create("soft")).toThrow("`deletion` must be an object");
  });

  it("soft mode names the store methods it needs", () => {
    const { softDelete: _soft, purgeDeleted: _purge, ...plain } = memoryStore();
    expect(create({ mode: "soft", retentionDays: 30 }, plain as ScimStore)).toThrow(
      'scimkit: `deletion.mode` "soft" needs a store that implements `softDelete` and `purgeDeleted`.',
    );
    const { purgeDeleted: _onlyPurge, ...noPurge } = memoryStore();
    expect(create({ mode: "soft", retentionDays: 30 }, noPurge as ScimStore)).toThrow(
      /implements `purgeDeleted`\.$/,
    );
    // Hard mode works with any store.
    expect(create({ mode: "hard" }, plain as ScimStore)).not.toThrow();
  });
});

describe("hard delete", () => {
  it("answers 404 everywhere afterwards, frees the userName, and a re-created user is new", async () => {
    const harness = setup();
    const { service, call, createUser, createGroup } = harness;
    const seen: unknown[] = [];
    service.on("user.deleted", (event) => void seen.push(event));
    service.on("user.deactivated", (event) => void seen.push(event));
    const user = await createUser("hard@example.com", { active: true });
    const group = await createGroup("Team", [user.id]);

    expect((await call("DELETE", `/Users/${user.id}`)).status).toBe(204);
    expect(seen).toEqual([{ tenant: "tenant-a", resourceType: "User", id: user.id, soft: false }]);
    await expectGone(harness, user.id, "hard@example.com", group.id);
    const again = await createUser("HARD@example.com");
    expect(again.id).not.toBe(user.id);
    expect(await service.purgeExpired({ now: new Date("2999-01-01T00:00:00Z") })).toBe(0);
  });
});

describe("soft delete", () => {
  it("trashes the user: 404 everywhere, deactivated then deleted with purgeAfter", async () => {
    const harness = soft(30);
    const { call, createUser, createGroup, seen } = harness;
    const user = await createUser("soft@example.com", { active: true });
    const group = await createGroup("Team", [user.id]);
    seen.length = 0;

    expect((await call("DELETE", `/Users/${user.id}`)).status).toBe(204);
    const purgeAfter = "2026-01-31T00:00:00.000Z";
    expect(seen.map((entry) => entry.name)).toEqual(["user.deactivated", "user.deleted"]);
    expect(seen[0]?.event).toMatchObject({
      tenant: "tenant-a",
      resourceType: "User",
      id: user.id,
      resource: { id: user.id, userName: "soft@example.com", active: false },
    });
    expect(seen[1]?.event).toEqual({
      tenant: "tenant-a",
      resourceType: "User",
      id: user.id,
      soft: true,
      purgeAfter,
    });
    // The group lost a member without a membership event and keeps its version.
    await expectGone(harness, user.id, "soft@example.com", group.id);
    const again = await createUser("soft@example.com");
    expect(again.id).not.toBe(user.id);
    const groups = await call("GET", `/Users/${again.id}`);
    expect(groups.body.groups ?? []).toEqual([]);
  });

  it("an inactive user gets only user.deleted; groups and other types get their own deleted events", async () => {
    const { call, createUser, createGroup, seen } = soft(7);
    const user = await createUser("inactive@example.com", { active: false });
    const group = await createGroup("Team", [user.id]);
    seen.length = 0;
    await call("DELETE", `/Users/${user.id}`);
    await call("DELETE", `/Groups/${group.id}`);
    expect(seen).toEqual([
      {
        name: "user.deleted",
        event: expect.objectContaining({ soft: true, purgeAfter: "2026-01-08T00:00:00.000Z" }),
      },
      {
        name: "group.deleted",
        event: {
          tenant: "tenant-a",
          resourceType: "Group",
          id: group.id,
          soft: true,
          purgeAfter: "2026-01-08T00:00:00.000Z",
        },
      },
    ]);
    expect((await call("GET", `/Groups/${group.id}`)).status).toBe(404);
    const byName = await call("GET", "/Groups", undefined, {
      query: { filter: 'displayName eq "Team"' },
    });
    expect(byName.body.totalResults).toBe(0);
  });

  it("If-Match guards a soft DELETE, and a bulk DELETE is soft too", async () => {
    const { call, createUser, seen } = soft();
    const user = await createUser("guarded@example.com");
    const refused = await call("DELETE", `/Users/${user.id}`, undefined, {
      headers: { "if-match": 'W/"99"' },
    });
    expect(refused.status).toBe(412);
    expect((await call("GET", `/Users/${user.id}`)).status).toBe(200);
    seen.length = 0;
    const bulk = await call("POST", "/Bulk", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [{ method: "DELETE", path: `/Users/${user.id}` }],
    });
    expect(bulk.body.Operations[0].status).toBe("204");
    expect(seen.find((entry) => entry.name === "user.deleted")?.event).toMatchObject({
      soft: true,
    });
  });

  it("purgeExpired removes only expired entries of every tenant, once, with purged events", async () => {
    const { service, call, createUser, createGroup, seen, advance } = soft(30);
    const first = await createUser("first@example.com");
    const group = await createGroup("Team", [first.id]);
    const other = await call(
      "POST",
      "/Users",
      { schemas: [USER_SCHEMA], userName: "b@example.com" },
      { tenant: "tenant-b" },
    );
    await call("DELETE", `/Users/${first.id}`);
    await call("DELETE", `/Users/${other.body.id}`, undefined, { tenant: "tenant-b" });
    advance(10);
    await call("DELETE", `/Groups/${group.id}`);
    seen.length = 0;

    advance(19);
    expect(await service.purgeExpired()).toBe(0);
    expect(seen).toEqual([]);
    advance(1); // day 30: both users' purgeAfter has come
    expect(await service.purgeExpired()).toBe(2);
    expect(seen.map((entry) => entry.name)).toEqual(["user.purged", "user.purged"]);
    expect(seen.map((entry) => entry.event)).toEqual(
      expect.arrayContaining([
        {
          tenant: "tenant-a",
          resourceType: "User",
          id: first.id,
          purgeAfter: "2026-01-31T00:00:00.000Z",
        },
        expect.objectContaining({ tenant: "tenant-b", id: other.body.id }),
      ]),
    );
    expect(await service.purgeExpired()).toBe(0);
    expect(await service.purgeExpired({ now: new Date("2026-02-10T00:00:00.000Z") })).toBe(1);
    expect(seen.at(-1)).toEqual({
      name: "group.purged",
      event: {
        tenant: "tenant-a",
        resourceType: "Group",
        id: group.id,
        purgeAfter: "2026-02-10T00:00:00.000Z",
      },
    });
    // Purged for good: nothing left to restore.
    expect(await service.restoreDeleted("tenant-a", "User", first.id)).toBeUndefined();
    await expect(service.purgeExpired({ now: new Date("nope") })).rejects.toThrow(TypeError);
  });

  it("restoreDeleted brings the user back with its id and groups, unless its userName was taken", async () => {
    const { service, call, createUser, createGroup, seen } = soft(30);
    const user = await createUser("back@example.com", { active: true });
    const group = await createGroup("Team", [user.id]);
    await call("DELETE", `/Users/${user.id}`);
    seen.length = 0;

    const restored = await service.restoreDeleted("tenant-a", "User", user.id, {
      baseUrl: "https://sp.example.com/scim/v2",
    });
    expect(restored).toMatchObject({ id: user.id, userName: "back@example.com" });
    expect(seen).toEqual([
      {
        name: "user.restored",
        event: expect.objectContaining({ id: user.id, resource: restored }),
      },
      // The group it rejoined says so, so a consumer replaying events has the membership back.
      {
        name: "group.membersChanged",
        event: {
          tenant: "tenant-a",
          resourceType: "Group",
          id: group.id,
          added: [user.id],
          removed: [],
        },
      },
    ]);
    const read = await call("GET", `/Users/${user.id}`);
    expect(read.status).toBe(200);
    expect(read.body.groups.map((entry: { value: string }) => entry.value)).toEqual([group.id]);
    expect(read.body.meta.location).toBe(`https://sp.example.com/scim/v2/Users/${user.id}`);

    await call("DELETE", `/Users/${user.id}`);
    await createUser("BACK@example.com");
    const conflict = await service
      .restoreDeleted("tenant-a", "User", user.id)
      .catch((error) => error);
    expect(ScimError.is(conflict) && conflict.status === 409 && conflict.scimType).toBe(
      "uniqueness",
    );
    expect((await call("GET", `/Users/${user.id}`)).status).toBe(404);
    expect(await service.restoreDeleted("tenant-b", "User", user.id)).toBeUndefined();
  });

  it("a group with a deleted member can still be replaced and listed", async () => {
    const { call, createUser, createGroup } = soft(30);
    const alice = await createUser("alice");
    const bob = await createUser("bob");
    const group = await createGroup("Team", [alice.id, bob.id]);
    await call("DELETE", `/Users/${alice.id}`);
    const listed = await call("GET", "/Groups", undefined, {
      query: { filter: `members.value eq "${bob.id}"` },
    });
    expect(listed.body.Resources[0].members.map((entry: { value: string }) => entry.value)).toEqual(
      [bob.id],
    );
    const replaced = await call("PUT", `/Groups/${group.id}`, {
      schemas: [GROUP_SCHEMA],
      displayName: "Team",
      members: [{ value: bob.id }],
    });
    expect(replaced.status).toBe(200);
  });
});
