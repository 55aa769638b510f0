import {
  type CheckDefinition,
  check,
  describe,
  expectEqual,
  expectStatus,
  fail,
  isObject,
  patchBody,
  pick,
  show,
  USER_SCHEMA,
} from "../check";
import type { JsonObject } from "../scim-client";

/** Answers that tell a client to retry: allowed under load, but then the change must not apply. */
const RETRY = [409, 412, 429, 503];
const PARALLEL = 8;

const memberIds = (resource: unknown): string[] => {
  const members = pick(resource, "members");
  return Array.isArray(members)
    ? members.map((member) => String(pick(member, "value"))).sort()
    : [];
};

export const concurrencyChecks: CheckDefinition[] = [
  check({
    id: "concurrency.group-adds",
    area: "concurrency",
    requires: ["patch", "groups"],
    title: "Concurrent PATCHes adding one member each to one group lose no update.",
    ref: "RFC 7644 §3.5.2 (each PATCH is atomic); Entra ID tutorial (several requests in flight per group)",
    expected: `after ${PARALLEL} parallel single-member adds, every add answered 2xx is a member (retry answers 409/412/429/503 allowed)`,
    run: async (context) => {
      const users: JsonObject[] = [];
      for (let index = 0; index < PARALLEL; index += 1) users.push(await context.createUser());
      const group = await context.createGroup();
      const answers = await Promise.all(
        users.map((user) =>
          context.request("PATCH", `${context.groups}/${String(group.id)}`, {
            body: patchBody({ op: "add", path: "members", value: [{ value: user.id }] }),
          }),
        ),
      );
      const applied: string[] = [];
      answers.forEach((answer, index) => {
        if (answer.status === 200 || answer.status === 204) applied.push(String(users[index]?.id));
        else if (!RETRY.includes(answer.status)) fail(describe(answer));
      });
      if (applied.length === 0) fail("no PATCH succeeded");
      const read = await context.request("GET", `${context.groups}/${String(group.id)}`);
      expectEqual("members", memberIds(read.body), applied.sort());
      return `${applied.length} of ${PARALLEL} adds answered 2xx, all applied`;
    },
  }),
  check({
    id: "concurrency.group-add-remove",
    area: "concurrency",
    requires: ["patch", "groups"],
    title:
      "Concurrent adds and removes on one group end in the state the successful requests describe.",
    ref: "RFC 7644 §3.5.2",
    expected: "members = the initial ones minus successful removes plus successful adds",
    run: async (context) => {
      const keep = await context.createUser();
      const removed = [
        await context.createUser(),
        await context.createUser(),
        await context.createUser(),
      ];
      const added = [
        await context.createUser(),
        await context.createUser(),
        await context.createUser(),
      ];
      const group = await context.createGroup({
        members: [keep, ...removed].map((user) => ({ value: user.id })),
      });
      const path = `${context.groups}/${String(group.id)}`;
      const requests = [
        ...removed.map((user) => ({
          user,
          body: patchBody({ op: "remove", path: `members[value eq "${String(user.id)}"]` }),
          add: false,
        })),
        ...added.map((user) => ({
          user,
          body: patchBody({ op: "add", path: "members", value: [{ value: user.id }] }),
          add: true,
        })),
      ];
      const answers = await Promise.all(
        requests.map((request) => context.request("PATCH", path, { body: request.body })),
      );
      const expected = new Set([keep, ...removed].map((user) => String(user.id)));
      answers.forEach((answer, index) => {
        const request = requests[index]!;
        if (answer.status === 200 || answer.status === 204) {
          if (request.add) expected.add(String(request.user.id));
          else expected.delete(String(request.user.id));
        } else if (!RETRY.includes(answer.status)) fail(describe(answer));
      });
      const read = await context.request("GET", path);
      expectEqual("members", memberIds(read.body), [...expected].sort());
    },
  }),
  check({
    id: "concurrency.user-patches",
    area: "concurrency",
    requires: ["patch"],
    title: "Concurrent PATCHes of different attributes of one user are all kept.",
    ref: "RFC 7644 §3.5.2",
    expected: "each attribute whose PATCH answered 2xx has its new value",
    run: async (context) => {
      const user = await context.createUser();
      const changes: [string, string][] = [
        ["nickName", "n"],
        ["title", "t"],
        ["displayName", "d"],
        ["profileUrl", "https://example.com/p"],
        ["locale", "en-US"],
        ["preferredLanguage", "en"],
      ];
      const path = `${context.users}/${String(user.id)}`;
      const answers = await Promise.all(
        changes.map(([attribute, value]) =>
          context.request("PATCH", path, {
            body: patchBody({ op: "replace", path: attribute, value }),
          }),
        ),
      );
      const read = await context.request("GET", path);
      expectStatus(read, 200);
      answers.forEach((answer, index) => {
        const [attribute, value] = changes[index]!;
        if (answer.status === 200 || answer.status === 204) {
          if (pick(read.body, attribute) !== value)
            fail(
              `${attribute} is ${show(pick(read.body, attribute))} although its PATCH answered ${answer.status}`,
            );
        } else if (!RETRY.includes(answer.status)) fail(describe(answer));
      });
    },
  }),
  check({
    id: "concurrency.unique-create",
    area: "concurrency",
    title: "Concurrent creates with one userName make exactly one user; the others answer 409.",
    ref: "RFC 7644 §3.3 (uniqueness); RFC 7643 §4.1.1",
    expected: "exactly one 201; every other answer 409 uniqueness (or a retry answer)",
    run: async (context) => {
      const userName = `${context.unique("race")}@example.com`;
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          context.request("POST", context.users, { body: { schemas: [USER_SCHEMA], userName } }),
        ),
      );
      for (const answer of answers)
        if (isObject(answer.body)) context.track(context.users, answer.body.id);
      const created = answers.filter((answer) => answer.status === 201).length;
      const other = answers.filter(
        (answer) =>
          answer.status !== 201 && answer.status !== 409 && !RETRY.includes(answer.status),
      );
      if (created !== 1 || other.length > 0) {
        fail(`statuses ${answers.map((answer) => answer.status).join(", ")}`);
      }
      const lookup = await context.request("GET", context.users, {
        query: { filter: `userName eq "${userName}"` },
      });
      if (lookup.status === 200)
        expectEqual("users with that userName", pick(lookup.body, "totalResults"), 1);
    },
  }),
];
