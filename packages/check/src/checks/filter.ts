import {
  type CheckDefinition,
  check,
  describe,
  expectEqual,
  expectError,
  expectList,
  fail,
  isObject,
  pick,
  show,
  USER_SCHEMA,
} from "../check";
import {
  expectMatches,
  type FixtureName,
  namesOf,
  query,
  scoped,
  search,
  userSet,
} from "./fixtures";

const FILTER = "RFC 7644 §3.4.2.2";

/** A check that a scoped filter matches exactly `expected` of the four fixture users. */
const matches = (
  id: string,
  title: string,
  expression: (scope: string) => string,
  expected: FixtureName[],
  ref = FILTER,
): CheckDefinition =>
  check({
    id: `filter.${id}`,
    area: "filter",
    requires: ["filter"],
    title,
    ref,
    expected: `matches exactly [${expected.join(", ")}] of the fixture users`,
    run: async (context) => {
      const set = await userSet(context);
      return expectMatches(context, expression(set.scope), expected);
    },
  });

/** A check that a filter is refused with 400 invalidFilter. */
const refused = (id: string, title: string, filter: string, ref = FILTER): CheckDefinition =>
  check({
    id: `filter.${id}`,
    area: "filter",
    requires: ["filter"],
    title,
    ref,
    expected: '400 with scimType "invalidFilter"',
    run: async (context) => {
      expectError(await context.request("GET", context.users, { query: { filter } }), 400, [
        "invalidFilter",
      ]);
    },
  });

const u = (scope: string, name: FixtureName) => `"${scope}${name}@example.com"`;

