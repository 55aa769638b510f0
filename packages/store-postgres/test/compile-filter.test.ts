import { describe, expect, it } from "vitest";
import { FilterCompiler, type SqlContext } from "../src/compile-filter";
import { compileListQuery } from "../src/compile-query";
import { SqlParameters } from "../src/sql-parameters";
import { bound, sortPath } from "./helpers";

const users: SqlContext = {
  schema: '"scimkit"',
  row: "r",
  resourceType: "User",
  memberOfAttribute: "groups",
};
const groups: SqlContext = {
  schema: '"scimkit"',
  row: "r",
  resourceType: "Group",
  membersAttribute: "members",
};

function sql(filter: string, context = users, resourceType = context.resourceType) {
  const parameters = new SqlParameters();
  const text = new FilterCompiler(context, parameters).compile(bound(filter, resourceType));
  return { text, values: parameters.values };
}

describe("filter compiler: SQL text without a database", () => {
  it("compiles userName eq to the indexed lower() expression with the value as a parameter", () => {
    expect(sql('userName eq "Bjensen"')).toEqual({
      text: "lower(r.data ->> 'userName') = lower($1::text)",
      values: ["Bjensen"],
    });
  });

  it("keeps caseExact attributes exact (externalId) and matches the externalId index", () => {
    expect(sql('externalId eq "A-1"')).toEqual({
      text: "r.data ->> 'externalId' = $1::text",
      values: ["A-1"],
    });
  });

  it("compiles Group displayName eq case-insensitively", () => {
    expect(sql('displayName eq "Admins"', groups)).toEqual({
      text: "lower(r.data ->> 'displayName') = lower($1::text)",
      values: ["Admins"],
    });
  });

  it("negates a membership EXISTS bare, so it plans as a tenant-scoped anti-join", () => {
    expect(sql("not (members pr)", groups).text).toBe(
      'NOT EXISTS (SELECT 1 FROM "scimkit".memberships m1 WHERE m1.tenant = r.tenant AND m1.group_id = r.id)',
    );
    // An operand that can be unknown still counts as false when negated.
    expect(sql('not (title eq "x")').text).toBe(
      "NOT COALESCE(lower(r.data ->> 'title') = lower($1::text), false)",
    );
  });

  it("never splices values into SQL text, even hostile ones", () => {
    const hostile = "x' OR '1'='1";
    const { text, values } = sql(`userName co "${hostile}"`);
    expect(text).toBe("strpos(lower(r.data ->> 'userName'), lower($1::text)) > 0");
    expect(values).toEqual([hostile]);
  });

  it("compiles sw, ew and ordering on strings", () => {
    expect(sql('userName sw "bj"').text).toBe(
      "starts_with(lower(r.data ->> 'userName'), lower($1::text))",
    );
    expect(sql('userName ew "en"').text).toBe(
      "right(lower(r.data ->> 'userName'), length(lower($1::text))) = lower($1::text)",
    );
    expect(sql('userName gt "m"').text).toBe(
      `lower(r.data ->> 'userName') COLLATE "C" > lower($1::text)`,
    );
  });

  it("negates eq for ne, treating an absent attribute as not equal", () => {
    expect(sql('title ne "Boss"')).toEqual({
      text: "NOT COALESCE(lower(r.data ->> 'title') = lower($1::text), false)",
      values: ["Boss"],
    });
  });

  it("combines and/or/not with SQL precedence made explicit", () => {
    expect(sql('userName eq "a" or not (title pr and active eq true)').text).toBe(
      "(lower(r.data ->> 'userName') = lower($1::text) OR NOT COALESCE(((jsonb_typeof(r.data -> 'title') <> 'null' AND r.data -> 'title' NOT IN ('\"\"'::jsonb, '[]'::jsonb)) AND lower(r.data ->> 'active') = $2::text), false))",
    );
  });

  it("compiles eq null as absence and ne null as presence", () => {
    expect(sql("title eq null").text).toBe(
      "NOT COALESCE((jsonb_typeof(r.data -> 'title') <> 'null' AND r.data -> 'title' NOT IN ('\"\"'::jsonb, '[]'::jsonb)), false)",
    );
    expect(sql("title ne null").text).toBe(
      "(jsonb_typeof(r.data -> 'title') <> 'null' AND r.data -> 'title' NOT IN ('\"\"'::jsonb, '[]'::jsonb))",
    );
  });

  it("reads sub-attributes of single-valued complex attributes", () => {
    expect(sql('name.familyName eq "Jensen"').text).toBe(
      "lower(r.data -> 'name' ->> 'familyName') = lower($1::text)",
    );
  });

  it("reads extension attributes under their URN", () => {
    expect(
      sql('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "7"').text,
    ).toBe(
      "lower(r.data -> 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' ->> 'employeeNumber') = lower($1::text)",
    );
  });

  it("compiles a value path to EXISTS over the JSON array elements", () => {
    const { text, values } = sql('emails[type eq "work" and value co "@example.com"]');
    expect(text).toBe(
      "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE jsonb_typeof(r.data -> 'emails') WHEN 'array' THEN r.data -> 'emails' WHEN 'object' THEN jsonb_build_array(r.data -> 'emails') ELSE '[]'::jsonb END) AS e1(item) WHERE (lower(e1.item ->> 'type') = lower($1::text) AND strpos(lower(e1.item ->> 'value'), lower($2::text)) > 0))",
    );
    expect(values).toEqual(["work", "@example.com"]);
  });

  it("compiles a multi-valued sub-attribute comparison as any-value EXISTS", () => {
    expect(sql('emails.value eq "a@b.c"').text).toContain(
      "AS e1(item) WHERE lower(e1.item ->> 'value') = lower($1::text))",
    );
  });

  it("compares dateTime as instants and booleans by value", () => {
    expect(sql('meta.lastModified gt "2024-01-01T00:00:00Z"')).toEqual({
      text: '(r.last_modified)::timestamptz > "scimkit".to_timestamptz($1::text)',
      values: ["2024-01-01T00:00:00.000Z"],
    });
    expect(sql("active eq false")).toEqual({
      text: "lower(r.data ->> 'active') = $1::text",
      values: ["false"],
    });
  });

  it("reads id from its column", () => {
    expect(sql('id eq "abc"')).toEqual({ text: "r.id = $1::text", values: ["abc"] });
  });

  it("reads members from the memberships table, never from JSON (caseExact from the schema)", () => {
    expect(sql('members.value eq "u1"', groups, "Group")).toEqual({
      text: 'EXISTS (SELECT 1 FROM "scimkit".memberships m1 WHERE m1.tenant = r.tenant AND m1.group_id = r.id AND lower(m1.member_id) = lower($1::text))',
      values: ["u1"],
    });
    expect(sql("members pr", groups, "Group").text).toBe(
      'EXISTS (SELECT 1 FROM "scimkit".memberships m1 WHERE m1.tenant = r.tenant AND m1.group_id = r.id)',
    );
    expect(sql('members[type eq "User" and display sw "B"]', groups, "Group").text).toBe(
      'EXISTS (SELECT 1 FROM "scimkit".memberships m1 WHERE m1.tenant = r.tenant AND m1.group_id = r.id AND (lower(m1.member_type) = lower($1::text) AND starts_with(lower(m1.display), lower($2::text))))',
    );
  });

  it("reads a user's groups from the member side of the memberships table", () => {
    expect(sql('groups.value eq "g1"').text).toBe(
      'EXISTS (SELECT 1 FROM "scimkit".memberships m1 JOIN "scimkit".resources g2 ON g2.tenant = m1.tenant AND g2.resource_type = m1.group_type AND g2.id = m1.group_id WHERE m1.tenant = r.tenant AND m1.member_id = r.id AND lower(m1.group_id) = lower($1::text))',
    );
  });

  it("declines what it cannot express so core evaluates it in memory", () => {
    expect(sql('meta.location eq "x"').text).toBeUndefined();
    expect(sql('members.$ref eq "x"', groups, "Group").text).toBeUndefined();
  });
});

