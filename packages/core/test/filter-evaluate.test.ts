import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BoundFilter } from "../src/filter/ast";
import { bindFilter } from "../src/filter/bind-filter";
import { compareValues } from "../src/filter/compare-values";
import { compileFilter, evaluateFilter, readValues } from "../src/filter/compile-filter";
import { parseFilter } from "../src/filter/parser";
import { printFilter } from "../src/filter/printer";
import { createSchemaRegistry } from "../src/schema/create-schema-registry";
import { resolvePath } from "../src/schema/resolve-path";
import type { AttributeDefinition, ScimObject } from "../src/schema/types";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const registry = createSchemaRegistry();
const users = registry.resourceSchema("User");
const groups = registry.resourceSchema("Group");

const dataset: Record<string, ScimObject> = {
  bjensen: {
    id: "2819c223",
    userName: "bjensen",
    name: { familyName: "Jensen", givenName: "Barbara" },
    title: "Tour Guide",
    userType: "Employee",
    active: true,
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
    emails: [
      { value: "bjensen@example.com", type: "work", primary: true },
      { value: "babs@jensen.org", type: "home" },
    ],
    meta: { lastModified: "2011-05-13T04:42:34.000Z" },
    [ENTERPRISE]: { employeeNumber: "701984", manager: { value: "26118915" } },
  },
  jsmith: {
    id: "c8a1f1e0",
    userName: "JSmith",
    name: { familyName: "O'Malley" },
    userType: "Intern",
    active: false,
    emails: [{ value: "jsmith@example.org", type: "work" }],
    ims: [{ value: "js@foo.com", type: "xmpp" }],
    meta: { lastModified: "2011-05-13T04:42:35.000Z" },
  },
  adoe: {
    id: "a7d2",
    userName: "adoe",
    title: "",
    userType: "Employee",
    active: "True",
    emails: [{ value: "adoe@example.com", type: "home" }],
    // The same instant as bjensen's, written with an offset.
    meta: { lastModified: "2011-05-13T06:42:34+02:00" },
  },
  jdoe: {
    id: "d0e",
    userName: "jdoe",
    title: "Boss",
    userType: "Contractor",
    emails: [{ value: "jdoe@EXAMPLE.COM", type: "WORK" }],
    meta: { lastModified: "2010-01-01T00:00:00Z" },
  },
  mmuster: { id: "m1", userName: "mmuster", emails: [], meta: {} },
};

function bound(text: string, strict = false, schema = users): BoundFilter {
  const parsed = parseFilter(text, { strict });
  if (!parsed.ok) throw new Error(parsed.error.detail);
  const result = bindFilter(parsed.value, schema, { strict });
  if (!result.ok) throw new Error(result.error.detail);
  return result.value;
}

function matching(text: string): string[] {
  const predicate = compileFilter(bound(text));
  return Object.entries(dataset)
    .filter(([, user]) => predicate(user))
    .map(([key]) => key);
}

function bindFailure(text: string, strict = false) {
  const parsed = parseFilter(text);
  if (!parsed.ok) throw new Error(parsed.error.detail);
  const result = bindFilter(parsed.value, users, { strict });
  if (result.ok) throw new Error(`expected ${text} to fail binding`);
  return result.error;
}

describe("RFC 7644 §3.4.2.2 examples over a known dataset", () => {
  it.each([
    ['userName eq "bjensen"', ["bjensen"]],
    [`name.familyName co "O'Malley"`, ["jsmith"]],
    ['userName sw "J"', ["jsmith", "jdoe"]],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', ["jsmith", "jdoe"]],
    ["title pr", ["bjensen", "jdoe"]],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', ["jsmith"]],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', ["bjensen", "jsmith", "adoe"]],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', ["jdoe"]],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', ["bjensen", "adoe", "jdoe"]],
    ['title pr and userType eq "Employee"', ["bjensen"]],
    ['title pr or userType eq "Intern"', ["bjensen", "jsmith", "jdoe"]],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      ["bjensen", "adoe"],
    ],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      ["mmuster"],
    ],
    ['userType eq "Employee" and (emails.type eq "work")', ["bjensen"]],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', ["bjensen"]],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      ["bjensen", "jsmith", "jdoe"],
    ],
    [`schemas eq "${ENTERPRISE}"`, ["bjensen"]],
    [`schemas eq "${ENTERPRISE.toUpperCase()}"`, ["bjensen"]],
  ])("%s", (text, expected) => {
    expect(matching(text)).toEqual(expected);
  });
});

