import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ScimClient, scimClient } from "../src/scim-client";
import { type ScimTestServer, startScimServer } from "../src/start-scim-server";
import { type OpenedStore, storeDrivers } from "../src/store-drivers";

/**
 * What provisioning means for the host application (research notes §4.1, §4.2,
 * §5 rows 19-20; DESIGN "Provisioning semantics"), over HTTP, on every store.
 */

const drivers = storeDrivers();

const idOf = (resource: Record<string, unknown>) => resource.id as string;

describe.each(drivers)("provisioning behaviour on the $name store", (driver) => {
  let opened: OpenedStore;
  let server: ScimTestServer;
  let client: ScimClient;

  beforeEach(async () => {
    opened = await driver.open();
    server = await startScimServer({ store: opened.store });
    client = scimClient(server);
  });

  afterEach(async () => {
    expect(server.unexpectedErrors).toEqual([]);
    await server.close();
    await opened.close();
  });

  afterAll(() => driver.dispose());

  const names = () => server.events.map((recorded) => recorded.name);

  it("an inactive user stays readable, filterable, listed and keeps its group memberships", async () => {
    const user = await client.createUser({ userName: "inactive@example.com", externalId: "ext-1" });
    const group = await client.createGroup({
      displayName: "Staff",
      members: [{ value: idOf(user) }],
    });
    const response = await client.patch(`/Users/${idOf(user)}`, {
      op: "Replace",
      path: "active",
      value: "False",
    });
    expect(response.status).toBe(200);

    expect(await client.read(`/Users/${idOf(user)}`)).toMatchObject({ active: false });
    for (const filter of [
      'userName+eq+"inactive@example.com"',
      'externalId+eq+"ext-1"',
      "active+eq+false",
    ]) {
      const found = await client.read(`/Users?filter=${filter}`);
      expect(found.totalResults, filter).toBe(1);
      expect((found.Resources as { id: string }[])[0]?.id).toBe(idOf(user));
    }
    expect((await client.read("/Users")).totalResults).toBe(1);
    expect(await client.read(`/Groups/${idOf(group)}`)).toMatchObject({
      members: [expect.objectContaining({ value: idOf(user) })],
    });
    expect(await client.read(`/Users/${idOf(user)}?attributes=groups`)).toMatchObject({
      groups: [expect.objectContaining({ value: idOf(group) })],
    });
  });

  it("Entra soft delete: PATCH active False suspends now, the DELETE weeks later removes for good", async () => {
    const user = await client.createUser({ userName: "soft@example.com" });
    server.events.length = 0;

    await client.patch(`/Users/${idOf(user)}`, { op: "Replace", path: "active", value: "False" });
    expect(names()).toEqual(["user.updated", "user.deactivated"]);
    const suspended = server.events.find((recorded) => recorded.name === "user.deactivated");
    expect(suspended?.event).toMatchObject({
      id: idOf(user),
      tenant: "replay",
      resourceType: "User",
    });
    expect((await client.send("GET", `/Users/${idOf(user)}`)).status).toBe(200);

    server.events.length = 0;
    expect((await client.send("DELETE", `/Users/${idOf(user)}`)).status).toBe(204);
    expect(names()).toEqual(["user.deleted"]);
    expect((await client.send("GET", `/Users/${idOf(user)}`)).status).toBe(404);
    const patched = await client.patch(`/Users/${idOf(user)}`, {
      op: "Replace",
      path: "active",
      value: "True",
    });
    expect(patched.status).toBe(404);
    expect((await client.send("DELETE", `/Users/${idOf(user)}`)).status).toBe(404);
    expect((await client.read('/Users?filter=userName+eq+"soft@example.com"')).totalResults).toBe(
      0,
    );
  });

  it("Okta never deletes: deactivate and reactivate by no-path PATCH, the user is never removed", async () => {
    const user = await client.createUser({ userName: "okta@example.com", active: true });
    server.events.length = 0;
    await client.patch(`/Users/${idOf(user)}`, { op: "replace", value: { active: false } });
    await client.patch(`/Users/${idOf(user)}`, { op: "replace", value: { active: true } });
    await client.patch(`/Users/${idOf(user)}`, { op: "replace", value: { active: false } });
    expect(names()).toEqual([
      "user.updated",
      "user.deactivated",
      "user.updated",
      "user.reactivated",
      "user.updated",
      "user.deactivated",
    ]);
    expect(names()).not.toContain("user.deleted");
    expect(await client.read(`/Users/${idOf(user)}`)).toMatchObject({ active: false });
  });

  it("a PUT with active:false or true (Okta AIW, authentik) emits deactivated / reactivated", async () => {
    const user = await client.createUser({ userName: "put@example.com", active: true });
    server.events.length = 0;
    const body = {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      id: idOf(user),
      userName: "put@example.com",
    };
    expect(
      (await client.send("PUT", `/Users/${idOf(user)}`, { ...body, active: false })).status,
    ).toBe(200);
    expect(
      (await client.send("PUT", `/Users/${idOf(user)}`, { ...body, active: true })).status,
    ).toBe(200);
    expect(names()).toEqual([
      "user.updated",
      "user.deactivated",
      "user.updated",
      "user.reactivated",
    ]);
  });

  it("matching lookups: userName is case-insensitive, externalId case-exact", async () => {
    const user = await client.createUser({ userName: "Case@Example.com", externalId: "AbC-1" });
    const byName = await client.read('/Users?filter=userName+eq+"case@example.COM"');
    expect((byName.Resources as { id: string }[] | undefined)?.[0]?.id).toBe(idOf(user));
    expect((await client.read('/Users?filter=externalId+eq+"AbC-1"')).totalResults).toBe(1);
    expect((await client.read('/Users?filter=externalId+eq+"abc-1"')).totalResults).toBe(0);
  });

  it("a listener that throws never fails the request; the error goes to onError", async () => {
    server.service.on("user.created", () => {
      throw new Error("listener failed");
    });
    const response = await client.send("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "listener@example.com",
    });
    expect(response.status).toBe(201);
    expect(server.unexpectedErrors).toHaveLength(1);
    expect((server.unexpectedErrors[0] as Error).message).toBe("listener failed");
    server.unexpectedErrors.length = 0;
  });

  it("deactivating an already inactive user is no change and emits nothing", async () => {
    const user = await client.createUser({ userName: "twice@example.com", active: false });
    server.events.length = 0;
    const response = await client.patch(`/Users/${idOf(user)}`, {
      op: "replace",
      value: { active: false },
    });
    expect(response.status).toBe(200);
    expect(names()).toEqual([]);
  });

  it("a user re-created after a hard delete is a new user with a new id and no old memberships", async () => {
    const first = await client.createUser({
      userName: "again@example.com",
      externalId: "ext-again",
    });
    const group = await client.createGroup({
      displayName: "Admins",
      members: [{ value: idOf(first) }],
    });
    expect((await client.send("DELETE", `/Users/${idOf(first)}`)).status).toBe(204);

    server.events.length = 0;
    const second = await client.createUser({
      userName: "again@example.com",
      externalId: "ext-again",
    });
    expect(idOf(second)).not.toBe(idOf(first));
    expect(names()).toEqual(["user.created"]);
    expect(server.events[0]?.event.id).toBe(idOf(second));
    expect((await client.send("GET", `/Users/${idOf(first)}`)).status).toBe(404);
    const members = (await client.read(`/Groups/${idOf(group)}`)).members as unknown[] | undefined;
    expect(members ?? []).toEqual([]);
    const found = await client.read('/Users?filter=externalId+eq+"ext-again"');
    expect(found.totalResults).toBe(1);
    expect((found.Resources as { id: string }[])[0]?.id).toBe(idOf(second));
  });

  it("a group rename is an event with the old and new names, whichever way the IdP sends it", async () => {
    const group = await client.createGroup({ displayName: "Engineering", externalId: "grp-1" });
    const id = idOf(group);
    const renames = () =>
      server.events.flatMap((recorded) =>
        recorded.name === "group.renamed"
          ? [[recorded.event.previousDisplayName, recorded.event.displayName, recorded.event.id]]
          : [],
      );

    await client.patch(`/Groups/${id}`, { op: "Replace", path: "displayName", value: "Platform" });
    await client.patch(`/Groups/${id}`, {
      op: "replace",
      value: { id, displayName: "Platform Eng" },
    });
    await client.send("PUT", `/Groups/${id}`, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      id,
      externalId: "grp-1",
      displayName: "platform eng",
    });
    await client.patch(`/Groups/${id}`, {
      op: "replace",
      path: "displayName",
      value: "platform eng",
    });

    expect(renames()).toEqual([
      ["Engineering", "Platform", id],
      ["Platform", "Platform Eng", id],
      ["Platform Eng", "platform eng", id],
    ]);
    const renamed = server.events.find((recorded) => recorded.name === "group.renamed");
    expect(renamed?.event).toMatchObject({ resource: { externalId: "grp-1", id } });
    const found = await client.read(
      '/Groups?excludedAttributes=members&filter=displayName+eq+"PLATFORM+ENG"',
    );
    expect(found.totalResults).toBe(1);
    expect((await client.read('/Groups?filter=displayName+eq+"Engineering"')).totalResults).toBe(0);
  });

  it("group displayName is not unique (RFC 7643 uniqueness none): an Entra lookup then matches two", async () => {
    await client.createGroup({ displayName: "Sales" });
    const duplicate = await client.send("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "sales",
    });
    expect(duplicate.status).toBe(201);
    const found = await client.read(
      '/Groups?excludedAttributes=members&filter=displayName+eq+"Sales"',
    );
    expect(found.totalResults).toBe(2);
  });

  it("membership changes report exactly the ids added and removed", async () => {
    const [a, b, c] = await Promise.all(
      ["a", "b", "c"].map((name) => client.createUser({ userName: `${name}@example.com` })),
    );
    const group = await client.createGroup({
      displayName: "Members",
      members: [{ value: idOf(a!) }],
    });
    const created = server.events.find((recorded) => recorded.name === "group.created");
    expect(created?.event).toMatchObject({ memberIds: [idOf(a!)] });
    server.events.length = 0;

    await client.patch(
      `/Groups/${idOf(group)}`,
      { op: "remove", path: `members[value eq "${idOf(a!)}"]` },
      {
        op: "add",
        path: "members",
        value: [{ value: idOf(a!) }, { value: idOf(b!) }, { value: idOf(c!) }],
      },
    );
    await client.patch(`/Groups/${idOf(group)}`, {
      op: "Remove",
      path: "members",
      value: [{ value: idOf(c!) }],
    });
    const changes = server.events.flatMap((recorded) =>
      recorded.name === "group.membersChanged"
        ? [{ added: [...recorded.event.added].sort(), removed: [...recorded.event.removed].sort() }]
        : [],
    );
    expect(changes).toEqual([
      { added: [idOf(b!), idOf(c!)].sort(), removed: [] },
      { added: [], removed: [idOf(c!)] },
    ]);
    expect(names()).not.toContain("group.renamed");
  });

  it("deleting a group emits group.deleted and leaves its members' accounts alone", async () => {
    const user = await client.createUser({ userName: "member@example.com" });
    const group = await client.createGroup({
      displayName: "Temp",
      members: [{ value: idOf(user) }],
    });
    server.events.length = 0;
    expect((await client.send("DELETE", `/Groups/${idOf(group)}`)).status).toBe(204);
    expect(names()).toEqual(["group.deleted"]);
    const stored = await client.read(`/Users/${idOf(user)}`);
    expect(stored.active).toBeUndefined();
    expect(stored.groups ?? []).toEqual([]);
  });
});
