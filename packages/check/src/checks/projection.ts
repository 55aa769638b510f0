import {
  type CheckContext,
  type CheckDefinition,
  check,
  expectEqual,
  expectStatus,
  fail,
  isObject,
  pick,
  show,
  USER_SCHEMA,
} from "../check";
import type { JsonObject } from "../scim-client";
import { query, search, userSet } from "./fixtures";
import { postUser } from "./users";

const PROJECTION = "RFC 7644 §3.9; RFC 7644 §3.4.2.5";

const fullUser = (context: CheckContext) =>
  context.shared("projection.user", () =>
    context.createUser({
      displayName: "Projected User",
      nickName: "proj",
      title: "Projector",
      name: { givenName: "Pro", familyName: "Jected" },
      emails: [{ value: `${context.prefix}projection@example.com`, type: "work" }],
    }),
  );

async function projected(context: CheckContext, parameters: Record<string, string>) {
  const user = await fullUser(context);
  const answer = await context.request("GET", `${context.users}/${String(user.id)}`, {
    query: parameters,
  });
  expectStatus(answer, 200);
  return { user, body: answer.body as JsonObject };
}

function expectAbsent(body: unknown, ...keys: string[]) {
  for (const key of keys) {
    if (pick(body, key) !== undefined) fail(`${key} is present: ${show(pick(body, key))}`);
  }
}

const projection = (
  id: string,
  title: string,
  expected: string,
  run: CheckDefinition["run"],
  ref = PROJECTION,
) => check({ id: `projection.${id}`, area: "projection", title, ref, expected, run });

/** Empty objects anywhere in a representation, as paths. */
function emptyObjects(value: unknown, path = ""): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => emptyObjects(item, `${path}[${index}]`));
  if (!isObject(value)) return [];
  if (Object.keys(value).length === 0) return [path === "" ? "(root)" : path];
  return Object.entries(value).flatMap(([key, item]) =>
    emptyObjects(item, path === "" ? key : `${path}.${key}`),
  );
}