export const filterChecks: CheckDefinition[] = [
  matches("eq", "eq matches one user by userName.", (s) => `userName eq ${u(s, "alice")}`, [
    "alice",
  ]),
  matches(
    "eq.case-insensitive",
    "eq on userName (caseExact false) ignores case.",
    (s) => `userName eq ${u(s, "alice").toUpperCase()}`,
    ["alice"],
    "RFC 7644 §3.4.2.2; RFC 7643 §4.1.1 (userName caseExact false)",
  ),
  check({
    id: "filter.eq.case-exact",
    area: "filter",
    requires: ["filter"],
    title: "eq on externalId (caseExact true) respects case.",
    ref: "RFC 7644 §3.4.2.2; RFC 7643 §3.1 (externalId caseExact true)",
    expected: "the exact externalId matches alice; the same value in another case matches nobody",
    run: async (context) => {
      const set = await userSet(context);
      const exact = String(set.users.alice.externalId);
      await expectMatches(context, `externalId eq "${exact}"`, ["alice"]);
      await expectMatches(context, `externalId eq "${context.prefix}EXT-ALICE"`, []);
    },
  }),
  matches("ne", "ne matches every user whose value differs.", () => 'displayName ne "Bob Brown"', [
    "alice",
    "carol",
    "dave",
  ]),
  matches("co", "co matches a substring.", () => 'displayName co "ar"', ["carol"]),
  matches(
    "co.case-insensitive",
    "co on displayName (caseExact false) ignores case.",
    () => 'displayName co "cLaRk"',
    ["carol"],
    "RFC 7644 §3.4.2.2; RFC 7643 §4.1.1",
  ),
  matches("sw", "sw matches a prefix.", () => 'displayName sw "Bo"', ["bob"]),
  matches("ew", "ew matches a suffix.", () => 'userName ew "dave@example.com"', ["dave"]),
  matches("pr", "pr matches users that have the attribute.", () => "title pr", [
    "alice",
    "bob",
    "carol",
  ]),
  matches(
    "pr.multi-valued",
    "pr on a multi-valued attribute matches users with any value.",
    () => "emails pr",
    ["alice", "bob"],
  ),
  matches("gt", "gt compares strings lexicographically.", (s) => `userName gt ${u(s, "bob")}`, [
    "carol",
    "dave",
  ]),
  matches("ge", "ge includes the equal value.", (s) => `userName ge ${u(s, "bob")}`, [
    "bob",
    "carol",
    "dave",
  ]),
  matches("lt", "lt compares strings lexicographically.", (s) => `userName lt ${u(s, "carol")}`, [
    "alice",
    "bob",
  ]),
  matches("le", "le includes the equal value.", (s) => `userName le ${u(s, "carol")}`, [
    "alice",
    "bob",
    "carol",
  ]),
  check({
    id: "filter.date-time",
    area: "filter",
    requires: ["filter"],
    title: "gt/lt on a dateTime compare chronologically.",
    ref: FILTER,
    expected: 'meta.created gt "2000-01-01T00:00:00Z" matches all four; lt matches none',
    run: async (context) => {
      await expectMatches(context, 'meta.created gt "2000-01-01T00:00:00Z"', [
        "alice",
        "bob",
        "carol",
        "dave",
      ]);
      await expectMatches(context, 'meta.created lt "2000-01-01T00:00:00Z"', []);
    },
  }),
  matches("boolean", "eq on a boolean matches JSON false.", () => "active eq false", [
    "bob",
    "dave",
  ]),
  matches("and", "and requires both sides.", () => 'title eq "Engineer" and active eq true', [
    "alice",
    "carol",
  ]),
  matches(
    "or",
    "or accepts either side.",
    (s) => `userName eq ${u(s, "alice")} or userName eq ${u(s, "dave")}`,
    ["alice", "dave"],
  ),
  matches("not", "not negates a grouped expression.", () => "not (active eq true)", [
    "bob",
    "dave",
  ]),
  matches(
    "not.presence",
    "not (attr pr) matches users without the attribute.",
    () => "not (emails pr)",
    ["carol", "dave"],
  ),
  matches(
    "precedence.and-over-or",
    "and binds tighter than or: `a or b and c` is `a or (b and c)`.",
    (s) => `userName eq ${u(s, "alice")} or userName eq ${u(s, "bob")} and active eq false`,
    ["alice", "bob"],
    "RFC 7644 §3.4.2.2 (precedence: not, and, or)",
  ),
  matches(
    "precedence.parentheses",
    "Parentheses override precedence.",
    (s) => `(userName eq ${u(s, "alice")} or userName eq ${u(s, "bob")}) and active eq false`,
    ["bob"],
    "RFC 7644 §3.4.2.2 (grouping)",
  ),
  matches(
    "value-path",
    "A value filter selects on several sub-attributes of one value.",
    () => 'emails[type eq "work" and value co "alice"]',
    ["alice"],
  ),
  matches(
    "value-path.single",
    "A value filter on one sub-attribute.",
    () => 'emails[type eq "home"]',
    ["bob"],
  ),
  matches(
    "sub-attribute",
    "A sub-attribute path (name.familyName).",
    () => 'name.familyName eq "Anders"',
    ["alice"],
  ),
  matches(
    "multi-valued.any",
    "A multi-valued sub-attribute matches when any value does.",
    (s) => `emails.value eq "${s}bob@home.example.com"`,
    ["bob"],
  ),
  matches(
    "urn-qualified",
    "A fully qualified attribute path (schema URN prefix) works.",
    (s) => `${USER_SCHEMA}:userName eq ${u(s, "alice")}`,
    ["alice"],
    "RFC 7644 §3.4.2.2; RFC 7644 §3.10",
  ),
  matches(
    "attribute-name-case",
    "Attribute names in filters are case-insensitive.",
    (s) => `USERNAME eq ${u(s, "carol")} or DisplayName eq "Dave Davis"`,
    ["carol", "dave"],
    "RFC 7644 §3.4.2.2; RFC 7643 §2.1",
  ),
  matches(
    "operator-case",
    "Comparison operators are case-insensitive.",
    (s) => `userName EQ ${u(s, "alice")}`,
    ["alice"],
  ),
  matches(
    "logical-operator-case",
    "Logical operators are case-insensitive.",
    (s) => `userName eq ${u(s, "alice")} OR userName eq ${u(s, "bob")}`,
    ["alice", "bob"],
    "RFC 7644 §3.4.2.2 (ABNF strings are case-insensitive, RFC 5234 §2.3)",
  ),
  matches(
    "string-escape",
    "A compValue is a JSON string: escaped quotes match literally.",
    () => 'displayName eq "Alice \\"A\\" Anders"',
    ["alice"],
    "RFC 7644 §3.4.2.2 (compValue is a JSON string)",
  ),
  check({
    id: "filter.no-match",
    area: "filter",
    requires: ["filter"],
    title: "A filter that matches nothing answers 200 with totalResults 0 (never 404).",
    ref: "RFC 7644 §3.4.2; Entra ID tutorial (Test Connection); Okta SCIM 2.0 protocol reference",
    expected: "200 ListResponse, totalResults 0, no Resources or an empty array",
    run: async (context) => {
      const { answer, resources } = await query(
        context,
        `userName eq "${context.unique("nobody")}@example.com"`,
      );
      expectEqual("totalResults", pick(answer.body, "totalResults"), 0);
      expectEqual("Resources", resources.length, 0);
    },
  }),
  check({
    id: "filter.unknown-attribute",
    area: "filter",
    requires: ["filter"],
    title:
      "A filter on an unknown attribute is refused (400 invalidFilter) or matches nothing — never everything.",
    ref: FILTER,
    expected: "400 invalidFilter, or 200 with none of the fixture users",
    run: async (context) => {
      const set = await userSet(context);
      const answer = await context.request("GET", context.users, {
        query: { filter: scoped(set, 'scimkitNoSuchAttribute eq "x"') },
      });
      if (answer.status === 400) {
        expectError(answer, 400, ["invalidFilter"]);
        return "refused with invalidFilter";
      }
      const names = namesOf(set, answer, expectList(answer));
      if (names.length > 0) fail(`matched [${names.join(", ")}]`);
    },
  }),
  refused("invalid.syntax", "A truncated filter is refused with 400 invalidFilter.", "userName eq"),
  refused(
    "invalid.operator",
    "An unknown operator is refused with 400 invalidFilter.",
    'userName zz "x"',
  ),
  refused(
    "invalid.parenthesis",
    "An unbalanced parenthesis is refused with 400 invalidFilter.",
    '(userName eq "x"',
  ),
  refused(
    "invalid.boolean-ordering",
    "gt on a boolean is refused with 400 invalidFilter.",
    "active gt true",
    "RFC 7644 §3.4.2.2 (gt, ge, lt, le on boolean or binary)",
  ),
  check({
    id: "filter.search-post",
    area: "filter",
    requires: ["filter"],
    title: "POST /Users/.search with a filter answers like GET.",
    ref: "RFC 7644 §3.4.3",
    expected: "200 ListResponse matching exactly alice",
    run: async (context) => {
      const set = await userSet(context);
      const { answer, resources } = await search(context, {
        filter: scoped(set, `userName eq ${u(set.scope, "alice")}`),
      });
      const names = namesOf(set, answer, resources);
      expectEqual("matched", names, ["alice"]);
    },
  }),
  check({
    id: "filter.groups.display-name",
    area: "filter",
    requires: ["filter", "groups"],
    title: "Groups can be looked up by displayName (Entra and Okta match groups this way).",
    ref: "RFC 7644 §3.4.2.2; Entra ID tutorial: Develop and plan provisioning for a SCIM endpoint",
    expected: "totalResults 1 with the group's id",
    run: async (context) => {
      const group = await context.createGroup();
      const answer = await context.request("GET", context.groups, {
        query: { filter: `displayName eq "${String(group.displayName)}"` },
      });
      const resources = expectList(answer);
      expectEqual(
        "ids",
        resources.map((resource) => resource.id),
        [group.id],
      );
    },
  }),
  check({
    id: "filter.groups.member",
    area: "filter",
    requires: ["filter", "groups"],
    title:
      "members.value eq <id> finds the user's groups, or is refused with invalidFilter — never wrong.",
    ref: FILTER,
    expected: "exactly the groups with that member, or 400 invalidFilter",
    run: async (context) => {
      const user = await context.createUser();
      const other = await context.createUser();
      const group = await context.createGroup({ members: [{ value: user.id }] });
      await context.createGroup({ members: [{ value: other.id }] });
      const answer = await context.request("GET", context.groups, {
        query: { filter: `members.value eq "${String(user.id)}"` },
      });
      if (answer.status === 400) {
        expectError(answer, 400, ["invalidFilter"]);
        return "refused with invalidFilter";
      }
      const resources = expectList(answer);
      expectEqual(
        "ids",
        resources.map((resource) => resource.id),
        [group.id],
      );
    },
  }),
  check({
    id: "filter.no-filter-lists",
    area: "filter",
    title: "GET /Users without a filter answers a ListResponse.",
    ref: "RFC 7644 §3.4.2",
    expected: "200 ListResponse with integer totalResults",
    run: async (context) => {
      const answer = await context.request("GET", context.users, { query: { count: 1 } });
      expectList(answer);
      if (!Number.isInteger(pick(answer.body, "totalResults"))) {
        fail(`${describe(answer)}; totalResults ${show(pick(answer.body, "totalResults"))}`);
      }
      if (!isObject(answer.body)) fail("no body");
    },
  }),
];
