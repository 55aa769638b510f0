import {
  type CheckContext,
  type CheckDefinition,
  check,
  describe,
  expectEqual,
  expectError,
  expectList,
  expectObject,
  expectStatus,
  fail,
  GROUP_SCHEMA,
  isObject,
  pick,
  show,
  skip,
  USER_SCHEMA,
} from "../check";
import type { JsonObject } from "../scim-client";
import { patch, patched } from "./patch";

const REFERENCE = "Okta SCIM 2.0 protocol reference";

const okta = (
  id: string,
  title: string,
  expected: string,
  run: CheckDefinition["run"],
  requires: CheckDefinition["requires"] = [],
): CheckDefinition =>
  check({
    id: `okta.${id}`,
    area: "okta",
    idp: "okta",
    title,
    ref: REFERENCE,
    expected,
    run,
    requires,
  });

/** The user Okta creates (documented shape, with a password), made once. */
const oktaUser = (context: CheckContext) =>
  context.shared("okta.user", async () => {
    const userName = `${context.prefix}okta-user@example.com`;
    const answer = await context.request("POST", context.users, {
      body: {
        schemas: [USER_SCHEMA],
        userName,
        name: { givenName: "John", familyName: "Doe" },
        emails: [{ primary: true, value: userName, type: "work" }],
        displayName: "John Doe",
        locale: "en-US",
        externalId: `${context.prefix}00u1okta`,
        groups: [],
        password: "1mz050nq-Okta-Pa55",
        active: true,
      },
    });
    if (isObject(answer.body)) context.track(context.users, answer.body.id);
    return { answer, userName };
  });

const createdOktaUser = async (context: CheckContext) => {
  const { answer } = await oktaUser(context);
  if (answer.status !== 201 || !isObject(answer.body)) {
    skip(`prerequisite failed: okta.create-user: ${describe(answer)}`);
  }
  return answer.body as JsonObject;
};

const memberValues = (resource: unknown) => {
  const members = pick(resource, "members");
  return Array.isArray(members)
    ? members.map((member) => String(pick(member, "value"))).sort()
    : [];
};

