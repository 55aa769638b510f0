import {
  type CheckContext,
  type CheckDefinition,
  check,
  describe,
  ENTERPRISE_SCHEMA,
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
import type { HttpAnswer, JsonObject } from "../scim-client";

const CREATE = "RFC 7644 §3.3";
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** POSTs a user, tracks it, and returns the answer (the check judges it). */
export async function postUser(
  context: CheckContext,
  body: JsonObject,
  query?: Record<string, string>,
) {
  const answer = await context.request("POST", context.users, {
    body: { schemas: [USER_SCHEMA], ...body },
    ...(query === undefined ? {} : { query }),
  });
  if (isObject(answer.body)) context.track(context.users, answer.body.id);
  return answer;
}

/** One created user with its POST answer, shared by the read-only create checks. */
const createdAnswer = (context: CheckContext) =>
  context.shared("users.created", async () => {
    const userName = `${context.unique("created")}@example.com`;
    const externalId = `${context.prefix}Ext-MixedCase`;
    const answer = await postUser(context, {
      userName,
      externalId,
      displayName: "Created User",
      name: { givenName: "Created", familyName: "User" },
      emails: [{ value: userName, type: "work", primary: true }],
      active: true,
    });
    return { answer, userName, externalId };
  });

/** The created user; checks that only read it are skipped when the create itself failed. */
const created = async (context: CheckContext) => {
  const { answer, userName, externalId } = await createdAnswer(context);
  if (answer.status !== 201 || !isObject(answer.body)) {
    skip(`prerequisite failed: users.create.status: ${describe(answer)}`);
  }
  return { answer, body: answer.body as JsonObject, userName, externalId };
};

/** A URI as an absolute URL, relative ones resolved against the base URL. */
export const resolve = (context: CheckContext, uri: string): string =>
  new URL(uri, `${context.baseUrl}/`).href;

const getUser = (context: CheckContext, id: unknown) =>
  context.request("GET", `${context.users}/${String(id)}`);

function expectDateTime(label: string, value: unknown) {
  if (typeof value !== "string" || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    fail(`${label} is ${show(value)}, not an xsd:dateTime`);
  }
}

function expectScimJson(answer: HttpAnswer) {
  const type = answer.headers.get("content-type") ?? "";
  if (!/^application\/scim\+json/i.test(type)) fail(`Content-Type is "${type}"`);
}

export const userChecks: CheckDefinition[] = [
  check({
    id: "users.create.status",
    area: "users",
    title: "POST /Users answers 201 Created with the new resource.",
    ref: CREATE,
    expected: "201 with a JSON body carrying a server-assigned id",
    run: async (context) => {
      const { answer } = await createdAnswer(context);
      expectStatus(answer, 201);
      if (typeof pick(answer.body, "id") !== "string")
        fail(`id is ${show(pick(answer.body, "id"))}`);
    },
  }),
  check({
    id: "users.create.location",
    area: "users",
    title: "The 201 carries a Location header equal to meta.location.",
    ref: "RFC 7644 §3.3; RFC 7643 §3.1",
    expected: "Location header present and equal to meta.location, the resource's absolute URL",
    run: async (context) => {
      const { answer } = await created(context);
      const location = answer.headers.get("location");
      if (location === null) fail("no Location header");
      const meta = pick(answer.body, "meta", "location");
      // Both name the same URI; either may be relative to the base URL.
      if (
        typeof meta !== "string" ||
        resolve(context, location as string) !== resolve(context, meta)
      ) {
        fail(`Location is ${show(location)}, meta.location ${show(meta)}`);
      }
    },
  }),
  check({
    id: "users.create.content-type",
    area: "users",
    title: "The 201 is application/scim+json.",
    ref: "RFC 7644 §3.1; RFC 7644 §8.1",
    expected: "Content-Type application/scim+json",
    run: async (context) => expectScimJson((await created(context)).answer),
  }),
  check({
    id: "users.create.body",
    area: "users",
    title: "The created resource echoes what was sent, with the User schema URN.",
    ref: "RFC 7644 §3.3; RFC 7643 §4.1",
    expected: "schemas contains the User URN; userName, displayName, name and emails as sent",
    run: async (context) => {
      const { body, userName } = await created(context);
      if (!Array.isArray(body.schemas) || !body.schemas.includes(USER_SCHEMA)) {
        fail(`schemas is ${show(body.schemas)}`);
      }
      expectEqual("userName", body.userName, userName);
      expectEqual("displayName", body.displayName, "Created User");
      expectEqual("name.familyName", pick(body, "name", "familyName"), "User");
      expectEqual("emails[0].value", pick(body, "emails", 0, "value"), userName);
    },
  }),
  check({
    id: "users.create.meta",
    area: "users",
    title: "meta carries resourceType, created, lastModified and an absolute location.",
    ref: "RFC 7643 §3.1",
    expected:
      'meta.resourceType "User", created/lastModified as dateTime, location the resource URL ending in the id',
    run: async (context) => {
      const { body } = await created(context);
      expectEqual("meta.resourceType", pick(body, "meta", "resourceType"), "User");
      expectDateTime("meta.created", pick(body, "meta", "created"));
      expectDateTime("meta.lastModified", pick(body, "meta", "lastModified"));
      const location = String(pick(body, "meta", "location"));
      if (!location.endsWith(`/${String(body.id)}`)) {
        fail(`meta.location is ${show(location)}`);
      }
    },
  }),
  check({
    id: "users.create.active-boolean",
    area: "users",
    title: "active comes back as a JSON boolean.",
    ref: "RFC 7643 §2.3.2; RFC 7643 §4.1.1",
    expected: "active: true (a boolean, not a string)",
    run: async (context) => expectEqual("active", (await created(context)).body.active, true),
  }),
  check({
    id: "users.create.external-id",
    area: "users",
    title: "externalId is kept exactly as the client sent it.",
    ref: "RFC 7643 §3.1",
    expected: "externalId unchanged, case included",
    run: async (context) => {
      const { body, externalId } = await created(context);
      expectEqual("externalId", body.externalId, externalId);
    },
  }),
  check({
    id: "users.create.id-assigned",
    area: "users",
    title: "A client-sent id is ignored: the server assigns its own.",
    ref: "RFC 7643 §3.1 (id is readOnly, issued by the service provider)",
    expected: "201 whose id is not the one the client sent (or 400 refusing it)",
    run: async (context) => {
      const sent = `${context.prefix}client-chosen-id`;
      const answer = await postUser(context, {
        id: sent,
        userName: `${context.unique("id")}@example.com`,
      });
      if (answer.status === 400) return "refused with 400";
      expectStatus(answer, 201);
      if (pick(answer.body, "id") === sent) fail("the server kept the client's id");
    },
  }),
  check({
    id: "users.create.meta-ignored",
    area: "users",
    title: "Client-sent meta values are ignored (meta is readOnly).",
    ref: "RFC 7643 §3.1",
    expected: "a meta.created of 1999 sent by the client is not stored",
    run: async (context) => {
      const answer = await postUser(context, {
        userName: `${context.unique("meta")}@example.com`,
        meta: { created: "1999-01-01T00:00:00Z", resourceType: "User" },
      });
      expectStatus(answer, 201);
      if (String(pick(answer.body, "meta", "created")).startsWith("1999"))
        fail("meta.created is the client's 1999 value");
    },
  }),
  check({
    id: "users.create.attribute-name-case",
    area: "users",
    title: "Attribute names are case-insensitive on input (e.g. `UserName`).",
    ref: "RFC 7643 §2.1",
    expected: '201 for "UserName"/"DisplayName" keys, answered with the canonical names',
    run: async (context) => {
      const userName = `${context.unique("case")}@example.com`;
      const answer = await postUser(context, { UserName: userName, DisplayName: "Case" });
      expectStatus(answer, 201);
      expectEqual("userName", pick(answer.body, "userName"), userName);
      expectEqual("displayName", pick(answer.body, "displayName"), "Case");
    },
  }),
  check({
    id: "users.create.null-values",
    area: "users",
    title: "Explicit null attribute values are accepted as unassigned.",
    ref: "RFC 7643 §2.5",
    expected: "201; title is absent or null",
    run: async (context) => {
      const answer = await postUser(context, {
        userName: `${context.unique("null")}@example.com`,
        title: null,
        nickName: null,
        addresses: null,
      });
      expectStatus(answer, 201);
      const title = pick(answer.body, "title");
      if (title !== undefined && title !== null) fail(`title is ${show(title)}`);
    },
  }),
  check({
    id: "users.create.missing-user-name",
    area: "users",
    title: "A user without userName is refused with 400.",
    ref: "RFC 7643 §4.1.1 (userName REQUIRED); RFC 7644 §3.12",
    expected: '400 with scimType "invalidValue" (or invalidSyntax)',
    run: async (context) => {
      const answer = await postUser(context, { displayName: `${context.prefix}no-user-name` });
      expectError(answer, 400, ["invalidValue", "invalidSyntax"]);
    },
  }),
  check({
    id: "users.create.wrong-schema",
    area: "users",
    title: "A POST /Users whose schemas names only the Group schema is refused with 400.",
    ref: "RFC 7643 §3 (schemas names the resource's schemas); RFC 7644 §3.3",
    expected: '400 with scimType "invalidValue" or "invalidSyntax"',
    run: async (context) => {
      const answer = await context.request("POST", context.users, {
        body: {
          schemas: [GROUP_SCHEMA],
          userName: `${context.unique("wrong-schema")}@example.com`,
        },
      });
      if (isObject(answer.body)) context.track(context.users, answer.body.id);
      expectError(answer, 400, ["invalidValue", "invalidSyntax"]);
    },
  }),
  check({
    id: "users.create.duplicate",
    area: "users",
    title: "Creating a second user with the same userName answers 409 uniqueness.",
    ref: "RFC 7644 §3.3; RFC 7643 §4.1.1",
    expected: '409 with scimType "uniqueness"',
    run: async (context) => {
      const { userName } = await created(context);
      expectError(await postUser(context, { userName }), 409, ["uniqueness"]);
    },
  }),
  check({
    id: "users.create.duplicate-case",
    area: "users",
    title: "userName uniqueness ignores case (caseExact false).",
    ref: "RFC 7643 §4.1.1; RFC 7643 §2.2 (caseExact, uniqueness)",
    expected: "409 uniqueness for the upper-cased userName of an existing user",
    run: async (context) => {
      const { userName } = await created(context);
      expectError(await postUser(context, { userName: userName.toUpperCase() }), 409, [
        "uniqueness",
      ]);
    },
  }),
  check({
    id: "users.create.password-never-returned",
    area: "users",
    title: "A password sent on create is never returned.",
    ref: "RFC 7643 §4.1.1 (password: returned never)",
    expected: "201 (or 400) and no password in the POST or GET answer",
    run: async (context) => {
      const answer = await postUser(context, {
        userName: `${context.unique("password")}@example.com`,
        password: "Sc1mkit-Check-Pa55!",
      });
      if (answer.status === 400) return "the server refused the password with 400";
      expectStatus(answer, 201);
      if (pick(answer.body, "password") !== undefined) fail("the POST answer contains password");
      const read = await getUser(context, pick(answer.body, "id"));
      if (pick(read.body, "password") !== undefined) fail("the GET answer contains password");
    },
  }),
  check({
    id: "users.create.enterprise",
    area: "users",
    requires: ["enterprise"],
    title: "EnterpriseUser data is stored under its URN and the URN is listed in schemas.",
    ref: "RFC 7643 §3.3; RFC 7643 §4.3",
    expected: "201; the extension object as sent, and schemas includes the extension URN",
    run: async (context) => {
      const answer = await postUser(context, {
        schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
        userName: `${context.unique("enterprise")}@example.com`,
        [ENTERPRISE_SCHEMA]: { employeeNumber: "701984", department: "Tour Operations" },
      });
      expectStatus(answer, 201);
      expectEqual(
        "department",
        pick(answer.body, ENTERPRISE_SCHEMA, "department"),
        "Tour Operations",
      );
      const schemas = pick(answer.body, "schemas");
      if (!Array.isArray(schemas) || !schemas.includes(ENTERPRISE_SCHEMA))
        fail(`schemas is ${show(schemas)}`);
    },
  }),
  check({
    id: "users.create.multi-valued",
    area: "users",
    title: "Multi-valued complex attributes keep each value's sub-attributes.",
    ref: "RFC 7643 §2.4; RFC 7643 §4.1.2",
    expected: "emails come back with the same value, type and primary for each entry",
    run: async (context) => {
      const base = context.unique("emails");
      const emails = [
        { value: `${base}-work@example.com`, type: "work", primary: true },
        { value: `${base}-home@example.com`, type: "home" },
      ];
      const answer = await postUser(context, { userName: `${base}@example.com`, emails });
      expectStatus(answer, 201);
      const got = pick(answer.body, "emails");
      if (!Array.isArray(got)) fail(`emails is ${show(got)}`);
      for (const email of emails) {
        const match = (got as unknown[]).find((entry) => pick(entry, "value") === email.value);
        if (
          pick(match, "type") !== email.type ||
          (email.primary === true && pick(match, "primary") !== true)
        ) {
          fail(`emails is ${show(got, 300)}`);
        }
      }
    },
  }),
  check({
    id: "users.get.status",
    area: "users",
    title: "GET /Users/{id} answers 200 with the resource.",
    ref: "RFC 7644 §3.4.1",
    expected: "200 with the same id and userName, application/scim+json",
    run: async (context) => {
      const { body, userName } = await created(context);
      const answer = await getUser(context, body.id);
      expectStatus(answer, 200);
      expectScimJson(answer);
      expectEqual("id", pick(answer.body, "id"), body.id);
      expectEqual("userName", pick(answer.body, "userName"), userName);
    },
  }),
  check({
    id: "users.get.same-as-created",
    area: "users",
    title: "GET answers what POST answered (what was stored).",
    ref: "RFC 7644 §3.3; RFC 7644 §3.4.1",
    expected: "the same attributes and meta.version as the 201",
    run: async (context) => {
      const { body } = await created(context);
      const read = expectObject(await getUser(context, body.id));
      for (const key of ["userName", "displayName", "name", "emails", "externalId", "active"]) {
        expectEqual(key, read[key], body[key]);
      }
      expectEqual("meta.version", pick(read, "meta", "version"), pick(body, "meta", "version"));
    },
  }),
  check({
    id: "users.put.replace",
    area: "users",
    title: "PUT replaces the resource and answers 200 with it.",
    ref: "RFC 7644 §3.5.1",
    expected: "200 with the new displayName and title",
    run: async (context) => {
      const user = await context.createUser({ displayName: "Before" });
      const answer = await context.request("PUT", `${context.users}/${String(user.id)}`, {
        body: {
          schemas: [USER_SCHEMA],
          userName: user.userName,
          displayName: "After",
          title: "Tester",
        },
      });
      expectStatus(answer, 200);
      expectEqual("displayName", pick(answer.body, "displayName"), "After");
      expectEqual("title", pick(answer.body, "title"), "Tester");
    },
  }),
  check({
    id: "users.put.stored",
    area: "users",
    title: "After PUT, GET answers what the PUT answered.",
    ref: "RFC 7644 §3.5.1",
    expected: "GET shows the PUT's displayName, title and meta.version",
    run: async (context) => {
      const user = await context.createUser({ displayName: "Before" });
      const put = await context.request("PUT", `${context.users}/${String(user.id)}`, {
        body: {
          schemas: [USER_SCHEMA],
          userName: user.userName,
          displayName: "After",
          title: "Tester",
        },
      });
      expectStatus(put, 200);
      const read = expectObject(await getUser(context, user.id));
      for (const key of ["displayName", "title", "userName"])
        expectEqual(key, read[key], pick(put.body, key));
      expectEqual("meta.version", pick(read, "meta", "version"), pick(put.body, "meta", "version"));
    },
  }),
  check({
    id: "users.put.read-only-ignored",
    area: "users",
    title: "PUT with the resource's own id and meta in the body is accepted (Okta sends them).",
    ref: "RFC 7644 §3.5.1 (readOnly values are ignored); Okta SCIM 2.0 protocol reference",
    expected: "200 and the update applied",
    run: async (context) => {
      const user = await context.createUser();
      const answer = await context.request("PUT", `${context.users}/${String(user.id)}`, {
        body: { ...user, displayName: "With id and meta" },
      });
      expectStatus(answer, 200);
      expectEqual("displayName", pick(answer.body, "displayName"), "With id and meta");
    },
  }),
  check({
    id: "users.put.meta",
    area: "users",
    title: "PUT keeps meta.created and moves meta.lastModified forward.",
    ref: "RFC 7643 §3.1",
    expected: "created unchanged, lastModified not before the previous one",
    run: async (context) => {
      const user = await context.createUser();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const answer = await context.request("PUT", `${context.users}/${String(user.id)}`, {
        body: { schemas: [USER_SCHEMA], userName: user.userName, displayName: "Later" },
      });
      expectStatus(answer, 200);
      expectEqual(
        "meta.created",
        pick(answer.body, "meta", "created"),
        pick(user, "meta", "created"),
      );
      const before = Date.parse(String(pick(user, "meta", "lastModified")));
      const after = Date.parse(String(pick(answer.body, "meta", "lastModified")));
      if (!(after >= before))
        fail(
          `lastModified went from ${show(pick(user, "meta", "lastModified"))} to ${show(pick(answer.body, "meta", "lastModified"))}`,
        );
    },
  }),
  check({
    id: "users.put.unknown",
    area: "users",
    title: "PUT of an unknown id answers 404.",
    ref: "RFC 7644 §3.5.1; RFC 7644 §3.12",
    expected: "404 with an Error body",
    run: async (context) => {
      const answer = await context.request("PUT", `${context.users}/${crypto.randomUUID()}`, {
        body: { schemas: [USER_SCHEMA], userName: `${context.unique("ghost")}@example.com` },
      });
      if (isObject(answer.body)) context.track(context.users, answer.body.id);
      expectError(answer, 404);
    },
  }),
  check({
    id: "users.delete.status",
    area: "users",
    title: "DELETE answers 204 No Content.",
    ref: "RFC 7644 §3.6",
    expected: "204",
    run: async (context) => {
      const user = await context.createUser();
      expectStatus(await context.request("DELETE", `${context.users}/${String(user.id)}`), 204);
    },
  }),
  check({
    id: "users.delete.gone",
    area: "users",
    title: "A deleted user answers 404 to GET, PUT, PATCH and a second DELETE.",
    ref: "RFC 7644 §3.6",
    expected: "404 for every operation on the deleted id",
    run: async (context) => {
      const user = await context.createUser();
      const path = `${context.users}/${String(user.id)}`;
      expectStatus(await context.request("DELETE", path), 204);
      expectError(await context.request("GET", path), 404);
      expectError(
        await context.request("PUT", path, {
          body: { schemas: [USER_SCHEMA], userName: user.userName },
        }),
        404,
      );
      expectError(
        await context.request("PATCH", path, {
          body: {
            schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            Operations: [{ op: "replace", path: "displayName", value: "x" }],
          },
        }),
        404,
      );
      expectError(await context.request("DELETE", path), 404);
    },
  }),
  check({
    id: "users.delete.not-listed",
    area: "users",
    requires: ["filter"],
    title: "A deleted user no longer appears in queries.",
    ref: "RFC 7644 §3.6",
    expected: "totalResults 0 for a filter on its userName after DELETE",
    run: async (context) => {
      const user = await context.createUser();
      expectStatus(await context.request("DELETE", `${context.users}/${String(user.id)}`), 204);
      const answer = await context.request("GET", context.users, {
        query: { filter: `userName eq "${String(user.userName)}"` },
      });
      expectList(answer);
      expectEqual("totalResults", pick(answer.body, "totalResults"), 0);
    },
  }),
  check({
    id: "users.delete.user-name-free",
    area: "users",
    title: "After DELETE, the userName can be created again (as a new resource).",
    ref: "RFC 7644 §3.6; RFC 7643 §3.1 (ids are never reused)",
    expected: "201 with a different id",
    run: async (context) => {
      const user = await context.createUser();
      expectStatus(await context.request("DELETE", `${context.users}/${String(user.id)}`), 204);
      const again = await postUser(context, { userName: user.userName });
      expectStatus(again, 201);
      if (pick(again.body, "id") === user.id) fail("the new user got the deleted user's id");
    },
  }),
  check({
    id: "users.inactive.readable",
    area: "users",
    requires: ["filter"],
    title: "An inactive user is still a resource: GET and filters return it.",
    ref: "RFC 7643 §4.1.1 (active); Entra ID tutorial: Develop and plan provisioning for a SCIM endpoint",
    expected: "200 for GET and totalResults 1 for the userName filter, active false",
    run: async (context) => {
      const user = await context.createUser({ active: false });
      const read = await getUser(context, user.id);
      expectStatus(read, 200);
      expectEqual("active", pick(read.body, "active"), false);
      const list = await context.request("GET", context.users, {
        query: { filter: `userName eq "${String(user.userName)}"` },
      });
      expectList(list);
      expectEqual("totalResults", pick(list.body, "totalResults"), 1);
    },
  }),
  check({
    id: "users.groups.read-only",
    area: "users",
    requires: ["groups"],
    level: "should",
    title: "A user's groups attribute lists the groups it is a member of.",
    ref: "RFC 7643 §4.1.2 (groups, readOnly, derived from Group membership)",
    expected:
      "groups[].value contains the group's id after the group is created with the user as member",
    run: async (context) => {
      const user = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      const read = await getUser(context, user.id);
      const groups = pick(read.body, "groups");
      if (!Array.isArray(groups) || !groups.some((entry) => pick(entry, "value") === group.id)) {
        fail(`groups is ${show(groups)}`);
      }
    },
  }),
];
