import {
  type CheckContext,
  type CheckDefinition,
  check,
  describe,
  expectEqual,
  expectStatus,
  fail,
  patchBody,
  pick,
  USER_SCHEMA,
} from "../check";
import type { JsonObject } from "../scim-client";

const ETAG = "RFC 7644 §3.14";

const etagCheck = (
  id: string,
  title: string,
  expected: string,
  run: CheckDefinition["run"],
  ref = ETAG,
) => check({ id: `etag.${id}`, area: "etag", requires: ["etag"], title, ref, expected, run });

/** A fresh user and the ETag a GET answers for it. */
async function tagged(
  context: CheckContext,
): Promise<{ user: JsonObject; path: string; etag: string }> {
  const user = await context.createUser();
  const path = `${context.users}/${String(user.id)}`;
  const read = await context.request("GET", path);
  expectStatus(read, 200);
  const etag = read.headers.get("etag");
  if (etag === null) fail("GET answered no ETag header");
  return { user, path, etag: etag as string };
}

const changeTitle = (title: string) => patchBody({ op: "replace", path: "title", value: title });

export const etagChecks: CheckDefinition[] = [
  etagCheck(
    "header",
    "GET of a resource carries an ETag header.",
    "an ETag header on GET /Users/{id}",
    async (context) => {
      await tagged(context);
    },
  ),
  etagCheck(
    "format",
    "The ETag is an HTTP entity tag: quoted, optionally weak.",
    'W/"..." or "..."',
    async (context) => {
      const { etag } = await tagged(context);
      if (!/^(W\/)?"[^"]*"$/.test(etag)) fail(`ETag is ${etag}`);
    },
    "RFC 7644 §3.14; RFC 9110 §8.8.3",
  ),
  etagCheck(
    "meta-version",
    "The ETag header equals meta.version.",
    "ETag header == meta.version",
    async (context) => {
      const { path } = await tagged(context);
      const read = await context.request("GET", path);
      expectEqual("meta.version", pick(read.body, "meta", "version"), read.headers.get("etag"));
    },
    "RFC 7644 §3.14; RFC 7643 §3.1 (meta.version)",
  ),
  etagCheck(
    "on-create",
    "The 201 of a create carries an ETag header.",
    "ETag header on POST /Users",
    async (context) => {
      const answer = await context.request("POST", context.users, {
        body: { schemas: [USER_SCHEMA], userName: `${context.unique("etag")}@example.com` },
      });
      context.track(context.users, pick(answer.body, "id"));
      expectStatus(answer, 201);
      if (!answer.headers.has("etag")) fail("the 201 has no ETag header");
    },
  ),
  etagCheck(
    "stable",
    "An unchanged resource keeps its ETag.",
    "two GETs answer the same ETag",
    async (context) => {
      const { path, etag } = await tagged(context);
      expectEqual("second ETag", (await context.request("GET", path)).headers.get("etag"), etag);
    },
  ),
  etagCheck(
    "changes",
    "A change gives the resource a new ETag.",
    "after a PATCH, GET answers a different ETag",
    async (context) => {
      const { path, etag } = await tagged(context);
      expectStatus(
        await context.request("PATCH", path, { body: changeTitle("changed") }),
        200,
        204,
      );
      const after = (await context.request("GET", path)).headers.get("etag");
      if (after === etag) fail(`the ETag stayed ${etag}`);
    },
  ),
  etagCheck(
    "if-none-match.current",
    "If-None-Match with the current ETag answers 304 Not Modified.",
    "304",
    async (context) => {
      const { path, etag } = await tagged(context);
      expectStatus(await context.request("GET", path, { headers: { "if-none-match": etag } }), 304);
    },
    "RFC 7644 §3.14; RFC 9110 §13.1.2",
  ),
  etagCheck(
    "if-none-match.stale",
    "If-None-Match with an old ETag answers 200 with the resource.",
    "200",
    async (context) => {
      const { path, etag } = await tagged(context);
      expectStatus(await context.request("PATCH", path, { body: changeTitle("newer") }), 200, 204);
      const answer = await context.request("GET", path, { headers: { "if-none-match": etag } });
      expectStatus(answer, 200);
      expectEqual("title", pick(answer.body, "title"), "newer");
    },
  ),
  etagCheck(
    "if-match.current",
    "If-Match with the current ETag lets a PATCH through.",
    "200 or 204",
    async (context) => {
      const { path, etag } = await tagged(context);
      expectStatus(
        await context.request("PATCH", path, {
          body: changeTitle("matched"),
          headers: { "if-match": etag },
        }),
        200,
        204,
      );
    },
  ),
  etagCheck(
    "if-match.stale.patch",
    "PATCH with a stale If-Match answers 412 and changes nothing.",
    "412, and the title unchanged",
    async (context) => {
      const { path, etag } = await tagged(context);
      expectStatus(await context.request("PATCH", path, { body: changeTitle("first") }), 200, 204);
      const answer = await context.request("PATCH", path, {
        body: changeTitle("lost update"),
        headers: { "if-match": etag },
      });
      expectStatus(answer, 412);
      expectEqual("title", pick((await context.request("GET", path)).body, "title"), "first");
    },
    "RFC 7644 §3.14; RFC 9110 §13.1.1",
  ),
  etagCheck(
    "if-match.stale.put",
    "PUT with a stale If-Match answers 412.",
    "412",
    async (context) => {
      const { user, path, etag } = await tagged(context);
      expectStatus(await context.request("PATCH", path, { body: changeTitle("first") }), 200, 204);
      const answer = await context.request("PUT", path, {
        body: { schemas: [USER_SCHEMA], userName: user.userName, title: "lost update" },
        headers: { "if-match": etag },
      });
      expectStatus(answer, 412);
    },
    "RFC 7644 §3.14; RFC 9110 §13.1.1",
  ),
  etagCheck(
    "if-match.stale.delete",
    "DELETE with a stale If-Match answers 412 and keeps the resource.",
    "412, then GET still 200",
    async (context) => {
      const { path, etag } = await tagged(context);
      expectStatus(await context.request("PATCH", path, { body: changeTitle("first") }), 200, 204);
      const answer = await context.request("DELETE", path, { headers: { "if-match": etag } });
      if (answer.status !== 412) fail(describe(answer));
      expectStatus(await context.request("GET", path), 200);
    },
    "RFC 7644 §3.14; RFC 9110 §13.1.1",
  ),
  etagCheck(
    "put-answer",
    "A PUT answer carries the new ETag, equal to a later GET's.",
    "ETag of the PUT answer == ETag of the next GET",
    async (context) => {
      const { user, path } = await tagged(context);
      const put = await context.request("PUT", path, {
        body: { schemas: [USER_SCHEMA], userName: user.userName, title: "put" },
      });
      expectStatus(put, 200);
      expectEqual(
        "ETag of the following GET",
        (await context.request("GET", path)).headers.get("etag"),
        put.headers.get("etag"),
      );
    },
  ),
];
