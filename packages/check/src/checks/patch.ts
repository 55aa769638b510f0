import {
  type CheckContext,
  type CheckDefinition,
  check,
  describe,
  ENTERPRISE_SCHEMA,
  expectEqual,
  expectError,
  expectObject,
  expectStatus,
  fail,
  PATCH_OP_SCHEMA,
  patchBody,
  pick,
  show,
  USER_SCHEMA,
} from "../check";
import type { HttpAnswer, JsonObject } from "../scim-client";

const PATCH = "RFC 7644 §3.5.2";
const ADD = "RFC 7644 §3.5.2.1";
const REMOVE = "RFC 7644 §3.5.2.2";
const REPLACE = "RFC 7644 §3.5.2.3";

export async function patch(
  context: CheckContext,
  endpoint: string,
  id: unknown,
  operations: unknown[],
  options: { headers?: Record<string, string>; query?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  return context.request("PATCH", `${endpoint}/${String(id)}`, {
    body: patchBody(...operations),
    ...options,
  });
}

/** PATCHes, expects success (200 or 204), and answers the resource as a GET then shows it. */
export async function patched(
  context: CheckContext,
  endpoint: string,
  id: unknown,
  operations: unknown[],
) {
  const answer = await patch(context, endpoint, id, operations);
  expectStatus(answer, 200, 204);
  const read = await context.request("GET", `${endpoint}/${String(id)}`);
  expectStatus(read, 200);
  return { answer, resource: expectObject(read) };
}

const userPatch = (context: CheckContext, user: JsonObject, operations: unknown[]) =>
  patched(context, context.users, user.id, operations);

const memberIds = (resource: unknown): string[] => {
  const members = pick(resource, "members");
  return Array.isArray(members)
    ? members.map((member) => String(pick(member, "value"))).sort()
    : [];
};

const emailsUser = (context: CheckContext) => {
  const base = context.unique("mail");
  return context.createUser({
    emails: [
      { value: `${base}-work@example.com`, type: "work", primary: true },
      { value: `${base}-home@example.com`, type: "home" },
    ],
  });
};

const emailOf = (resource: unknown, type: string) => {
  const emails = pick(resource, "emails");
  return Array.isArray(emails) ? emails.find((email) => pick(email, "type") === type) : undefined;
};

const patchCheck = (
  id: string,
  title: string,
  ref: string,
  expected: string,
  run: CheckDefinition["run"],
  requires: CheckDefinition["requires"] = [],
  level?: "should",
): CheckDefinition =>
  check({
    ...(level === undefined ? {} : { level }),
    id: `patch.${id}`,
    area: "patch",
    requires: ["patch", ...(requires ?? [])],
    title,
    ref,
    expected,
    run,
  });

export const patchChecks: CheckDefinition[] = [
  patchCheck(
    "add.attribute",
    "add with a path sets a single-valued attribute.",
    ADD,
    "nickName set to the value",
    async (context) => {
      const user = await context.createUser();
      const { resource } = await userPatch(context, user, [
        { op: "add", path: "nickName", value: "nick" },
      ]);
      expectEqual("nickName", resource.nickName, "nick");
    },
  ),
  patchCheck(
    "replace.attribute",
    "replace with a path changes a single-valued attribute.",
    REPLACE,
    "displayName replaced",
    async (context) => {
      const user = await context.createUser({ displayName: "Before" });
      const { resource } = await userPatch(context, user, [
        { op: "replace", path: "displayName", value: "After" },
      ]);
      expectEqual("displayName", resource.displayName, "After");
    },
  ),
  patchCheck(
    "remove.attribute",
    "remove with a path unassigns the attribute.",
    REMOVE,
    "nickName absent afterwards",
    async (context) => {
      const user = await context.createUser({ nickName: "gone-soon" });
      const { resource } = await userPatch(context, user, [{ op: "remove", path: "nickName" }]);
      if (resource.nickName !== undefined && resource.nickName !== null)
        fail(`nickName is ${show(resource.nickName)}`);
    },
  ),
  patchCheck(
    "add.no-path",
    "add without a path merges the value object into the resource.",
    ADD,
    "nickName and title set, userName kept",
    async (context) => {
      const user = await context.createUser();
      const { resource } = await userPatch(context, user, [
        { op: "add", value: { nickName: "np", title: "No Path" } },
      ]);
      expectEqual("nickName", resource.nickName, "np");
      expectEqual("title", resource.title, "No Path");
      expectEqual("userName", resource.userName, user.userName);
    },
  ),
  patchCheck(
    "replace.no-path",
    "replace without a path replaces each attribute of the value object.",
    REPLACE,
    "displayName and active replaced, others kept",
    async (context) => {
      const user = await context.createUser({ displayName: "Before", title: "Kept", active: true });
      const { resource } = await userPatch(context, user, [
        { op: "replace", value: { displayName: "After", active: false } },
      ]);
      expectEqual("displayName", resource.displayName, "After");
      expectEqual("active", resource.active, false);
      expectEqual("title", resource.title, "Kept");
    },
  ),
  patchCheck(
    "replace.sub-attribute",
    "replace name.givenName changes only that sub-attribute.",
    REPLACE,
    "givenName replaced, familyName kept",
    async (context) => {
      const user = await context.createUser({ name: { givenName: "Old", familyName: "Family" } });
      const { resource } = await userPatch(context, user, [
        { op: "replace", path: "name.givenName", value: "New" },
      ]);
      expectEqual("name", resource.name, { givenName: "New", familyName: "Family" });
    },
  ),
  patchCheck(
    "replace.complex-merge",
    "replace of a complex attribute keeps sub-attributes the value does not name.",
    REPLACE,
    "replace name with {givenName} keeps familyName",
    async (context) => {
      const user = await context.createUser({ name: { givenName: "Old", familyName: "Family" } });
      const { resource } = await userPatch(context, user, [
        { op: "replace", path: "name", value: { givenName: "New" } },
      ]);
      expectEqual("name", resource.name, { givenName: "New", familyName: "Family" });
    },
  ),
  patchCheck(
    "replace.missing-acts-as-add",
    "replace of an unassigned attribute adds it.",
    REPLACE,
    "title set",
    async (context) => {
      const user = await context.createUser();
      const { resource } = await userPatch(context, user, [
        { op: "replace", path: "title", value: "Added by replace" },
      ]);
      expectEqual("title", resource.title, "Added by replace");
    },
  ),
  patchCheck(
    "add.multi-valued-appends",
    "add to a multi-valued attribute appends and keeps existing values.",
    ADD,
    "three emails afterwards, the original two included",
    async (context) => {
      const user = await emailsUser(context);
      const added = `${context.unique("mail")}-other@example.com`;
      const { resource } = await userPatch(context, user, [
        { op: "add", path: "emails", value: [{ value: added, type: "other" }] },
      ]);
      const values = (Array.isArray(resource.emails) ? resource.emails : []).map((email) =>
        pick(email, "value"),
      );
      for (const expected of [
        ...(user.emails as JsonObject[]).map((email) => email.value),
        added,
      ]) {
        if (!values.includes(expected)) fail(`emails are ${show(values)}`);
      }
    },
  ),
  patchCheck(
    "replace.value-filter",
    'replace emails[type eq "work"].value changes only the work email.',
    REPLACE,
    "work email replaced, home email unchanged",
    async (context) => {
      const user = await emailsUser(context);
      const value = `${context.unique("mail")}-new@example.com`;
      const { resource } = await userPatch(context, user, [
        { op: "replace", path: 'emails[type eq "work"].value', value },
      ]);
      expectEqual("work email", pick(emailOf(resource, "work"), "value"), value);
      expectEqual(
        "home email",
        pick(emailOf(resource, "home"), "value"),
        pick(emailOf(user, "home"), "value"),
      );
    },
  ),
  patchCheck(
    "remove.value-filter",
    'remove emails[type eq "home"] removes only the matching value.',
    REMOVE,
    "home email gone, work email kept",
    async (context) => {
      const user = await emailsUser(context);
      const { resource } = await userPatch(context, user, [
        { op: "remove", path: 'emails[type eq "home"]' },
      ]);
      if (emailOf(resource, "home") !== undefined) fail(`emails are ${show(resource.emails)}`);
      expectEqual(
        "work email",
        pick(emailOf(resource, "work"), "value"),
        pick(emailOf(user, "work"), "value"),
      );
    },
  ),
  patchCheck(
    "remove.multi-valued-all",
    "remove of a multi-valued attribute without a filter removes all values.",
    REMOVE,
    "no emails afterwards",
    async (context) => {
      const user = await emailsUser(context);
      const { resource } = await userPatch(context, user, [{ op: "remove", path: "emails" }]);
      const emails = resource.emails;
      if (emails !== undefined && !(Array.isArray(emails) && emails.length === 0))
        fail(`emails are ${show(emails)}`);
    },
  ),
  patchCheck(
    "remove.no-path",
    "remove without a path is refused with 400 noTarget.",
    REMOVE,
    '400 with scimType "noTarget"',
    async (context) => {
      const user = await context.createUser();
      expectError(await patch(context, context.users, user.id, [{ op: "remove" }]), 400, [
        "noTarget",
      ]);
    },
  ),
  patchCheck(
    "replace.filter-no-match",
    "replace of a value-filtered element that matches nothing is refused with 400 noTarget.",
    REPLACE,
    '400 with scimType "noTarget"',
    async (context) => {
      // The whole-element form. The sub-attribute form (emails[...].value) is what Entra sends
      // as Replace for an absent value, which servers may create for it: left open here.
      const user = await emailsUser(context);
      const answer = await patch(context, context.users, user.id, [
        {
          op: "replace",
          path: 'emails[type eq "scimkit-none"]',
          value: { value: "x@example.com", type: "scimkit-none" },
        },
      ]);
      expectError(answer, 400, ["noTarget"]);
    },
  ),
  patchCheck(
    "invalid.op",
    "An unknown op is refused with 400.",
    PATCH,
    "400 with an Error body (invalidSyntax or invalidValue)",
    async (context) => {
      const user = await context.createUser();
      expectError(
        await patch(context, context.users, user.id, [
          { op: "frobnicate", path: "nickName", value: "x" },
        ]),
        400,
        ["invalidSyntax", "invalidValue"],
      );
    },
  ),
  patchCheck(
    "invalid.path",
    "A path naming no attribute is refused with 400 invalidPath.",
    "RFC 7644 §3.5.2; RFC 7644 §3.12 (invalidPath)",
    '400 with scimType "invalidPath" (or noTarget)',
    async (context) => {
      const user = await context.createUser();
      expectError(
        await patch(context, context.users, user.id, [
          { op: "replace", path: "scimkitNoSuchAttribute", value: "x" },
        ]),
        400,
        ["invalidPath", "noTarget"],
      );
    },
  ),
  patchCheck(
    "invalid.path-syntax",
    "A malformed path is refused with 400.",
    "RFC 7644 §3.5.2; RFC 7644 §3.12",
    '400 with scimType "invalidPath" or "invalidFilter"',
    async (context) => {
      const user = await context.createUser();
      expectError(
        await patch(context, context.users, user.id, [
          { op: "replace", path: 'emails[type eq "work"', value: "x" },
        ]),
        400,
        ["invalidPath", "invalidFilter"],
      );
    },
  ),
  patchCheck(
    "invalid.schemas",
    "A PatchOp body without its schema URN is refused with 400.",
    PATCH,
    `400 (schemas must be ["${PATCH_OP_SCHEMA}"])`,
    async (context) => {
      const user = await context.createUser();
      const answer = await context.request("PATCH", `${context.users}/${String(user.id)}`, {
        body: {
          schemas: [USER_SCHEMA],
          Operations: [{ op: "replace", path: "nickName", value: "x" }],
        },
      });
      expectError(answer, 400);
    },
    [],
    "should",
  ),
  patchCheck(
    "read-only.id",
    "replace of the id with another value is refused with 400 mutability.",
    "RFC 7644 §3.5.2; RFC 7643 §3.1 (id readOnly)",
    '400 with scimType "mutability"',
    async (context) => {
      const user = await context.createUser();
      expectError(
        await patch(context, context.users, user.id, [
          { op: "replace", path: "id", value: crypto.randomUUID() },
        ]),
        400,
        ["mutability", "invalidValue"],
      );
    },
  ),
  patchCheck(
    "atomic",
    "PATCH is atomic: when one operation fails, none is applied.",
    PATCH,
    "400 for the request, and the first (valid) operation not applied",
    async (context) => {
      const user = await context.createUser({ nickName: "original" });
      const answer = await patch(context, context.users, user.id, [
        { op: "replace", path: "nickName", value: "changed" },
        { op: "replace", path: "displayName", value: "changed too" },
        { op: "remove" },
      ]);
      if (answer.status < 400) fail(`${describe(answer)} although the third operation is invalid`);
      const read = await context.request("GET", `${context.users}/${String(user.id)}`);
      expectEqual("nickName after the failed PATCH", pick(read.body, "nickName"), "original");
      if (pick(read.body, "displayName") === "changed too")
        fail("displayName was changed by the failed PATCH");
    },
  ),
  patchCheck(
    "order",
    "Operations apply in order: a later replace wins over an earlier add.",
    PATCH,
    'nickName is "second"',
    async (context) => {
      const user = await context.createUser();
      const { resource } = await userPatch(context, user, [
        { op: "add", path: "nickName", value: "first" },
        { op: "replace", path: "nickName", value: "second" },
      ]);
      expectEqual("nickName", resource.nickName, "second");
    },
  ),
  patchCheck(
    "response",
    "A successful PATCH answers 200 with the updated resource, or 204.",
    PATCH,
    "204, or 200 whose body shows the change",
    async (context) => {
      const user = await context.createUser();
      const answer = await patch(context, context.users, user.id, [
        { op: "replace", path: "title", value: "Answered" },
      ]);
      expectStatus(answer, 200, 204);
      if (answer.status === 200)
        expectEqual("title in the 200 body", pick(answer.body, "title"), "Answered");
      return `answered ${answer.status}`;
    },
  ),
  patchCheck(
    "response.attributes",
    "A 200 PATCH answer honours attributes.",
    "RFC 7644 §3.5.2; RFC 7644 §3.9",
    "204, or 200 with userName and without title",
    async (context) => {
      const user = await context.createUser({ title: "Hidden" });
      const answer = await patch(
        context,
        context.users,
        user.id,
        [{ op: "replace", path: "nickName", value: "x" }],
        { query: { attributes: "userName" } },
      );
      expectStatus(answer, 200, 204);
      if (answer.status === 204) return "answered 204";
      expectEqual("userName", pick(answer.body, "userName"), user.userName);
      if (pick(answer.body, "title") !== undefined) fail("title is present");
    },
  ),
  patchCheck(
    "primary-unique",
    "Setting primary on one value clears it on the others.",
    "RFC 7644 §3.5.2; RFC 7643 §2.4",
    "only the added email is primary",
    async (context) => {
      const user = await emailsUser(context);
      const added = `${context.unique("mail")}-primary@example.com`;
      const { resource } = await userPatch(context, user, [
        { op: "add", path: "emails", value: [{ value: added, type: "other", primary: true }] },
      ]);
      const primaries = (Array.isArray(resource.emails) ? resource.emails : []).filter(
        (email) => pick(email, "primary") === true,
      );
      expectEqual(
        "primary emails",
        primaries.map((email) => pick(email, "value")),
        [added],
      );
    },
  ),
  patchCheck(
    "extension.attribute",
    "A URN-qualified path reaches an extension attribute.",
    "RFC 7644 §3.5.2; RFC 7644 §3.10",
    "department set in the EnterpriseUser extension",
    async (context) => {
      const user = await context.createUser();
      const { resource } = await userPatch(context, user, [
        { op: "add", path: `${ENTERPRISE_SCHEMA}:department`, value: "Research" },
      ]);
      expectEqual("department", pick(resource, ENTERPRISE_SCHEMA, "department"), "Research");
    },
    ["enterprise"],
  ),
  patchCheck(
    "extension.object",
    "A path that is the extension URN replaces attributes of the extension.",
    REPLACE,
    "department set through path = the extension URN",
    async (context) => {
      const user = await context.createUser();
      const { resource } = await userPatch(context, user, [
        { op: "replace", path: ENTERPRISE_SCHEMA, value: { department: "Whole" } },
      ]);
      expectEqual("department", pick(resource, ENTERPRISE_SCHEMA, "department"), "Whole");
    },
    ["enterprise"],
  ),
  patchCheck(
    "extension.no-path",
    "A no-path value keyed by the extension URN updates the extension.",
    REPLACE,
    "department set from value[<URN>]",
    async (context) => {
      const user = await context.createUser();
      const { resource } = await userPatch(context, user, [
        { op: "replace", value: { [ENTERPRISE_SCHEMA]: { department: "Keyed" } } },
      ]);
      expectEqual("department", pick(resource, ENTERPRISE_SCHEMA, "department"), "Keyed");
    },
    ["enterprise"],
  ),
  patchCheck(
    "extension.stray-schemas",
    "A `schemas` key inside an extension value is treated by PATCH as PUT treats it.",
    "RFC 7644 §3.5.2 (PATCH applies the attribute rules PUT does, §3.5.1)",
    "PATCH add and replace with path = the extension URN and a value carrying schemas answer like PUT with the same stray key",
    async (context) => {
      const user = await context.createUser({ schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA] });
      const stray = { schemas: [ENTERPRISE_SCHEMA], department: "Stray" };
      const put = await context.request("PUT", `${context.users}/${String(user.id)}`, {
        body: {
          schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
          userName: user.userName,
          [ENTERPRISE_SCHEMA]: stray,
        },
      });
      const putAccepted = put.status === 200;
      for (const op of ["add", "replace"]) {
        const answer = await patch(context, context.users, user.id, [
          { op, path: ENTERPRISE_SCHEMA, value: stray },
        ]);
        const patchAccepted = answer.status === 200 || answer.status === 204;
        if (patchAccepted !== putAccepted) {
          fail(`PUT with the stray key: ${describe(put)}; PATCH ${op}: ${describe(answer)}`);
        }
      }
      return putAccepted ? "both accept it" : "both refuse it";
    },
    ["enterprise"],
  ),
  patchCheck(
    "unknown-resource",
    "PATCH of an unknown id answers 404.",
    "RFC 7644 §3.5.2; RFC 7644 §3.12",
    "404 with an Error body",
    async (context) => {
      expectError(
        await patch(context, context.users, crypto.randomUUID(), [
          { op: "replace", path: "nickName", value: "x" },
        ]),
        404,
      );
    },
  ),
  patchCheck(
    "change-password",
    "replace password is accepted and the password is never returned.",
    "RFC 7643 §5 (changePassword); RFC 7643 §4.1.1",
    "200 or 204; no password in any answer",
    async (context) => {
      const user = await context.createUser();
      const answer = await patch(context, context.users, user.id, [
        { op: "replace", path: "password", value: "N3w-Sc1mkit-Pa55!" },
      ]);
      expectStatus(answer, 200, 204);
      if (pick(answer.body, "password") !== undefined) fail("the PATCH answer contains password");
      const read = await context.request("GET", `${context.users}/${String(user.id)}`);
      if (pick(read.body, "password") !== undefined) fail("GET answers password");
    },
    ["changePassword"],
  ),
  // Group membership, the part every IdP relies on.
  patchCheck(
    "members.add",
    "add members appends to the member list.",
    ADD,
    "both members present afterwards",
    async (context) => {
      const first = await context.createUser();
      const second = await context.createUser();
      const group = await context.createGroup({ members: [{ value: first.id }] });
      const { resource } = await patched(context, context.groups, group.id, [
        { op: "add", path: "members", value: [{ value: second.id }] },
      ]);
      expectEqual("members", memberIds(resource), [String(first.id), String(second.id)].sort());
    },
    ["groups"],
  ),
  patchCheck(
    "members.add-many",
    "One add operation can carry several members.",
    ADD,
    "all three members present",
    async (context) => {
      const users = [
        await context.createUser(),
        await context.createUser(),
        await context.createUser(),
      ];
      const group = await context.createGroup();
      const { resource } = await patched(context, context.groups, group.id, [
        { op: "add", path: "members", value: users.map((user) => ({ value: user.id })) },
      ]);
      expectEqual("members", memberIds(resource), users.map((user) => String(user.id)).sort());
    },
    ["groups"],
  ),
  patchCheck(
    "members.add-existing",
    "Adding an existing member succeeds and changes nothing.",
    ADD,
    "2xx and the member listed once",
    async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      const { resource } = await patched(context, context.groups, group.id, [
        { op: "add", path: "members", value: [{ value: user.id }] },
      ]);
      expectEqual("members", memberIds(resource), [String(user.id)]);
    },
    ["groups"],
  ),
  patchCheck(
    "members.remove-filter",
    'remove members[value eq "id"] removes that member only.',
    REMOVE,
    "the other member stays",
    async (context) => {
      const first = await context.createUser();
      const second = await context.createUser();
      const group = await context.createGroup({
        members: [{ value: first.id }, { value: second.id }],
      });
      const { resource } = await patched(context, context.groups, group.id, [
        { op: "remove", path: `members[value eq "${String(first.id)}"]` },
      ]);
      expectEqual("members", memberIds(resource), [String(second.id)]);
    },
    ["groups"],
  ),
  patchCheck(
    "members.remove-all",
    "remove members without a filter empties the group.",
    REMOVE,
    "no members afterwards",
    async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      const { resource } = await patched(context, context.groups, group.id, [
        { op: "remove", path: "members" },
      ]);
      expectEqual("members", memberIds(resource), []);
    },
    ["groups"],
  ),
  patchCheck(
    "members.replace",
    "replace members sets exactly the given members.",
    REPLACE,
    "only the new member",
    async (context) => {
      const first = await context.createUser();
      const second = await context.createUser();
      const group = await context.createGroup({ members: [{ value: first.id }] });
      const { resource } = await patched(context, context.groups, group.id, [
        { op: "replace", path: "members", value: [{ value: second.id }] },
      ]);
      expectEqual("members", memberIds(resource), [String(second.id)]);
    },
    ["groups"],
  ),
  patchCheck(
    "members.replace-empty",
    "replace members with [] empties the group.",
    REPLACE,
    "no members afterwards",
    async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      const { resource } = await patched(context, context.groups, group.id, [
        { op: "replace", path: "members", value: [] },
      ]);
      expectEqual("members", memberIds(resource), []);
    },
    ["groups"],
  ),
  patchCheck(
    "members.remove-and-add",
    "remove and add in one request apply in order.",
    PATCH,
    "the removed member gone, the added one present",
    async (context) => {
      const first = await context.createUser();
      const second = await context.createUser();
      const group = await context.createGroup({ members: [{ value: first.id }] });
      const { resource } = await patched(context, context.groups, group.id, [
        { op: "remove", path: `members[value eq "${String(first.id)}"]` },
        { op: "add", path: "members", value: [{ value: second.id }] },
      ]);
      expectEqual("members", memberIds(resource), [String(second.id)]);
    },
    ["groups"],
  ),
  patchCheck(
    "members.atomic",
    "A membership PATCH with a failing operation changes no member.",
    PATCH,
    "4xx and the member list unchanged",
    async (context) => {
      const first = await context.createUser();
      const second = await context.createUser();
      const group = await context.createGroup({ members: [{ value: first.id }] });
      const answer = await patch(context, context.groups, group.id, [
        { op: "add", path: "members", value: [{ value: second.id }] },
        { op: "remove" },
      ]);
      if (answer.status < 400) fail(`${describe(answer)} although the second operation is invalid`);
      const read = await context.request("GET", `${context.groups}/${String(group.id)}`);
      expectEqual("members after the failed PATCH", memberIds(read.body), [String(first.id)]);
    },
    ["groups"],
  ),
  patchCheck(
    "group.rename",
    "replace displayName renames the group and keeps its members.",
    REPLACE,
    "new displayName, same members",
    async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      const renamed = context.unique("renamed");
      const { resource } = await patched(context, context.groups, group.id, [
        { op: "replace", path: "displayName", value: renamed },
      ]);
      expectEqual("displayName", resource.displayName, renamed);
      expectEqual("members", memberIds(resource), [String(user.id)]);
    },
    ["groups"],
  ),
  patchCheck(
    "members.unknown-group",
    "PATCH of an unknown group answers 404.",
    "RFC 7644 §3.5.2; RFC 7644 §3.12",
    "404 with an Error body",
    async (context) => {
      expectError(
        await patch(context, context.groups, crypto.randomUUID(), [
          { op: "add", path: "members", value: [] },
        ]),
        404,
      );
    },
    ["groups"],
  ),
];
