import {
  type CheckDefinition,
  check,
  describe,
  ERROR_SCHEMA,
  expectError,
  fail,
  isObject,
  USER_SCHEMA,
} from "../check";

export const errorChecks: CheckDefinition[] = [
  check({
    id: "errors.auth.missing",
    area: "errors",
    title: "A request without credentials answers 401 with a SCIM error.",
    ref: "RFC 7644 §2; RFC 7644 §3.12",
    expected: '401 with an Error body, status "401"',
    run: async (context) => {
      expectError(await context.request("GET", context.users, { anonymous: true }), 401);
    },
  }),
  check({
    id: "errors.auth.wrong-token",
    area: "errors",
    title: "A wrong bearer token answers 401 with a SCIM error.",
    ref: "RFC 7644 §2; RFC 7644 §3.12",
    expected: '401 with an Error body, status "401"',
    run: async (context) => {
      const answer = await context.request("GET", context.users, {
        headers: { authorization: "Bearer scimkit-check-not-the-token" },
      });
      expectError(answer, 401);
    },
  }),
  check({
    id: "errors.auth.challenge",
    area: "errors",
    level: "should",
    title: "A 401 carries a WWW-Authenticate challenge.",
    ref: "RFC 7644 §2 (RFC 6750 §3, RFC 9110 §11.6.1)",
    expected: "a WWW-Authenticate header on the 401",
    run: async (context) => {
      const answer = await context.request("GET", context.users, { anonymous: true });
      if (answer.status !== 401) fail(describe(answer));
      if (!answer.headers.has("www-authenticate")) fail("the 401 has no WWW-Authenticate header");
    },
  }),
  check({
    id: "errors.not-found.user",
    area: "errors",
    title: "GET of an unknown user id answers 404 with a SCIM error and a detail.",
    ref: "RFC 7644 §3.12; Okta SCIM 2.0 protocol reference",
    expected: '404 with an Error body, status "404" and a detail string',
    run: async (context) => {
      const answer = await context.request("GET", `${context.users}/${crypto.randomUUID()}`);
      expectError(answer, 404);
      if (!isObject(answer.body) || typeof answer.body.detail !== "string") fail("no detail");
    },
  }),
  check({
    id: "errors.not-found.group",
    area: "errors",
    requires: ["groups"],
    title: "GET of an unknown group id answers 404 with a SCIM error.",
    ref: "RFC 7644 §3.12",
    expected: '404 with an Error body, status "404"',
    run: async (context) => {
      expectError(await context.request("GET", `${context.groups}/${crypto.randomUUID()}`), 404);
    },
  }),
  check({
    id: "errors.content-type",
    area: "errors",
    title: "Error answers are application/scim+json.",
    ref: "RFC 7644 §3.1; RFC 7644 §8.1",
    expected: "Content-Type application/scim+json on a 404",
    run: async (context) => {
      const answer = await context.request("GET", `${context.users}/${crypto.randomUUID()}`);
      const type = answer.headers.get("content-type") ?? "";
      if (!/^application\/scim\+json/i.test(type)) fail(`Content-Type is "${type}"`);
    },
  }),
  check({
    id: "errors.malformed-json",
    area: "errors",
    title: "A body that is not JSON answers 400 invalidSyntax.",
    ref: "RFC 7644 §3.12",
    expected: '400 with scimType "invalidSyntax"',
    run: async (context) => {
      const answer = await context.request("POST", context.users, {
        rawBody: '{"schemas": ["' + USER_SCHEMA + '"], "userName": ',
      });
      expectError(answer, 400, ["invalidSyntax"]);
    },
  }),
  check({
    id: "errors.unknown-endpoint",
    area: "errors",
    level: "should",
    title: "An unknown endpoint answers 404 with a SCIM error.",
    ref: "RFC 7644 §3.12",
    expected: "404 with an Error body",
    run: async (context) => {
      const answer = await context.request("GET", `/${context.unique("NoSuchEndpoint")}`);
      expectError(answer, 404);
    },
  }),
  check({
    id: "errors.discovery-read-only",
    area: "errors",
    title: "Writing to /ServiceProviderConfig is refused with an error, not accepted.",
    ref: "RFC 7644 §4; RFC 7644 §3.12",
    expected: "a 4xx or 501 answer with an Error body to PUT /ServiceProviderConfig",
    run: async (context) => {
      const answer = await context.request("PUT", "/ServiceProviderConfig", { body: {} });
      if (answer.status < 400 || (answer.status >= 500 && answer.status !== 501))
        fail(describe(answer));
      if (
        !isObject(answer.body) ||
        !JSON.stringify(answer.body.schemas ?? []).includes(ERROR_SCHEMA)
      ) {
        fail(`${describe(answer)} without an Error body`);
      }
    },
  }),
  check({
    id: "errors.me",
    area: "errors",
    title: "GET /Me answers the subject (200), 404, or 501 when not supported — never a 500.",
    ref: "RFC 7644 §3.11",
    expected: "200, 308, 404 or 501",
    run: async (context) => {
      const answer = await context.request("GET", "/Me");
      if (![200, 308, 404, 501].includes(answer.status)) fail(describe(answer));
      return `answered ${answer.status}`;
    },
  }),
  check({
    id: "errors.unsupported-method",
    area: "errors",
    title: "POST to a resource URL is refused with an error.",
    ref: "RFC 7644 §3.12",
    expected: "404, 405, 501 or another 4xx to POST /Users/{id}",
    run: async (context) => {
      // Never a destructive probe (such as DELETE on a collection): the server may hold real data.
      const answer = await context.request("POST", `${context.users}/${crypto.randomUUID()}`, {
        body: { schemas: [USER_SCHEMA], userName: `${context.unique("never")}@example.com` },
      });
      if (isObject(answer.body)) context.track(context.users, answer.body.id);
      if (answer.status < 400 || (answer.status >= 500 && answer.status !== 501))
        fail(describe(answer));
    },
  }),
];