export const oktaChecks: CheckDefinition[] = [
  okta(
    "connect",
    "The connection probe GET /Users?startIndex=1&count=2 answers a ListResponse with integers.",
    "200; totalResults, startIndex, itemsPerPage integers; at most 2 Resources",
    async (context) => {
      const answer = await context.request("GET", `${context.users}?startIndex=1&count=2`);
      const resources = expectList(answer);
      if (resources.length > 2) fail(`${resources.length} resources for count=2`);
      for (const key of ["totalResults", "startIndex", "itemsPerPage"]) {
        if (!Number.isInteger(pick(answer.body, key)))
          fail(`${key} is ${show(pick(answer.body, key))}`);
      }
    },
  ),
  okta(
    "create-user",
    "The documented create (with password, groups: [], locale) answers 201 with the user.",
    "201 with id, active true, and no password",
    async (context) => {
      const { answer } = await oktaUser(context);
      expectStatus(answer, 201);
      const body = expectObject(answer);
      if (typeof body.id !== "string") fail("no id");
      expectEqual("active", body.active, true);
      if (body.password !== undefined) fail("password returned");
    },
  ),
  okta(
    "lookup",
    'The lookup filter=userName eq "..."&startIndex=1&count=100 finds the user.',
    "totalResults 1 with id, userName, name, emails and active",
    async (context) => {
      const user = await createdOktaUser(context);
      const answer = await context.request("GET", context.users, {
        query: { filter: `userName eq "${String(user.userName)}"`, startIndex: 1, count: 100 },
      });
      const found = expectList(answer);
      expectEqual(
        "ids",
        found.map((resource) => resource.id),
        [user.id],
      );
      const first = found[0];
      for (const path of [
        ["name", "givenName"],
        ["name", "familyName"],
        ["userName"],
        ["active"],
        ["emails", 0, "value"],
      ] as (string | number)[][]) {
        if (pick(first, ...path) === undefined) fail(`${path.join(".")} is missing`);
      }
    },
    ["filter"],
  ),
  okta(
    "lookup.case-insensitive",
    "The lookup with an upper-cased userName finds the user.",
    "totalResults 1",
    async (context) => {
      const user = await createdOktaUser(context);
      const answer = await context.request("GET", context.users, {
        query: {
          filter: `userName eq "${String(user.userName).toUpperCase()}"`,
          startIndex: 1,
          count: 100,
        },
      });
      expectEqual(
        "ids",
        expectList(answer).map((resource) => resource.id),
        [user.id],
      );
    },
    ["filter"],
  ),
  okta(
    "lookup.unknown",
    "The lookup of an unknown userName answers 200 with totalResults 0.",
    "200, totalResults 0",
    async (context) => {
      const answer = await context.request("GET", context.users, {
        query: {
          filter: `userName eq "${context.unique("okta-nobody")}@example.com"`,
          startIndex: 1,
          count: 100,
        },
      });
      expectList(answer);
      expectEqual("totalResults", pick(answer.body, "totalResults"), 0);
    },
    ["filter"],
  ),
  okta(
    "duplicate",
    "Creating the same userName again answers 409 with a SCIM error.",
    '409 with status "409"',
    async (context) => {
      const user = await createdOktaUser(context);
      const answer = await context.request("POST", context.users, {
        body: { schemas: [USER_SCHEMA], userName: user.userName },
      });
      if (isObject(answer.body)) context.track(context.users, answer.body.id);
      expectError(answer, 409);
    },
  ),
  okta(
    "unknown-id",
    "GET of an unknown id answers 404 with an Error body and a detail.",
    '404 with status "404" and detail',
    async (context) => {
      const answer = await context.request("GET", `${context.users}/${context.prefix}010101`);
      expectError(answer, 404);
      if (typeof pick(answer.body, "detail") !== "string") fail("no detail");
    },
  ),
  okta(
    "bad-token",
    'A wrong token answers 401 with an Error body, status "401" and a detail.',
    '401 with status "401" and detail',
    async (context) => {
      const answer = await context.request("GET", context.users, {
        headers: { authorization: "Bearer okta-spec-test-wrong-token" },
      });
      expectError(answer, 401);
      if (typeof pick(answer.body, "detail") !== "string") fail("no detail");
    },
  ),
  okta(
    "put-update",
    "Profile update: GET, then PUT of the whole object (id, meta and groups included).",
    "200 with the updated attribute; GET agrees",
    async (context) => {
      const user = await context.createUser({ name: { givenName: "Before", familyName: "Put" } });
      const path = `${context.users}/${String(user.id)}`;
      const current = expectObject(await context.request("GET", path));
      const answer = await context.request("PUT", path, {
        body: { ...current, groups: [], name: { givenName: "After", familyName: "Put" } },
      });
      expectStatus(answer, 200);
      expectEqual("name.givenName", pick(answer.body, "name", "givenName"), "After");
      expectEqual(
        "name.givenName on GET",
        pick((await context.request("GET", path)).body, "name", "givenName"),
        "After",
      );
    },
  ),
  okta(
    "deactivate",
    'Deactivate: {"op":"replace","value":{"active":false}} without a path.',
    "2xx and active false",
    async (context) => {
      const user = await context.createUser({ active: true });
      const { resource } = await patched(context, context.users, user.id, [
        { op: "replace", value: { active: false } },
      ]);
      expectEqual("active", resource.active, false);
    },
    ["patch"],
  ),
  okta(
    "reactivate",
    'Reactivate: {"op":"replace","value":{"active":true}} without a path.',
    "2xx and active true",
    async (context) => {
      const user = await context.createUser({ active: false });
      const { resource } = await patched(context, context.users, user.id, [
        { op: "replace", value: { active: true } },
      ]);
      expectEqual("active", resource.active, true);
    },
    ["patch"],
  ),
  okta(
    "deactivate-put",
    "Deactivate by PUT with active false (custom app integrations).",
    "200 and active false",
    async (context) => {
      const user = await context.createUser({ active: true });
      const path = `${context.users}/${String(user.id)}`;
      const answer = await context.request("PUT", path, { body: { ...user, active: false } });
      expectStatus(answer, 200);
      expectEqual("active", pick((await context.request("GET", path)).body, "active"), false);
    },
  ),
  okta(
    "group-push",
    "Group push: POST /Groups with displayName and members: [] answers 201 with the group.",
    "201 with id and displayName",
    async (context) => {
      const displayName = context.unique("okta-group");
      const answer = await context.request("POST", context.groups, {
        body: { schemas: [GROUP_SCHEMA], displayName, members: [] },
      });
      if (isObject(answer.body)) context.track(context.groups, answer.body.id);
      expectStatus(answer, 201);
      expectEqual("displayName", pick(answer.body, "displayName"), displayName);
    },
    ["groups"],
  ),
  okta(
    "group-rename",
    'Rename: replace with value {"id": <group id>, "displayName": ...} (read-only id inside).',
    "2xx and the new displayName",
    async (context) => {
      const group = await context.createGroup();
      const renamed = context.unique("okta-renamed");
      const answer = await patch(context, context.groups, group.id, [
        { op: "replace", value: { id: group.id, displayName: renamed } },
      ]);
      expectStatus(answer, 200, 204);
      expectEqual(
        "displayName",
        pick(
          (await context.request("GET", `${context.groups}/${String(group.id)}`)).body,
          "displayName",
        ),
        renamed,
      );
    },
    ["groups", "patch"],
  ),
  okta(
    "group-members",
    'One PATCH removing members[value eq "a"] and adding [{value: b, display}] (no type).',
    "a removed, b added",
    async (context) => {
      const first = await context.createUser();
      const second = await context.createUser();
      const group = await context.createGroup({ members: [{ value: first.id }] });
      const { resource } = await patched(context, context.groups, group.id, [
        { op: "remove", path: `members[value eq "${String(first.id)}"]` },
        { op: "add", path: "members", value: [{ value: second.id, display: second.userName }] },
      ]);
      expectEqual("members", memberValues(resource), [String(second.id)]);
    },
    ["groups", "patch"],
  ),
  okta(
    "group-push-now-empty",
    "Push now of an empty group: replace members with [].",
    "2xx and no members",
    async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      const { resource } = await patched(context, context.groups, group.id, [
        { op: "replace", path: "members", value: [] },
      ]);
      expectEqual("members", memberValues(resource), []);
    },
    ["groups", "patch"],
  ),
  okta(
    "groups-list",
    "The group import GET /Groups?startIndex=1&count=100 answers a ListResponse.",
    "200 ListResponse",
    async (context) => {
      expectList(await context.request("GET", `${context.groups}?startIndex=1&count=100`));
    },
    ["groups"],
  ),
  okta(
    "json-content-type",
    "A create sent with Content-Type application/json is accepted.",
    "201",
    async (context) => {
      const answer = await context.request("POST", context.users, {
        body: { schemas: [USER_SCHEMA], userName: `${context.unique("json")}@example.com` },
        headers: { "content-type": "application/json; charset=utf-8" },
      });
      if (isObject(answer.body)) context.track(context.users, answer.body.id);
      expectStatus(answer, 201);
    },
  ),
];
