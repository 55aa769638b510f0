import {
  type CheckContext,
  type CheckDefinition,
  check,
  describe,
  ENTERPRISE_SCHEMA,
  expectEqual,
  expectList,
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

const TUTORIAL = "Entra ID tutorial: Develop and plan provisioning for a SCIM endpoint";
const FLAGS =
  "Entra ID: Known issues and resolutions with SCIM 2.0 protocol compliance (aadOptscim062020)";
const MICROSOFT_GROUP = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

const entra = (
  id: string,
  title: string,
  ref: string,
  expected: string,
  run: CheckDefinition["run"],
  requires: CheckDefinition["requires"] = [],
  level?: "should",
): CheckDefinition =>
  check({
    id: `entra.${id}`,
    area: "entra",
    idp: "entra",
    title,
    ref,
    expected,
    run,
    requires,
    ...(level ? { level } : {}),
  });

/** The user Entra creates (documented shape), made once. */
const entraUser = (context: CheckContext) =>
  context.shared("entra.user", async () => {
    const userName = `${context.prefix}entra-user@contoso.example`;
    const externalId = `${context.prefix}entra-object-id`;
    const answer = await context.request("POST", context.users, {
      body: entraUserBody(userName, externalId, context.capabilities.offered.enterprise),
    });
    if (isObject(answer.body)) context.track(context.users, answer.body.id);
    return { answer, userName, externalId };
  });

function entraUserBody(userName: string, externalId: string, enterprise: boolean): JsonObject {
  return {
    schemas: enterprise ? [USER_SCHEMA, ENTERPRISE_SCHEMA] : [USER_SCHEMA],
    externalId,
    userName,
    active: true,
    emails: [{ primary: true, type: "work", value: userName }],
    meta: { resourceType: "User" },
    name: { formatted: "Ryan Leenay", familyName: "Leenay", givenName: "Ryan" },
    roles: [],
    ...(enterprise ? { [ENTERPRISE_SCHEMA]: { department: "Sales" } } : {}),
  };
}

const createdEntraUser = async (context: CheckContext) => {
  const { answer } = await entraUser(context);
  if (answer.status !== 201 || !isObject(answer.body)) {
    skip(`prerequisite failed: entra.create-user: ${describe(answer)}`);
  }
  return answer.body as JsonObject;
};

export const entraChecks: CheckDefinition[] = [
  entra(
    "test-connection",
    "Test Connection: a filter on a random userName answers 200 and an empty list.",
    TUTORIAL,
    "200 ListResponse with totalResults 0",
    async (context) => {
      const answer = await context.request("GET", context.users, {
        query: { filter: `userName eq "${crypto.randomUUID()}"` },
      });
      expectList(answer);
      expectEqual("totalResults", pick(answer.body, "totalResults"), 0);
    },
    ["filter"],
  ),
  entra(
    "create-user",
    "The documented create (core + enterprise schemas, meta.resourceType, roles: []) answers 201.",
    TUTORIAL,
    "201 with the userName and externalId as sent",
    async (context) => {
      const { answer, userName, externalId } = await entraUser(context);
      expectStatus(answer, 201);
      expectEqual("userName", pick(answer.body, "userName"), userName);
      expectEqual("externalId", pick(answer.body, "externalId"), externalId);
    },
  ),
  entra(
    "lookup.user-name",
    "The matching lookup by userName finds the user.",
    TUTORIAL,
    "totalResults 1 with its id",
    async (context) => {
      const user = await createdEntraUser(context);
      const answer = await context.request("GET", context.users, {
        query: { filter: `userName eq "${String(user.userName)}"` },
      });
      expectEqual(
        "ids",
        expectList(answer).map((resource) => resource.id),
        [user.id],
      );
    },
    ["filter"],
  ),
  entra(
    "lookup.external-id",
    "The matching lookup by externalId finds the user.",
    TUTORIAL,
    "totalResults 1 with its id",
    async (context) => {
      const user = await createdEntraUser(context);
      const answer = await context.request("GET", context.users, {
        query: { filter: `externalId eq "${String(user.externalId)}"` },
      });
      expectEqual(
        "ids",
        expectList(answer).map((resource) => resource.id),
        [user.id],
      );
    },
    ["filter"],
  ),
  entra(
    "lookup.plus-encoding",
    "A filter with `+` for spaces (as Entra encodes it) is understood.",
    `${TUTORIAL}; RFC 7644 §3.4.2.2`,
    'totalResults 1 for userName+eq+"..."',
    async (context) => {
      const user = await createdEntraUser(context);
      const filter = `userName+eq+%22${encodeURIComponent(String(user.userName))}%22`;
      const answer = await context.request("GET", `${context.users}?filter=${filter}`);
      expectEqual(
        "ids",
        expectList(answer).map((resource) => resource.id),
        [user.id],
      );
    },
    ["filter"],
  ),
  entra(
    "unknown-query-parameter",
    "An unknown query parameter (?aadOptscim062020) is ignored.",
    `${FLAGS}; RFC 7644 §3.4.2`,
    "200 for GET /Users/{id}?aadOptscim062020",
    async (context) => {
      const user = await createdEntraUser(context);
      expectStatus(
        await context.request("GET", `${context.users}/${String(user.id)}?aadOptscim062020`),
        200,
      );
    },
    [],
    "should",
  ),
  entra(
    "patch.capitalised-ops",
    "PATCH ops written Replace and Add are accepted.",
    `${FLAGS}; RFC 7644 §3.5.2`,
    "2xx and both changes applied",
    async (context) => {
      const user = await context.createUser();
      const { resource } = await patched(context, context.users, user.id, [
        { op: "Replace", path: "displayName", value: "Capitalised" },
        { op: "Add", path: "title", value: "Added" },
      ]);
      expectEqual("displayName", resource.displayName, "Capitalised");
      expectEqual("title", resource.title, "Added");
    },
    ["patch"],
  ),
  entra(
    "patch.string-boolean",
    'Disable with the string "False" (Entra\'s default job) sets active to false.',
    FLAGS,
    "2xx, then active is the JSON boolean false",
    async (context) => {
      const user = await context.createUser({ active: true });
      const { resource } = await patched(context, context.users, user.id, [
        { op: "Replace", path: "active", value: "False" },
      ]);
      expectEqual("active", resource.active, false);
    },
    ["patch"],
  ),
  entra(
    "patch.filter-path",
    'replace emails[type eq "work"].value updates the work email.',
    TUTORIAL,
    "the work email has the new value",
    async (context) => {
      const user = await context.createUser({
        emails: [{ value: `${context.unique("e")}@example.com`, type: "work", primary: true }],
      });
      const value = `${context.unique("e")}@example.com`;
      const { resource } = await patched(context, context.users, user.id, [
        { op: "Replace", path: 'emails[type eq "work"].value', value },
      ]);
      expectEqual("emails[0].value", pick(resource, "emails", 0, "value"), value);
    },
    ["patch"],
  ),
  entra(
    "patch.add-filter-path-new",
    'add emails[type eq "work"].value on a user without emails creates the work email.',
    `${FLAGS}; RFC 7644 §3.5.2.1`,
    "a work email with the value",
    async (context) => {
      const user = await context.createUser();
      const value = `${context.unique("e")}@example.com`;
      const { resource } = await patched(context, context.users, user.id, [
        { op: "add", path: 'emails[type eq "work"].value', value },
      ]);
      const emails = Array.isArray(resource.emails) ? resource.emails : [];
      if (!emails.some((email) => pick(email, "type") === "work" && pick(email, "value") === value))
        fail(`emails are ${show(emails)}`);
    },
    ["patch"],
    "should",
  ),
  entra(
    "patch.enterprise-attribute",
    "replace of urn:...:enterprise:2.0:User:employeeNumber sets it.",
    TUTORIAL,
    "employeeNumber set in the extension",
    async (context) => {
      const user = await context.createUser();
      const { resource } = await patched(context, context.users, user.id, [
        { op: "Add", path: `${ENTERPRISE_SCHEMA}:employeeNumber`, value: "1234" },
      ]);
      expectEqual("employeeNumber", pick(resource, ENTERPRISE_SCHEMA, "employeeNumber"), "1234");
    },
    ["patch", "enterprise"],
  ),
  entra(
    "patch.manager",
    "The documented manager add (path manager, value [{$ref, value}]) sets the manager.",
    TUTORIAL,
    "manager.value is the manager's id",
    async (context) => {
      const manager = await context.createUser();
      const user = await context.createUser();
      const { resource } = await patched(context, context.users, user.id, [
        { op: "Add", path: "manager", value: [{ $ref: null, value: manager.id }] },
      ]);
      expectEqual(
        "manager.value",
        pick(resource, ENTERPRISE_SCHEMA, "manager", "value"),
        manager.id,
      );
    },
    ["patch", "enterprise"],
    "should",
  ),
  entra(
    "patch.no-path-dotted",
    "aadOptscim062020: one no-path replace with dotted and URN-qualified keys.",
    FLAGS,
    "name.givenName, displayName and the extension's department set where the keys point",
    async (context) => {
      const user = await context.createUser({ name: { givenName: "Old", familyName: "Name" } });
      const { resource } = await patched(context, context.users, user.id, [
        {
          op: "replace",
          value: {
            displayName: "Folded",
            "name.givenName": "New",
            ...(context.capabilities.offered.enterprise
              ? { [`${ENTERPRISE_SCHEMA}:department`]: "Folded Dept" }
              : {}),
          },
        },
      ]);
      expectEqual("displayName", resource.displayName, "Folded");
      expectEqual("name.givenName", pick(resource, "name", "givenName"), "New");
      expectEqual("name.familyName", pick(resource, "name", "familyName"), "Name");
      if (context.capabilities.offered.enterprise)
        expectEqual("department", pick(resource, ENTERPRISE_SCHEMA, "department"), "Folded Dept");
    },
    ["patch"],
  ),
  entra(
    "deactivate.readable",
    "A user disabled with PATCH active=False is still returned by GET and by the lookup.",
    TUTORIAL,
    "GET 200 with active false; the userName filter finds it",
    async (context) => {
      const user = await context.createUser();
      await patched(context, context.users, user.id, [
        { op: "Replace", path: "active", value: "False" },
      ]);
      const answer = await context.request("GET", context.users, {
        query: { filter: `userName eq "${String(user.userName)}"` },
      });
      const found = expectList(answer);
      expectEqual("active of the found user", pick(found[0], "active"), false);
    },
    ["patch", "filter"],
  ),
  entra(
    "group.create",
    "The documented group create (with the Microsoft group schema URN, no members) answers 201.",
    TUTORIAL,
    "201 with displayName and externalId",
    async (context) => {
      const displayName = context.unique("entra-group");
      const answer = await context.request("POST", context.groups, {
        body: {
          schemas: [GROUP_SCHEMA, MICROSOFT_GROUP],
          externalId: `${context.prefix}group-object-id`,
          displayName,
          meta: { resourceType: "Group" },
        },
      });
      if (isObject(answer.body)) context.track(context.groups, answer.body.id);
      expectStatus(answer, 201);
      expectEqual("displayName", pick(answer.body, "displayName"), displayName);
    },
    ["groups"],
  ),
  entra(
    "group.lookup",
    "The group lookup with excludedAttributes=members finds it without members.",
    TUTORIAL,
    "totalResults 1, no members",
    async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      const answer = await context.request("GET", context.groups, {
        query: {
          excludedAttributes: "members",
          filter: `displayName eq "${String(group.displayName)}"`,
        },
      });
      const found = expectList(answer);
      expectEqual(
        "ids",
        found.map((resource) => resource.id),
        [group.id],
      );
      if (pick(found[0], "members") !== undefined) fail("members is present");
    },
    ["groups", "filter"],
  ),
  entra(
    "group.add-member",
    'Add members [{"$ref": null, "value": id}] adds the member.',
    TUTORIAL,
    "the member present",
    async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup();
      const { resource } = await patched(context, context.groups, group.id, [
        { op: "Add", path: "members", value: [{ $ref: null, value: user.id }] },
      ]);
      expectEqual(
        "members",
        (resource.members as unknown[] | undefined)?.map((member) => pick(member, "value")),
        [user.id],
      );
    },
    ["groups", "patch"],
  ),
  entra(
    "group.remove-member-value",
    "Remove members with a value array (the default job) removes only those members.",
    `${TUTORIAL}; ${FLAGS}`,
    "the listed member gone, the other kept",
    async (context) => {
      const first = await context.createUser();
      const second = await context.createUser();
      const group = await context.createGroup({
        members: [{ value: first.id }, { value: second.id }],
      });
      const { resource } = await patched(context, context.groups, group.id, [
        { op: "Remove", path: "members", value: [{ $ref: null, value: first.id }] },
      ]);
      expectEqual(
        "members",
        (resource.members as unknown[] | undefined)?.map((member) => pick(member, "value")),
        [second.id],
      );
    },
    ["groups", "patch"],
  ),
  entra(
    "group.rename",
    "Replace displayName renames the group (204 or 200).",
    TUTORIAL,
    "2xx and the new displayName",
    async (context) => {
      const group = await context.createGroup();
      const renamed = context.unique("entra-renamed");
      const answer = await patch(context, context.groups, group.id, [
        { op: "Replace", path: "displayName", value: renamed },
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
  entra(
    "delete-user",
    "DELETE of the provisioned user answers 204.",
    TUTORIAL,
    "204",
    async (context) => {
      const user = await context.createUser();
      expectStatus(await context.request("DELETE", `${context.users}/${String(user.id)}`), 204);
    },
  ),
  entra(
    "filter.emails-work-value",
    'The lookup emails[type eq "work"].value eq "..." (email matching) finds the user.',
    TUTORIAL,
    "totalResults 1 with the user's id",
    async (context) => {
      const email = `${context.unique("mail")}@example.com`;
      const user = await context.createUser({
        emails: [{ value: email, type: "work", primary: true }],
      });
      const answer = await context.request("GET", context.users, {
        query: { filter: `emails[type eq "work"].value eq "${email}"` },
      });
      expectEqual(
        "ids",
        expectList(answer).map((resource) => resource.id),
        [user.id],
      );
    },
    ["filter"],
    "should",
  ),
];
