import { memoryStore } from "@scimkit/store-memory";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ScimClient, scimClient } from "../src/scim-client";
import { type ScimTestServer, startScimServer } from "../src/start-scim-server";
import {
  ENTERPRISE_USER,
  GROUP,
  MALFORMED_ENTERPRISE_USER,
  MICROSOFT_GROUP,
  USER,
} from "../src/traces/urns";

/**
 * One HTTP-level test per row of the research notes' tolerance matrix (§4.7),
 * each failing if the leniency were removed, plus the `strict` service option
 * rejecting the rows that are unsafe to accept everywhere.
 */

let server: ScimTestServer;
let client: ScimClient;

async function boot(strict: boolean) {
  server = await startScimServer({ store: memoryStore(), strict });
  client = scimClient(server);
}

afterEach(async () => {
  expect(server.unexpectedErrors).toEqual([]);
  await server.close();
});

const idOf = (resource: Record<string, unknown>) => resource.id as string;
const memberIds = (group: Record<string, unknown>) =>
  ((group.members as { value: string }[] | undefined) ?? []).map((member) => member.value).sort();
const eventNames = () => server.events.map((recorded) => recorded.name);

describe("tolerance matrix, lenient (default)", () => {
  beforeEach(() => boot(false));

  it("row 1: capitalised op values (Add, Replace, Remove) are applied", async () => {
    const user = await client.createUser({ userName: "row1", title: "Old", nickName: "nick" });
    const response = await client.patch(
      `/Users/${idOf(user)}`,
      { op: "Replace", path: "title", value: "New" },
      { op: "ADD", path: "displayName", value: "Row One" },
      { op: "Remove", path: "nickName" },
    );
    expect(response.status).toBe(200);
    const stored = await client.read(`/Users/${idOf(user)}`);
    expect(stored).toMatchObject({ title: "New", displayName: "Row One" });
    expect(stored.nickName).toBeUndefined();
  });

  it('row 2: "True"/"False" strings become JSON booleans in bodies, PATCH values and filters', async () => {
    const created = await client.createUser({
      userName: "row2",
      active: "True",
      emails: [{ value: "row2@example.com", primary: "true" }],
    });
    expect(created.active).toBe(true);
    expect((created.emails as { primary: unknown }[])[0]?.primary).toBe(true);
    expect(
      (
        await client.patch(`/Users/${idOf(created)}`, {
          op: "Replace",
          path: "active",
          value: "False",
        })
      ).status,
    ).toBe(200);
    expect((await client.read(`/Users/${idOf(created)}`)).active).toBe(false);
    const found = await client.read('/Users?filter=active+eq+"False"');
    expect(found.totalResults).toBe(1);
  });

  it("row 3: remove on members with a value array removes exactly those members", async () => {
    const [a, b, c] = await Promise.all(
      ["a", "b", "c"].map((name) => client.createUser({ userName: `row3-${name}` })),
    );
    const group = await client.createGroup({
      displayName: "row3",
      members: [a, b, c].map((user) => ({ value: idOf(user!) })),
    });
    const response = await client.patch(`/Groups/${idOf(group)}`, {
      op: "Remove",
      path: "members",
      value: [{ $ref: null, value: idOf(a!) }],
    });
    expect(response.status).toBe(204);
    expect(memberIds(await client.read(`/Groups/${idOf(group)}`))).toEqual(
      [idOf(b!), idOf(c!)].sort(),
    );
  });

  it('row 4: remove with the value wrapped as {"members": [...]} removes exactly those', async () => {
    const [a, b] = await Promise.all(
      ["a", "b"].map((name) => client.createUser({ userName: `row4-${name}` })),
    );
    const group = await client.createGroup({
      displayName: "row4",
      members: [{ value: idOf(a!) }, { value: idOf(b!) }],
    });
    const response = await client.patch(`/Groups/${idOf(group)}`, {
      op: "remove",
      path: "members",
      value: { members: [{ value: idOf(b!) }] },
    });
    expect(response.status).toBe(204);
    expect(memberIds(await client.read(`/Groups/${idOf(group)}`))).toEqual([idOf(a!)]);
  });

  it("row 5: no-path replace with dotted and URN-qualified keys sets each attribute", async () => {
    const user = await client.createUser({
      userName: "row5",
      name: { givenName: "A", familyName: "B" },
    });
    const response = await client.patch(`/Users/${idOf(user)}`, {
      op: "replace",
      value: {
        "name.givenName": "Ada",
        [`${ENTERPRISE_USER}:employeeNumber`]: "42",
        [`${ENTERPRISE_USER}:manager`]: { value: idOf(user) },
      },
    });
    expect(response.status).toBe(200);
    const stored = await client.read(`/Users/${idOf(user)}`);
    expect(stored.name).toEqual({ givenName: "Ada", familyName: "B" });
    expect(stored[ENTERPRISE_USER]).toMatchObject({
      employeeNumber: "42",
      manager: { value: idOf(user) },
    });
    expect(stored["name.givenName"]).toBeUndefined();
  });

  it("row 6: id, meta and schemas inside a replace value or a PUT body are ignored when id matches; a different id is 400 mutability", async () => {
    const group = await client.createGroup({ displayName: "row6" });
    const id = idOf(group);
    const renamed = await client.patch(`/Groups/${id}`, {
      op: "replace",
      value: { id, meta: { resourceType: "Group" }, schemas: [GROUP], displayName: "row6 renamed" },
    });
    expect(renamed.status).toBe(204);
    const put = await client.send("PUT", `/Groups/${id}`, { ...group, displayName: "row6 put" });
    expect(put.status).toBe(200);
    expect((put.body as Record<string, unknown>).id).toBe(id);

    const hijack = await client.patch(`/Groups/${id}`, {
      op: "replace",
      value: { id: "another-id", displayName: "row6 hijack" },
    });
    expect(hijack.status).toBe(400);
    expect(hijack.body).toMatchObject({ scimType: "mutability" });
    expect((await client.read(`/Groups/${id}`)).displayName).toBe("row6 put");
  });

  it("row 7: manager as a bare string is wrapped into {value}", async () => {
    const boss = await client.createUser({ userName: "row7-boss" });
    const created = await client.createUser({
      schemas: [USER, ENTERPRISE_USER],
      userName: "row7",
      [ENTERPRISE_USER]: { manager: idOf(boss) },
    });
    expect(created[ENTERPRISE_USER]).toMatchObject({ manager: { value: idOf(boss) } });
    const other = await client.createUser({ userName: "row7-other" });
    const response = await client.patch(`/Users/${idOf(created)}`, {
      op: "Add",
      path: `${ENTERPRISE_USER}:manager`,
      value: idOf(other),
    });
    expect(response.status).toBe(200);
    expect((await client.read(`/Users/${idOf(created)}`))[ENTERPRISE_USER]).toMatchObject({
      manager: { value: idOf(other) },
    });
  });

  it("row 8: members without type, with $ref null or with display are accepted and typed", async () => {
    const [a, b] = await Promise.all(
      ["a", "b"].map((name) => client.createUser({ userName: `row8-${name}` })),
    );
    const group = await client.createGroup({ displayName: "row8" });
    const response = await client.patch(`/Groups/${idOf(group)}`, {
      op: "add",
      path: "members",
      value: [
        { $ref: null, value: idOf(a!) },
        { value: idOf(b!), display: "row8-b" },
      ],
    });
    expect(response.status).toBe(204);
    const stored = await client.read(`/Groups/${idOf(group)}`);
    expect(memberIds(stored)).toEqual([idOf(a!), idOf(b!)].sort());
    for (const member of stored.members as { type?: string }[]) expect(member.type).toBe("User");
  });

  it("row 9: members add with a bare string value adds that one member", async () => {
    const user = await client.createUser({ userName: "row9" });
    const group = await client.createGroup({ displayName: "row9" });
    const response = await client.patch(`/Groups/${idOf(group)}`, {
      op: "add",
      path: "members",
      value: idOf(user),
    });
    expect(response.status).toBe(204);
    expect(memberIds(await client.read(`/Groups/${idOf(group)}`))).toEqual([idOf(user)]);
  });

  it("row 10: an unquoted filter value is read as a string", async () => {
    const user = await client.createUser({ userName: "row10", externalId: "jyoung" });
    const found = await client.read("/Users?filter=externalId+eq+jyoung");
    expect(found.totalResults).toBe(1);
    expect((found.Resources as { id: string }[])[0]?.id).toBe(idOf(user));
  });

  it('row 11: "+" is a space and raw quotes are tolerated in the query string', async () => {
    const user = await client.createUser({ userName: "row11", displayName: "Ada Lovelace" });
    const found = await client.read('/Users?filter=displayName+eq+"Ada+Lovelace"');
    expect(found.totalResults).toBe(1);
    expect((found.Resources as { id: string }[])[0]?.id).toBe(idOf(user));
  });

  it('row 12: emails[primary eq true].value eq "x" matches the primary email', async () => {
    const user = await client.createUser({
      userName: "row12",
      emails: [
        { value: "other@example.com", type: "home" },
        { value: "row12@example.com", type: "work", primary: true },
      ],
    });
    await client.createUser({
      userName: "row12-decoy",
      emails: [
        { value: "row12@example.com", type: "home" },
        { value: "decoy@example.com", type: "work", primary: true },
      ],
    });
    const found = await client.read(
      '/Users?filter=emails[primary+eq+true].value+eq+"row12@example.com"',
    );
    expect(found.totalResults).toBe(1);
    expect((found.Resources as { id: string }[])[0]?.id).toBe(idOf(user));
  });

  it("row 13: unknown query parameters (the aadOptscim062020 flag) are ignored", async () => {
    await client.createUser({ userName: "row13" });
    const flagged = await client.read('/Users?aadOptscim062020&filter=userName+eq+"row13"');
    expect(flagged.totalResults).toBe(1);
    const unknown = await client.send("GET", "/Users?count=1&somethingElse=yes");
    expect(unknown.status).toBe(200);
  });

  it("row 14: application/json, charset and a missing content type are accepted; replies are application/scim+json", async () => {
    for (const [index, contentType] of [
      "application/json",
      "application/scim+json; charset=utf-8",
      "application/json; charset=UTF-8",
    ].entries()) {
      const response = await client.send(
        "POST",
        "/Users",
        { schemas: [USER], userName: `row14-${index}` },
        { "Content-Type": contentType },
      );
      expect(response.status).toBe(201);
      expect(response.headers["content-type"]).toMatch(/^application\/scim\+json/);
    }
  });

  it("row 15: null and [] are unassigned: skipped on POST, cleared on PUT", async () => {
    const created = await client.createUser({
      userName: "row15",
      title: null,
      addresses: null,
      phoneNumbers: [],
      nickName: "keep",
      name: { givenName: "A", middleName: null },
    });
    expect(created.title).toBeUndefined();
    expect(created.addresses).toBeUndefined();
    expect(created.phoneNumbers).toBeUndefined();
    expect(created.name).toEqual({ givenName: "A" });
    const put = await client.send("PUT", `/Users/${idOf(created)}`, {
      schemas: [USER],
      userName: "row15",
      nickName: null,
      title: "Set",
    });
    expect(put.status).toBe(200);
    const stored = await client.read(`/Users/${idOf(created)}`);
    expect(stored.nickName).toBeUndefined();
    expect(stored.title).toBe("Set");
  });

  it("row 16: unknown schema URNs that carry no data are ignored (Microsoft group URN, malformed enterprise URN)", async () => {
    const group = await client.send("POST", "/Groups", {
      schemas: [GROUP, MICROSOFT_GROUP],
      displayName: "row16",
    });
    expect(group.status).toBe(201);
    expect((group.body as { schemas: string[] }).schemas).toEqual([GROUP]);
    const user = await client.send("POST", "/Users", {
      schemas: [USER, MALFORMED_ENTERPRISE_USER],
      userName: "row16",
    });
    expect(user.status).toBe(201);
  });

  it("row 17: attribute names in any case resolve and come back canonical", async () => {
    const created = await client.createUser({
      UserName: "row17",
      Emails: [{ Value: "row17@example.com", Primary: true, TYPE: "work" }],
    });
    expect(created.userName).toBe("row17");
    expect(created.UserName).toBeUndefined();
    expect(created.emails).toEqual([{ value: "row17@example.com", primary: true, type: "work" }]);
    const found = await client.read('/Users?filter=USERNAME+EQ+"ROW17"');
    expect(found.totalResults).toBe(1);
    const patched = await client.patch(`/Users/${idOf(created)}`, {
      op: "replace",
      path: "DisplayName",
      value: "Row 17",
    });
    expect(patched.status).toBe(200);
    expect((await client.read(`/Users/${idOf(created)}`)).displayName).toBe("Row 17");
  });

  it("row 18: re-adding an existing member and renaming to the same name succeed with no events", async () => {
    const user = await client.createUser({ userName: "row18" });
    const group = await client.createGroup({
      displayName: "row18",
      members: [{ value: idOf(user) }],
    });
    const before = server.events.length;
    const readd = await client.patch(`/Groups/${idOf(group)}`, {
      op: "Add",
      path: "members",
      value: [{ value: idOf(user) }],
    });
    expect(readd.status).toBe(204);
    const rename = await client.patch(`/Groups/${idOf(group)}`, {
      op: "Replace",
      path: "displayName",
      value: "row18",
    });
    expect(rename.status).toBe(204);
    expect(server.events.slice(before)).toEqual([]);
    expect(memberIds(await client.read(`/Groups/${idOf(group)}`))).toEqual([idOf(user)]);
  });

  it("row 19: replace members with [] empties the group, observably", async () => {
    const [a, b] = await Promise.all(
      ["a", "b"].map((name) => client.createUser({ userName: `row19-${name}` })),
    );
    const group = await client.createGroup({
      displayName: "row19",
      members: [{ value: idOf(a!) }, { value: idOf(b!) }],
    });
    const response = await client.patch(`/Groups/${idOf(group)}`, {
      op: "replace",
      path: "members",
      value: [],
    });
    expect(response.status).toBe(204);
    expect(memberIds(await client.read(`/Groups/${idOf(group)}`))).toEqual([]);
    const changed = server.events.flatMap((recorded) =>
      recorded.name === "group.membersChanged" ? [recorded.event] : [],
    );
    expect(changed).toHaveLength(1);
    expect([...(changed[0]?.removed ?? [])].sort()).toEqual([idOf(a!), idOf(b!)].sort());
  });

  it('row 20: add to emails[type eq "work"].value with no work email creates the element', async () => {
    const user = await client.createUser({
      userName: "row20",
      emails: [{ value: "home@example.com", type: "home" }],
    });
    const response = await client.patch(`/Users/${idOf(user)}`, {
      op: "Add",
      path: 'emails[type eq "work"].value',
      value: "work@example.com",
    });
    expect(response.status).toBe(200);
    const emails = (await client.read(`/Users/${idOf(user)}`)).emails as Record<string, unknown>[];
    expect(emails).toHaveLength(2);
    expect(emails).toContainEqual(
      expect.objectContaining({ type: "work", value: "work@example.com" }),
    );
    expect(emails).toContainEqual(
      expect.objectContaining({ type: "home", value: "home@example.com" }),
    );

    // Entra's default job sends the same path with Replace.
    const other = await client.createUser({ userName: "row20-replace" });
    const replaced = await client.patch(`/Users/${idOf(other)}`, {
      op: "Replace",
      path: 'emails[type eq "work"].value',
      value: "replace@example.com",
    });
    expect(replaced.status).toBe(200);
    expect((await client.read(`/Users/${idOf(other)}`)).emails).toEqual([
      expect.objectContaining({ type: "work", value: "replace@example.com" }),
    ]);
  });

  it("row 21: a complex value sent as a JSON string is parsed", async () => {
    const user = await client.createUser({ userName: "row21", name: { givenName: "A" } });
    const response = await client.patch(`/Users/${idOf(user)}`, {
      op: "replace",
      path: "name",
      value: '{"givenName":"Ada","familyName":"Lovelace"}',
    });
    expect(response.status).toBe(200);
    expect((await client.read(`/Users/${idOf(user)}`)).name).toEqual({
      givenName: "Ada",
      familyName: "Lovelace",
    });
  });

  it("row 22: a lookup that matches nothing is 200 with an empty ListResponse, never 404", async () => {
    const response = await client.send(
      "GET",
      "/Users?filter=userName%20eq%20%22nobody%40example.com%22&startIndex=1&count=100",
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 0,
      startIndex: 1,
    });
  });

  it("row 23: pagination given as strings is parsed; pagination is always emitted as integers", async () => {
    await client.createUser({ userName: "row23-a" });
    await client.createUser({ userName: "row23-b" });
    const response = await client.send("POST", "/Users/.search", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      startIndex: "2",
      count: "1",
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ totalResults: 2, startIndex: 2, itemsPerPage: 1 });
    expect((response.body as { Resources: unknown[] }).Resources).toHaveLength(1);
    const listed = await client.read("/Users?startIndex=1&count=1");
    expect(listed).toMatchObject({ totalResults: 2, startIndex: 1, itemsPerPage: 1 });
  });
});