describe("list query compiler", () => {
  it("scopes by tenant and type, orders by id and pages with parameters", () => {
    const compiled = compileListQuery(
      { tenant: "t1", filter: bound('title eq "a"'), limit: 10, offset: 20 },
      users,
    );
    expect(compiled?.select).toEqual({
      text: `SELECT r.id, r.version, r.created, r.last_modified, r.data FROM "scimkit".resources r WHERE r.tenant = $1::text AND r.resource_type = $2::text AND lower(r.data ->> 'title') = lower($3::text) ORDER BY r.id LIMIT $4::integer OFFSET $5::integer`,
      values: ["t1", "User", "a", 10, 20],
    });
    expect(compiled?.count).toEqual({
      text: `SELECT count(*) AS total FROM "scimkit".resources r WHERE r.tenant = $1::text AND r.resource_type = $2::text AND lower(r.data ->> 'title') = lower($3::text)`,
      values: ["t1", "User", "a"],
    });
  });

  it("reads a lookup by an indexed attribute through its index, then sorts the few rows", () => {
    const compiled = compileListQuery(
      { tenant: "t1", filter: bound('userName eq "a" and active eq true'), limit: 100 },
      users,
    );
    expect(compiled?.select.text).toBe(
      `SELECT r.id, r.version, r.created, r.last_modified, r.data FROM (SELECT * FROM "scimkit".resources r WHERE r.tenant = $1::text AND r.resource_type = $2::text AND (lower(r.data ->> 'userName') = lower($3::text) AND lower(r.data ->> 'active') = $4::text) OFFSET 0) r ORDER BY r.id LIMIT $5::integer`,
    );
    // An or does not require the indexed value: no fence.
    expect(
      compileListQuery(
        { tenant: "t1", filter: bound('userName eq "a" or title eq "b"'), limit: 100 },
        users,
      )?.select.text,
    ).not.toContain("OFFSET 0");
  });

  it("sorts absent values last ascending, first descending, ties by id", () => {
    const ascending = compileListQuery(
      { tenant: "t", sort: { path: sortPath("userName"), order: "ascending" } },
      users,
    );
    expect(ascending?.select.text).toContain(
      `ORDER BY CASE WHEN jsonb_typeof(r.data -> 'userName') = 'string' THEN lower((r.data -> 'userName' #>> '{}')) END COLLATE "C" ASC NULLS LAST, r.id`,
    );
    const descending = compileListQuery(
      { tenant: "t", sort: { path: sortPath("name.familyName"), order: "descending" } },
      users,
    );
    expect(descending?.select.text).toContain("DESC NULLS FIRST, r.id");
  });

  it("sorts a multi-valued attribute by its primary value, else its first", () => {
    const compiled = compileListQuery(
      { tenant: "t", sort: { path: sortPath("emails"), order: "ascending" } },
      users,
    );
    expect(compiled?.select.text).toContain("WHERE item -> 'primary' = 'true'::jsonb LIMIT 1)");
    expect(compiled?.sortKey?.kind).toBe("text");
  });

  it("continues a cursor page after the last key (keyset), not by offset", () => {
    const compiled = compileListQuery(
      {
        tenant: "t",
        sort: { path: sortPath("meta.created"), order: "ascending" },
        limit: 3,
        after: { value: "1700000000.5", id: "u9" },
      },
      users,
    );
    const key = "extract(epoch FROM (r.created)::timestamptz)";
    expect(compiled?.select.text).toContain(
      `(${key} > $4::numeric OR (${key} = $4::numeric AND r.id > $3::text) OR ${key} IS NULL)`,
    );
    expect(compiled?.select.values).toEqual(["t", "User", "u9", "1700000000.5", 3]);
  });

  it("declines sorting by the membership relation", () => {
    expect(
      compileListQuery(
        { tenant: "t", sort: { path: sortPath("members", "Group"), order: "ascending" } },
        groups,
      ),
    ).toBeUndefined();
  });
});