describe("evaluation semantics", () => {
  it("requires one element to satisfy a whole value filter", () => {
    expect(matching('emails[type eq "work" and value co "@jensen.org"]')).toEqual([]);
    expect(matching('emails.type eq "work" and emails.value co "@jensen.org"')).toEqual([
      "bjensen",
    ]);
    expect(matching('emails[type eq "home" and value co "@jensen.org"]')).toEqual(["bjensen"]);
    expect(matching('emails[not (type eq "work")]')).toEqual(["bjensen", "adoe"]);
  });

  it("honours caseExact: userName folds case, id and externalId do not", () => {
    expect(matching('userName eq "JSMITH"')).toEqual(["jsmith"]);
    expect(matching('id eq "2819C223"')).toEqual([]);
    expect(matching('id eq "2819c223"')).toEqual(["bjensen"]);
    expect(matching('userName ew "DOE"')).toEqual(["adoe", "jdoe"]);
    expect(matching('userName gt "j"')).toEqual(["jsmith", "jdoe", "mmuster"]);
  });

  it("treats ne as not eq, including absent attributes", () => {
    expect(matching('title ne "Boss"')).toEqual(["bjensen", "jsmith", "adoe", "mmuster"]);
    expect(matching('emails.type ne "work"')).toEqual(["adoe", "mmuster"]);
  });

  it("compares with null as absence", () => {
    expect(matching("title eq null")).toEqual(["jsmith", "adoe", "mmuster"]);
    expect(matching("title ne null")).toEqual(["bjensen", "jdoe"]);
  });

  it("reads pr as false for missing, empty string, empty array and empty object", () => {
    expect(matching("emails pr")).toEqual(["bjensen", "jsmith", "adoe", "jdoe"]);
    expect(matching("meta pr")).toEqual(["bjensen", "jsmith", "adoe", "jdoe"]);
    expect(matching("name pr")).toEqual(["bjensen", "jsmith"]);
  });

  it("compares booleans, accepting Entra's string forms on either side", () => {
    expect(matching("active eq true")).toEqual(["bjensen", "adoe"]);
    expect(matching('active eq "False"')).toEqual(["jsmith"]);
    expect(matching("active ne true")).toEqual(["jsmith", "jdoe", "mmuster"]);
    expect(matching('emails[primary eq "True"].value eq "bjensen@example.com"')).toEqual([
      "bjensen",
    ]);
  });

  it("reads extension attributes under their URN, with or without the prefix", () => {
    expect(matching(`${ENTERPRISE}:employeeNumber eq "701984"`)).toEqual(["bjensen"]);
    expect(matching("employeeNumber eq 701984")).toEqual(["bjensen"]);
    expect(matching(`${ENTERPRISE}:manager eq "26118915"`)).toEqual(["bjensen"]);
    expect(matching(`${ENTERPRISE}:manager.value pr`)).toEqual(["bjensen"]);
  });

  it("matches groups by member id through members.value", () => {
    const group = { displayName: "Admins", members: [{ value: "2819c223" }, { value: "d0e" }] };
    expect(evaluateFilter(bound('members eq "d0e"', false, groups), group)).toBe(true);
    expect(evaluateFilter(bound('members[value eq "x"]', false, groups), group)).toBe(false);
    expect(evaluateFilter(bound('displayName eq "admins"', false, groups), group)).toBe(true);
  });

  it("never matches stored values of the wrong JSON type", () => {
    const odd = { userName: 42, title: ["a", "b"], meta: { lastModified: "yesterday" } };
    expect(evaluateFilter(bound('userName eq "42"'), odd)).toBe(false);
    expect(evaluateFilter(bound('title eq "b"'), odd)).toBe(true);
    expect(evaluateFilter(bound('meta.lastModified lt "2030-01-01T00:00:00Z"'), odd)).toBe(false);
  });

  it("evaluates a 900-term or chain without deep recursion", () => {
    const text = Array.from({ length: 900 }, (_, index) => `userName eq "u${index}"`).join(" or ");
    const parsed = parseFilter(text, { maxLength: 100_000 });
    if (!parsed.ok) throw parsed.error;
    const result = bindFilter(parsed.value, users);
    if (!result.ok) throw result.error;
    expect(evaluateFilter(result.value, { userName: "U899" })).toBe(true);
    expect(evaluateFilter(result.value, { userName: "u900" })).toBe(false);
  });
});