describe("tolerance matrix, strict: true", () => {
  beforeEach(() => boot(true));

  it("row 9 strict: members add with a bare string is 400 invalidValue", async () => {
    const user = await client.createUser({ userName: "strict9" });
    const group = await client.createGroup({ displayName: "strict9" });
    const response = await client.patch(`/Groups/${idOf(group)}`, {
      op: "add",
      path: "members",
      value: idOf(user),
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ scimType: "invalidValue" });
    expect(memberIds(await client.read(`/Groups/${idOf(group)}`))).toEqual([]);
  });

  it("row 10 strict: an unquoted filter value is 400 invalidFilter", async () => {
    await client.createUser({ userName: "strict10", externalId: "jyoung" });
    const response = await client.send("GET", "/Users?filter=externalId+eq+jyoung");
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ scimType: "invalidFilter", status: "400" });
  });

  it("row 12 strict: a sub-attribute after a value path in a filter is 400 invalidFilter", async () => {
    const response = await client.send("GET", '/Users?filter=emails[primary+eq+true].value+eq+"x"');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ scimType: "invalidFilter" });
  });

  it("row 16 strict: data keyed under an unknown schema URN is 400 invalidValue", async () => {
    const response = await client.send("POST", "/Users", {
      schemas: [USER, "urn:example:unknown:1.0:User"],
      userName: "strict16",
      "urn:example:unknown:1.0:User": { costCenter: "4130" },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ scimType: "invalidValue" });
    const found = await client.read('/Users?filter=userName+eq+"strict16"');
    expect(found.totalResults).toBe(0);
  });

  it('row 20 strict: replace of emails[type eq "work"].value matching nothing is 400 noTarget', async () => {
    const user = await client.createUser({
      userName: "strict20",
      emails: [{ value: "home@example.com", type: "home" }],
    });
    const response = await client.patch(`/Users/${idOf(user)}`, {
      op: "replace",
      path: 'emails[type eq "work"].value',
      value: "work@example.com",
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ scimType: "noTarget" });
    expect((await client.read(`/Users/${idOf(user)}`)).emails).toEqual([
      { value: "home@example.com", type: "home" },
    ]);
  });

  it("row 21 strict: a complex value sent as a JSON string is 400 invalidValue", async () => {
    const user = await client.createUser({ userName: "strict21", name: { givenName: "A" } });
    const response = await client.patch(`/Users/${idOf(user)}`, {
      op: "replace",
      path: "name",
      value: '{"givenName":"Ada"}',
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ scimType: "invalidValue" });
    expect((await client.read(`/Users/${idOf(user)}`)).name).toEqual({ givenName: "A" });
  });

  it("strict keeps the safe leniencies: rows 1, 2, 3, 11, 13, 14, 22 still work", async () => {
    const [a, b] = await Promise.all(
      ["a", "b"].map((name) => client.createUser({ userName: `strict-${name}` })),
    );
    const group = await client.createGroup({
      displayName: "strict",
      members: [{ value: idOf(a!) }, { value: idOf(b!) }],
    });
    const removed = await client.patch(`/Groups/${idOf(group)}`, {
      op: "Remove",
      path: "members",
      value: [{ value: idOf(a!) }],
    });
    expect(removed.status).toBe(204);
    expect(memberIds(await client.read(`/Groups/${idOf(group)}`))).toEqual([idOf(b!)]);
    const deactivated = await client.patch(`/Users/${idOf(b!)}`, {
      op: "Replace",
      path: "active",
      value: "False",
    });
    expect(deactivated.status).toBe(200);
    expect((await client.read(`/Users/${idOf(b!)}`)).active).toBe(false);
    const found = await client.read('/Users?aadOptscim062020&filter=userName+eq+"strict-b"');
    expect(found.totalResults).toBe(1);
    const json = await client.send(
      "POST",
      "/Users",
      { schemas: [USER], userName: "strict-json" },
      { "Content-Type": "application/json" },
    );
    expect(json.status).toBe(201);
    expect(eventNames()).toContain("user.deactivated");
  });
});
