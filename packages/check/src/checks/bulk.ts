import {
  BULK_REQUEST_SCHEMA,
  BULK_RESPONSE_SCHEMA,
  type CheckContext,
  type CheckDefinition,
  check,
  describe,
  expectEqual,
  expectObject,
  expectStatus,
  fail,
  GROUP_SCHEMA,
  isObject,
  PATCH_OP_SCHEMA,
  pick,
  show,
  USER_SCHEMA,
} from "../check";
import type { JsonObject } from "../scim-client";

const BULK = "RFC 7644 §3.7";

interface BulkResult {
  readonly answer: Awaited<ReturnType<CheckContext["request"]>>;
  readonly operations: JsonObject[];
}

/** POSTs a BulkRequest; tracks every created resource by its answered location. */
async function bulk(
  context: CheckContext,
  operations: JsonObject[],
  failOnErrors?: number,
): Promise<BulkResult> {
  const answer = await context.request("POST", "/Bulk", {
    body: {
      schemas: [BULK_REQUEST_SCHEMA],
      ...(failOnErrors === undefined ? {} : { failOnErrors }),
      Operations: operations,
    },
  });
  const results = pick(answer.body, "Operations");
  const list = Array.isArray(results) ? results.filter(isObject) : [];
  for (const result of list) {
    const location = result.location;
    if (typeof location !== "string") continue;
    const match = /\/(Users|Groups)\/([^/?]+)$/i.exec(location);
    if (match !== null)
      context.track(
        match[1]?.toLowerCase() === "users" ? context.users : context.groups,
        decodeURIComponent(match[2] as string),
      );
  }
  return { answer, operations: list };
}

const statusOf = (operation: unknown) => String(pick(operation, "status"));

const userOperation = (
  context: CheckContext,
  bulkId: string,
  extra: JsonObject = {},
): JsonObject => ({
  method: "POST",
  path: context.users,
  bulkId,
  data: { schemas: [USER_SCHEMA], userName: `${context.unique(bulkId)}@example.com`, ...extra },
});

const bulkCheck = (
  id: string,
  title: string,
  expected: string,
  run: CheckDefinition["run"],
  ref = BULK,
  extra: Partial<CheckDefinition> = {},
) =>
  check({
    id: `bulk.${id}`,
    area: "bulk",
    requires: ["bulk"],
    title,
    ref,
    expected,
    run,
    ...extra,
  });