describe("bindFilter", () => {
  it("canonicalises names and binds complex comparisons to .value", () => {
    expect(printFilter(bound('USERNAME eq "x" and Emails co "y" and EMAILS[TYPE eq "work"]'))).toBe(
      'userName eq "x" and emails.value co "y" and emails[type eq "work"]',
    );
    const filter = bound('emails[type eq "work"]');
    expect(filter).toMatchObject({
      kind: "ValuePath",
      path: { attribute: "emails", isCore: true },
      filter: { path: { attribute: "emails", subAttribute: "type", isCore: true } },
    });
  });

  it("types literals per attribute, leniently unless strict", () => {
    expect(bound('active eq "TRUE"')).toMatchObject({ value: true });
    expect(bound("externalId eq 12345")).toMatchObject({ value: "12345" });
    expect(bound('meta.lastModified gt "2011-05-13T06:42:34+02:00"')).toMatchObject({
      value: "2011-05-13T04:42:34.000Z",
    });
    expect(bindFailure('active eq "yes"')).toMatchObject({
      scimType: "invalidFilter",
      code: "filter.value_type",
      detail: '"yes" is not a valid boolean value for "active"',
    });
    expect(bindFailure('active eq "true"', true).code).toBe("filter.value_type");
    expect(bindFailure("externalId eq 12345", true).code).toBe("filter.value_type");
    expect(bindFailure('meta.lastModified gt "2011-02-30T00:00:00Z"').code).toBe(
      "filter.value_type",
    );
  });

  it.each([
    ['nickname2 eq "x"', "filter.unknown_attribute", 'unknown attribute "nickname2" in filter'],
    ['name.nope eq "x"', "filter.unknown_attribute", 'unknown attribute "name.nope" in filter'],
    [
      'emails[nope eq "x"]',
      "filter.unknown_attribute",
      'unknown attribute "emails[nope]" in filter',
    ],
    [
      'userName[value eq "x"]',
      "filter.not_complex",
      '"userName" is not a complex attribute, so it cannot carry a value filter in brackets',
    ],
    [
      'name eq "x"',
      "filter.no_value_subattribute",
      '"name" is complex and has no "value" sub-attribute; compare one of its sub-attributes instead',
    ],
    [
      "active gt true",
      "filter.operator_not_supported",
      'operator "gt" is not supported for "active" (type boolean)',
    ],
    [
      'meta.lastModified co "2011"',
      "filter.operator_not_supported",
      'operator "co" is not supported for "meta.lastModified" (type dateTime)',
    ],
    [
      "title gt null",
      "filter.operator_not_supported",
      'operator "gt" is not supported for "title" (type string, compared with null)',
    ],
  ])("declines %s with 400 invalidFilter", (text, code, detail) => {
    expect(bindFailure(text)).toMatchObject({
      status: 400,
      scimType: "invalidFilter",
      code,
      detail,
    });
  });
});

describe("readValues and compareValues", () => {
  const path = (text: string) => {
    const [attribute, subAttribute] = text.split(".") as [string, string | undefined];
    const result = resolvePath(users, {
      kind: "AttributePath",
      attribute,
      ...(subAttribute ? { subAttribute } : {}),
    });
    if (!result.ok) throw result.error;
    return result.value;
  };

  it("flattens multi-valued attributes and drops absent values", () => {
    expect(readValues(dataset.bjensen!, path("emails.type"))).toEqual(["work", "home"]);
    expect(readValues(dataset.bjensen!, path("userName"))).toEqual(["bjensen"]);
    expect(readValues(dataset.mmuster!, path("emails.value"))).toEqual([]);
    expect(readValues(dataset.jsmith!, path("title"))).toEqual([]);
  });

  const definition = (
    type: AttributeDefinition["type"],
    caseExact = false,
  ): AttributeDefinition => ({
    name: "x",
    type,
    caseExact,
    multiValued: false,
    required: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
  });

  it("orders by type, caseExact-aware, with unusable values last", () => {
    const sort = (values: unknown[], type: AttributeDefinition["type"], caseExact = false) =>
      [...values].sort((a, b) => compareValues(a, b, definition(type, caseExact)));
    expect(sort(["b", "C", "a", undefined], "string")).toEqual(["a", "b", "C", undefined]);
    expect(sort(["b", "C", "a"], "string", true)).toEqual(["C", "a", "b"]);
    expect(sort([10, 9, "8", null], "integer")).toEqual(["8", 9, 10, null]);
    expect(sort([true, false], "boolean")).toEqual([false, true]);
    expect(
      sort(
        ["2011-05-13T06:42:35+02:00", "2011-05-13T04:42:34.000Z", "2010-01-01T00:00:00Z"],
        "dateTime",
      ),
    ).toEqual(["2010-01-01T00:00:00Z", "2011-05-13T04:42:34.000Z", "2011-05-13T06:42:35+02:00"]);
    expect(compareValues("A", "a", definition("string"))).toBe(0);
  });
});

describe("case-insensitive equality", () => {
  const predicate = (operand: string) =>
    compileFilter(bound(`userName eq ${JSON.stringify(operand)}`));
  it.each([
    ["ALICE@Example.COM", "alice@example.com", true],
    ["alice@example.com", "alicf@example.com", false],
    ["Ärger", "äRGER", true],
    ["İstanbul", "i̇stanbul", true],
    ["i̇stanbul", "İSTANBUL", true],
    ["\u212Aelvin", "kelvin", true],
    ["a[b]", "A[B]", true],
    ["a@b", "a`b", false],
  ])("%s eq %s is %s", (operand, stored, expected) => {
    expect(predicate(operand)({ userName: stored })).toBe(expected);
    expect(predicate(operand)({ userName: stored })).toBe(
      operand.toLowerCase() === stored.toLowerCase(),
    );
  });

  it("agrees with toLowerCase for arbitrary strings", () => {
    const alphabet = fc.constantFrom(
      "a",
      "A",
      "z",
      "Z",
      "@",
      "`",
      "[",
      "İ",
      "i",
      "\u0307",
      "Σ",
      "σ",
      "ς",
      "\u212A",
      "k",
      "ß",
      "Ä",
    );
    const text = fc.array(alphabet, { maxLength: 6 }).map((chars) => chars.join(""));
    fc.assert(
      fc.property(text, text, (operand, stored) => {
        expect(predicate(operand)({ userName: stored })).toBe(
          operand.toLowerCase() === stored.toLowerCase(),
        );
      }),
      { numRuns: 3000 },
    );
  });
});