export const projectionChecks: CheckDefinition[] = [
  projection(
    "attributes",
    "attributes=displayName answers that attribute and the always-returned ones only.",
    "displayName, id and schemas present; userName, title, nickName, emails absent",
    async (context) => {
      const { body } = await projected(context, { attributes: "displayName" });
      expectEqual("displayName", body.displayName, "Projected User");
      if (typeof body.id !== "string") fail("id is missing");
      expectAbsent(body, "title", "nickName", "emails", "name");
    },
  ),
  projection(
    "attributes.id-always",
    "id is returned even when not requested (returned: always).",
    "id present with attributes=title",
    async (context) => {
      const { body, user } = await projected(context, { attributes: "title" });
      expectEqual("id", body.id, user.id);
    },
    "RFC 7644 §3.9; RFC 7643 §3.1 (id returned always)",
  ),
  projection(
    "excluded",
    "excludedAttributes leaves the named attributes out and keeps the rest.",
    "title and nickName absent; userName and displayName present",
    async (context) => {
      const { body, user } = await projected(context, { excludedAttributes: "title,nickName" });
      expectAbsent(body, "title", "nickName");
      expectEqual("userName", body.userName, user.userName);
      expectEqual("displayName", body.displayName, "Projected User");
    },
  ),
  projection(
    "excluded.id-kept",
    "excludedAttributes cannot remove an always-returned attribute.",
    "id present with excludedAttributes=id",
    async (context) => {
      const { body, user } = await projected(context, { excludedAttributes: "id" });
      expectEqual("id", body.id, user.id);
    },
    "RFC 7644 §3.9; RFC 7643 §2.2 (returned: always)",
  ),
  projection(
    "sub-attribute",
    "attributes=name.familyName answers only that sub-attribute of name.",
    "name is {familyName} only",
    async (context) => {
      const { body } = await projected(context, { attributes: "name.familyName" });
      expectEqual("name", body.name, { familyName: "Jected" });
    },
  ),
  projection(
    "excluded.sub-attribute",
    "excludedAttributes=name.givenName keeps the other sub-attributes.",
    "name is {familyName} (givenName removed)",
    async (context) => {
      const { body } = await projected(context, { excludedAttributes: "name.givenName" });
      if (
        pick(body, "name", "givenName") !== undefined ||
        pick(body, "name", "familyName") !== "Jected"
      )
        fail(`name is ${show(body.name)}`);
    },
  ),
  projection(
    "urn-qualified",
    "attributes accepts fully qualified names.",
    `attributes=${USER_SCHEMA}:userName answers userName only`,
    async (context) => {
      const { body, user } = await projected(context, { attributes: `${USER_SCHEMA}:userName` });
      expectEqual("userName", body.userName, user.userName);
      expectAbsent(body, "displayName", "title");
    },
    "RFC 7644 §3.9; RFC 7644 §3.10",
  ),
  projection(
    "case-insensitive",
    "attributes names are case-insensitive.",
    "attributes=DISPLAYNAME answers displayName",
    async (context) => {
      const { body } = await projected(context, { attributes: "DISPLAYNAME" });
      expectEqual("displayName", body.displayName, "Projected User");
      expectAbsent(body, "title");
    },
    "RFC 7644 §3.9; RFC 7643 §2.1",
  ),
  projection(
    "list",
    "attributes applies to every resource of a list.",
    "each resource has id and userName, none has displayName",
    async (context) => {
      const set = await userSet(context);
      const { resources } = await query(context, `userName sw "${set.scope}"`, {
        attributes: "userName",
      });
      if (resources.length !== 4) fail(`${resources.length} resources`);
      for (const resource of resources) {
        if (typeof resource.id !== "string" || typeof resource.userName !== "string")
          fail(`resource ${show(resource)}`);
        expectAbsent(resource, "displayName", "emails");
      }
    },
  ),
  projection(
    "list.excluded",
    "excludedAttributes applies to every resource of a list.",
    "no resource has emails or displayName",
    async (context) => {
      const set = await userSet(context);
      const { resources } = await query(context, `userName sw "${set.scope}"`, {
        excludedAttributes: "emails,displayName",
      });
      for (const resource of resources) expectAbsent(resource, "displayName", "emails");
    },
  ),
  projection(
    "search-post",
    "POST .search honours attributes.",
    "resources carry userName and id only",
    async (context) => {
      const set = await userSet(context);
      const { resources } = await search(context, {
        filter: `userName sw "${set.scope}"`,
        attributes: ["userName"],
      });
      if (resources.length !== 4) fail(`${resources.length} resources`);
      for (const resource of resources) expectAbsent(resource, "displayName", "emails", "title");
    },
    "RFC 7644 §3.4.3",
  ),
  projection(
    "on-create",
    "attributes applies to the POST answer.",
    "POST /Users?attributes=userName answers id and userName, not displayName",
    async (context) => {
      const userName = `${context.unique("projected")}@example.com`;
      const answer = await postUser(
        context,
        { userName, displayName: "Hidden" },
        { attributes: "userName" },
      );
      expectStatus(answer, 201);
      expectEqual("userName", pick(answer.body, "userName"), userName);
      expectAbsent(answer.body, "displayName");
    },
  ),
  check({
    id: "projection.no-empty-objects",
    area: "projection",
    requires: ["groups"],
    title: "A projection never answers empty objects (members.display of members without display).",
    ref: "RFC 7644 §3.9; RFC 7643 §2.5 (unassigned values are omitted)",
    expected: "members absent, or members without empty {} entries",
    run: async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      const answer = await context.request("GET", `${context.groups}/${String(group.id)}`, {
        query: { attributes: "members.display" },
      });
      expectStatus(answer, 200);
      const empty = emptyObjects(answer.body);
      if (empty.length > 0) fail(`empty objects at ${empty.join(", ")}: ${show(answer.body)}`);
    },
  }),
  check({
    id: "projection.members-excluded-list",
    area: "projection",
    requires: ["groups", "filter"],
    title: "excludedAttributes=members on a group list leaves members out of every group.",
    ref: "RFC 7644 §3.9; Entra ID tutorial: Develop and plan provisioning for a SCIM endpoint",
    expected: "the listed group has no members",
    run: async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      const answer = await context.request("GET", context.groups, {
        query: {
          filter: `displayName eq "${String(group.displayName)}"`,
          excludedAttributes: "members",
        },
      });
      expectStatus(answer, 200);
      const found = pick(answer.body, "Resources", 0);
      if (pick(found, "id") !== group.id)
        fail(`Resources is ${show(pick(answer.body, "Resources"))}`);
      expectAbsent(found, "members");
    },
  }),
];