export const bulkChecks: CheckDefinition[] = [
  bulkCheck(
    "create",
    "A BulkRequest of two creates answers a BulkResponse with a result per operation.",
    'BulkResponse schema; each result has method, bulkId, status "201" and a location',
    async (context) => {
      const { answer, operations } = await bulk(context, [
        userOperation(context, "b1"),
        userOperation(context, "b2"),
      ]);
      expectStatus(answer, 200);
      const schemas = pick(answer.body, "schemas");
      if (!Array.isArray(schemas) || !schemas.includes(BULK_RESPONSE_SCHEMA))
        fail(`schemas is ${show(schemas)}`);
      expectEqual("results", operations.length, 2);
      for (const operation of operations) {
        if (
          statusOf(operation) !== "201" ||
          typeof operation.location !== "string" ||
          typeof operation.bulkId !== "string"
        ) {
          fail(`result ${show(operation)}`);
        }
      }
    },
    "RFC 7644 §3.7; RFC 7644 §3.7.3",
  ),
  bulkCheck(
    "locations",
    "A created location answers the created resource.",
    "GET of the answered location is 200 with the bulk's userName",
    async (context) => {
      const operation = userOperation(context, "loc");
      const { operations } = await bulk(context, [operation]);
      const location = pick(operations[0], "location");
      if (typeof location !== "string") fail(`result ${show(operations[0])}`);
      const match = /\/(Users)\/([^/?]+)$/i.exec(String(location));
      if (match === null) fail(`location ${show(location)} is not a /Users/{id} URL`);
      const read = await context.request(
        "GET",
        `${context.users}/${(match as RegExpExecArray)[2]}`,
      );
      expectStatus(read, 200);
      expectEqual("userName", pick(read.body, "userName"), pick(operation, "data", "userName"));
    },
    "RFC 7644 §3.7.3",
  ),
  bulkCheck(
    "bulk-id",
    "bulkId:<id> in a later operation refers to a resource created earlier in the request.",
    "the group's member is the user created by the first operation",
    async (context) => {
      const { operations } = await bulk(context, [
        userOperation(context, "member"),
        {
          method: "POST",
          path: context.groups,
          bulkId: "group",
          data: {
            schemas: [GROUP_SCHEMA],
            displayName: context.unique("bulk-group"),
            members: [{ value: "bulkId:member" }],
          },
        },
      ]);
      const user = operations.find((operation) => operation.bulkId === "member");
      const group = operations.find((operation) => operation.bulkId === "group");
      if (statusOf(user) !== "201" || statusOf(group) !== "201")
        fail(`results ${show(operations, 400)}`);
      const userId = String(user?.location).split("/").pop();
      const groupId = String(group?.location).split("/").pop();
      const read = await context.request("GET", `${context.groups}/${String(groupId)}`);
      const members = pick(read.body, "members");
      if (!Array.isArray(members) || members.length !== 1 || pick(members[0], "value") !== userId) {
        fail(`members are ${show(members)}, expected the user ${String(userId)}`);
      }
    },
    "RFC 7644 §3.7.2",
    { requires: ["bulk", "groups"] },
  ),
  bulkCheck(
    "update-delete",
    "PATCH and DELETE operations work in a bulk.",
    'statuses "200"/"204" for PATCH and "204" for DELETE, with their effect',
    async (context) => {
      const first = await context.createUser();
      const second = await context.createUser();
      const { operations } = await bulk(context, [
        {
          method: "PATCH",
          path: `${context.users}/${String(first.id)}`,
          data: {
            schemas: [PATCH_OP_SCHEMA],
            Operations: [{ op: "replace", path: "title", value: "bulk" }],
          },
        },
        { method: "DELETE", path: `${context.users}/${String(second.id)}` },
      ]);
      if (!["200", "204"].includes(statusOf(operations[0])) || statusOf(operations[1]) !== "204")
        fail(`results ${show(operations, 400)}`);
      expectEqual(
        "title",
        pick((await context.request("GET", `${context.users}/${String(first.id)}`)).body, "title"),
        "bulk",
      );
      expectStatus(await context.request("GET", `${context.users}/${String(second.id)}`), 404);
    },
  ),
  bulkCheck(
    "errors",
    "A failing operation answers its own status and a SCIM error response.",
    'the duplicate create answers status "409" with a response Error body; the other operations succeed',
    async (context) => {
      const existing = await context.createUser();
      const { operations } = await bulk(context, [
        {
          method: "POST",
          path: context.users,
          bulkId: "dup",
          data: { schemas: [USER_SCHEMA], userName: existing.userName },
        },
        userOperation(context, "ok"),
      ]);
      const duplicate = operations.find((operation) => operation.bulkId === "dup");
      if (statusOf(duplicate) !== "409" || !isObject(duplicate?.response))
        fail(`result ${show(duplicate)}`);
      if (statusOf(operations.find((operation) => operation.bulkId === "ok")) !== "201")
        fail(`results ${show(operations, 400)}`);
    },
    "RFC 7644 §3.7.3",
  ),
  bulkCheck(
    "fail-on-errors",
    "failOnErrors=1 stops at the first error.",
    "the operation after the first failure is not processed",
    async (context) => {
      const existing = await context.createUser();
      const after = userOperation(context, "after");
      const { answer, operations } = await bulk(
        context,
        [
          {
            method: "POST",
            path: context.users,
            bulkId: "dup",
            data: { schemas: [USER_SCHEMA], userName: existing.userName },
          },
          after,
        ],
        1,
      );
      if (answer.status >= 500) fail(describe(answer));
      if (
        operations.some(
          (operation) => operation.bulkId === "after" && statusOf(operation) === "201",
        )
      ) {
        fail(`the operation after the error ran: ${show(operations, 400)}`);
      }
      const lookup = await context.request("GET", context.users, {
        query: { filter: `userName eq "${String(pick(after, "data", "userName"))}"` },
      });
      if (pick(lookup.body, "totalResults") !== 0)
        fail("the user of the operation after the error exists");
    },
    "RFC 7644 §3.7.3 (failOnErrors)",
    { requires: ["bulk", "filter"] },
  ),
  bulkCheck(
    "too-many",
    "More operations than bulk.maxOperations answers 413.",
    "413 Payload Too Large with a SCIM error",
    async (context) => {
      const max = context.capabilities.bulkMaxOperations;
      if (max === undefined || max > 2000)
        return `skipped the probe: maxOperations is ${String(max)}`;
      const operations = Array.from({ length: max + 1 }, (_, index) => ({
        method: "DELETE",
        path: `${context.users}/${context.prefix}never-${index}`,
      }));
      const { answer } = await bulk(context, operations);
      expectStatus(answer, 413);
      expectObject(answer);
    },
    "RFC 7644 §3.7.4",
  ),
  bulkCheck(
    "schema",
    "A bulk whose schemas is not the BulkRequest URN is refused with 400.",
    `400 (schemas must be ["${BULK_REQUEST_SCHEMA}"])`,
    async (context) => {
      const answer = await context.request("POST", "/Bulk", {
        body: { schemas: [USER_SCHEMA], Operations: [] },
      });
      expectStatus(answer, 400);
    },
    "RFC 7644 §3.7 (BulkRequest schemas)",
    { level: "should" },
  ),
];
