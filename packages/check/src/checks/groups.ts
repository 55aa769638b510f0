import {
  type CheckDefinition,
  check,
  expectEqual,
  expectError,
  expectObject,
  expectStatus,
  fail,
  GROUP_SCHEMA,
  isObject,
  jsonEqual,
  pick,
  show,
} from "../check";
import type { JsonObject } from "../scim-client";
import { resolve } from "./users";

const memberIds = (resource: unknown): string[] => {
  const members = pick(resource, "members");
  return Array.isArray(members)
    ? members.map((member) => String(pick(member, "value"))).sort()
    : [];
};

export const groupChecks: CheckDefinition[] = [
  check({
    id: "groups.create.status",
    area: "groups",
    requires: ["groups"],
    title: "POST /Groups answers 201 with the group and a Location header.",
    ref: "RFC 7644 §3.3; RFC 7643 §4.2",
    expected:
      "201, Location equal to meta.location, displayName as sent, schemas with the Group URN",
    run: async (context) => {
      const displayName = context.unique("group");
      const answer = await context.request("POST", context.groups, {
        body: { schemas: [GROUP_SCHEMA], displayName },
      });
      if (isObject(answer.body)) context.track(context.groups, answer.body.id);
      expectStatus(answer, 201);
      expectEqual("displayName", pick(answer.body, "displayName"), displayName);
      const location = answer.headers.get("location");
      const meta = pick(answer.body, "meta", "location");
      if (
        location === null ||
        typeof meta !== "string" ||
        resolve(context, location) !== resolve(context, meta)
      ) {
        fail(`Location is ${show(location)}, meta.location ${show(meta)}`);
      }
      const schemas = pick(answer.body, "schemas");
      if (!Array.isArray(schemas) || !schemas.includes(GROUP_SCHEMA))
        fail(`schemas is ${show(schemas)}`);
      expectEqual("meta.resourceType", pick(answer.body, "meta", "resourceType"), "Group");
    },
  }),
  check({
    id: "groups.create.members",
    area: "groups",
    requires: ["groups"],
    title: "A group created with members answers them, typed and referenced correctly.",
    ref: "RFC 7643 §4.2",
    expected:
      'members[].value are the user ids; type, when present, is "User"; $ref, when present, is the user\'s URL',
    run: async (context) => {
      const first = await context.createUser();
      const second = await context.createUser();
      const group = await context.createGroup({
        members: [{ value: first.id }, { value: second.id }],
      });
      expectEqual("member values", memberIds(group), [String(first.id), String(second.id)].sort());
      for (const member of (group.members as unknown[]) ?? []) {
        const type = pick(member, "type");
        if (type !== undefined && type !== "User") fail(`member type is ${show(type)}`);
        const ref = pick(member, "$ref");
        const user = pick(member, "value") === first.id ? first : second;
        if (ref !== undefined && ref !== null && !String(ref).endsWith(`/${String(user.id)}`)) {
          fail(
            `member $ref is ${show(ref)}, the user's location is ${show(pick(user, "meta", "location"))}`,
          );
        }
      }
    },
  }),
  check({
    id: "groups.create.missing-display-name",
    area: "groups",
    requires: ["groups"],
    title: "A group without displayName is refused with 400.",
    ref: "RFC 7643 §4.2 (displayName REQUIRED; erratum 5368)",
    expected: '400 with scimType "invalidValue" (or invalidSyntax)',
    run: async (context) => {
      const answer = await context.request("POST", context.groups, {
        body: { schemas: [GROUP_SCHEMA], externalId: context.unique("no-name") },
      });
      if (isObject(answer.body)) context.track(context.groups, answer.body.id);
      expectError(answer, 400, ["invalidValue", "invalidSyntax"]);
    },
  }),
  check({
    id: "groups.get.members",
    area: "groups",
    requires: ["groups"],
    title: "GET /Groups/{id} answers the group with its members.",
    ref: "RFC 7644 §3.4.1; RFC 7643 §4.2",
    expected: "200 with the member's id in members",
    run: async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      const answer = await context.request("GET", `${context.groups}/${String(group.id)}`);
      expectStatus(answer, 200);
      expectEqual("member values", memberIds(answer.body), [String(user.id)]);
    },
  }),
  check({
    id: "groups.get.excluded-members",
    area: "groups",
    requires: ["groups"],
    title: "excludedAttributes=members leaves members out (Entra reads groups this way).",
    ref: "RFC 7644 §3.9; Entra ID tutorial: Develop and plan provisioning for a SCIM endpoint",
    expected: "200 without members, with id and displayName",
    run: async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      const answer = await context.request("GET", `${context.groups}/${String(group.id)}`, {
        query: { excludedAttributes: "members" },
      });
      expectStatus(answer, 200);
      if (pick(answer.body, "members") !== undefined)
        fail(`members is ${show(pick(answer.body, "members"))}`);
      expectEqual("displayName", pick(answer.body, "displayName"), group.displayName);
    },
  }),
  check({
    id: "groups.put.members",
    area: "groups",
    requires: ["groups"],
    title: "PUT replaces the member list.",
    ref: "RFC 7644 §3.5.1",
    expected: "200; members are exactly the ones in the PUT body, in the answer and in a later GET",
    run: async (context) => {
      const first = await context.createUser();
      const second = await context.createUser();
      const group = await context.createGroup({ members: [{ value: first.id }] });
      const path = `${context.groups}/${String(group.id)}`;
      const answer = await context.request("PUT", path, {
        body: {
          schemas: [GROUP_SCHEMA],
          displayName: group.displayName,
          members: [{ value: second.id }],
        },
      });
      expectStatus(answer, 200);
      expectEqual("members in the PUT answer", memberIds(answer.body), [String(second.id)]);
      expectEqual("members in a later GET", memberIds((await context.request("GET", path)).body), [
        String(second.id),
      ]);
    },
  }),
  check({
    id: "groups.put.stored",
    area: "groups",
    requires: ["groups"],
    title:
      "PUT answers what was stored: a changed member display is in the answer and in a later GET alike.",
    ref: "RFC 7644 §3.5.1; RFC 7644 §3.14",
    expected:
      "the GET after the PUT shows the same members (display included) as the PUT answer; an unchanged ETag means an unchanged representation",
    run: async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({
        members: [{ value: user.id, display: "Old display" }],
      });
      const path = `${context.groups}/${String(group.id)}`;
      const put = await context.request("PUT", path, {
        body: {
          schemas: [GROUP_SCHEMA],
          displayName: group.displayName,
          members: [{ value: user.id, display: "New display" }],
        },
      });
      expectStatus(put, 200);
      const read = await context.request("GET", path);
      expectStatus(read, 200);
      const answered = pick(put.body, "members");
      const stored = pick(read.body, "members");
      if (!jsonEqual(answered, stored)) {
        fail(
          `PUT answered members ${show(answered)} (ETag ${put.headers.get("etag")}), a later GET ${show(stored)} (ETag ${read.headers.get("etag")})`,
        );
      }
    },
  }),
  check({
    id: "groups.put.rename",
    area: "groups",
    requires: ["groups"],
    title: "PUT with a new displayName renames the group.",
    ref: "RFC 7644 §3.5.1",
    expected: "200 with the new displayName; GET agrees",
    run: async (context) => {
      const group = await context.createGroup();
      const path = `${context.groups}/${String(group.id)}`;
      const renamed = context.unique("renamed");
      const answer = await context.request("PUT", path, {
        body: { schemas: [GROUP_SCHEMA], displayName: renamed },
      });
      expectStatus(answer, 200);
      expectEqual(
        "displayName",
        pick((await context.request("GET", path)).body, "displayName"),
        renamed,
      );
    },
  }),
  check({
    id: "groups.delete.status",
    area: "groups",
    requires: ["groups"],
    title: "DELETE /Groups/{id} answers 204, then the group answers 404.",
    ref: "RFC 7644 §3.6",
    expected: "204, then 404 for GET",
    run: async (context) => {
      const group = await context.createGroup();
      const path = `${context.groups}/${String(group.id)}`;
      expectStatus(await context.request("DELETE", path), 204);
      expectError(await context.request("GET", path), 404);
    },
  }),
  check({
    id: "groups.delete.keeps-members",
    area: "groups",
    requires: ["groups"],
    title: "Deleting a group does not delete its member users.",
    ref: "RFC 7644 §3.6; RFC 7643 §4.2",
    expected: "the member user still answers 200 after the group is deleted",
    run: async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      expectStatus(await context.request("DELETE", `${context.groups}/${String(group.id)}`), 204);
      expectStatus(await context.request("GET", `${context.users}/${String(user.id)}`), 200);
    },
  }),
  check({
    id: "groups.delete-user.membership",
    area: "groups",
    requires: ["groups"],
    level: "should",
    title: "A deleted user disappears from the members of its groups.",
    ref: "RFC 7644 §3.6 (a deleted resource is no longer returned)",
    expected: "after DELETE of the user, the group's members no longer contain its id",
    run: async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      expectStatus(await context.request("DELETE", `${context.users}/${String(user.id)}`), 204);
      const read = await context.request("GET", `${context.groups}/${String(group.id)}`);
      if (memberIds(read.body).includes(String(user.id)))
        fail(`members still list ${String(user.id)}`);
    },
  }),
  check({
    id: "groups.nested",
    area: "groups",
    requires: ["groups"],
    level: "should",
    title: "A group can be a member of a group (type Group).",
    ref: "RFC 7643 §4.2 (members may be Users or Groups)",
    expected:
      'a group with another group as member answers 201; the member\'s type, when present, is "Group"',
    run: async (context) => {
      const child = await context.createGroup();
      const answer = await context.request("POST", context.groups, {
        body: {
          schemas: [GROUP_SCHEMA],
          displayName: context.unique("parent"),
          members: [{ value: child.id }],
        },
      });
      if (isObject(answer.body)) context.track(context.groups, answer.body.id);
      expectStatus(answer, 201);
      const member = pick(answer.body, "members", 0) as JsonObject | undefined;
      if (pick(member, "value") !== child.id)
        fail(`members is ${show(pick(answer.body, "members"))}`);
      const type = pick(member, "type");
      if (type !== undefined && type !== "Group") fail(`member type is ${show(type)}`);
    },
  }),
  check({
    id: "groups.put.unknown",
    area: "groups",
    requires: ["groups"],
    title: "PUT of an unknown group id answers 404.",
    ref: "RFC 7644 §3.5.1; RFC 7644 §3.12",
    expected: "404 with an Error body",
    run: async (context) => {
      const answer = await context.request("PUT", `${context.groups}/${crypto.randomUUID()}`, {
        body: { schemas: [GROUP_SCHEMA], displayName: context.unique("ghost") },
      });
      if (isObject(answer.body)) context.track(context.groups, answer.body.id);
      expectError(answer, 404);
      expectObject(answer);
    },
  }),
];
