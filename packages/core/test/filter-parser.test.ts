import { describe, expect, it } from "vitest";
import type { FilterNode } from "../src/filter/ast";
import { parseFilter, parsePatchPath } from "../src/filter/parser";
import { printFilter } from "../src/filter/printer";

const path = (attribute: string, subAttribute?: string, schema?: string) => ({
  kind: "AttributePath" as const,
  ...(schema === undefined ? {} : { schema }),
  attribute,
  ...(subAttribute === undefined ? {} : { subAttribute }),
});

function parsed(text: string, options?: Parameters<typeof parseFilter>[1]): FilterNode {
  const result = parseFilter(text, options);
  if (!result.ok) throw new Error(`unexpected error: ${result.error.detail}`);
  return result.value;
}

function failure(text: string, options?: Parameters<typeof parseFilter>[1]) {
  const result = parseFilter(text, options);
  if (result.ok) throw new Error(`expected an error for ${text}`);
  return result.error;
}

// Every filter example of RFC 7644 §3.4.2.2, with its canonical printed form.
const RFC_EXAMPLES = [
  'userName eq "bjensen"',
  `name.familyName co "O'Malley"`,
  'userName sw "J"',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
  "title pr",
  'meta.lastModified gt "2011-05-13T04:42:34Z"',
  'meta.lastModified ge "2011-05-13T04:42:34Z"',
  'meta.lastModified lt "2011-05-13T04:42:34Z"',
  'meta.lastModified le "2011-05-13T04:42:34Z"',
  'title pr and userType eq "Employee"',
  'title pr or userType eq "Intern"',
  'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
  'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
  'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
  'userType eq "Employee" and emails.type eq "work"',
  'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
  'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
];

describe("parseFilter", () => {
  it.each(RFC_EXAMPLES)("parses and prints the RFC example %s", (text) => {
    expect(printFilter(parsed(text))).toBe(text);
  });

  it('drops redundant parentheses of the RFC example (emails.type eq "work")', () => {
    expect(parsed('userType eq "Employee" and (emails.type eq "work")')).toEqual(
      parsed('userType eq "Employee" and emails.type eq "work"'),
    );
  });

  it("builds comparison, presence and URN paths", () => {
    expect(parsed('userName eq "bjensen"')).toStrictEqual({
      kind: "Comparison",
      path: path("userName"),
      operator: "eq",
      value: "bjensen",
    });
    const urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    expect(parsed(`${urn}:manager.value pr`)).toStrictEqual({
      kind: "Present",
      path: path("manager", "value", urn),
    });
  });

  it("binds and tighter than or, not tightest, and associates left", () => {
    const a = { kind: "Present", path: path("a") };
    const b = { kind: "Present", path: path("b") };
    const c = { kind: "Present", path: path("c") };
    expect(parsed("a pr or b pr and c pr")).toStrictEqual({
      kind: "Logical",
      operator: "or",
      left: a,
      right: { kind: "Logical", operator: "and", left: b, right: c },
    });
    expect(parsed("a pr and b pr or c pr")).toStrictEqual({
      kind: "Logical",
      operator: "or",
      left: { kind: "Logical", operator: "and", left: a, right: b },
      right: c,
    });
    expect(parsed("(a pr or b pr) and c pr")).toStrictEqual({
      kind: "Logical",
      operator: "and",
      left: { kind: "Logical", operator: "or", left: a, right: b },
      right: c,
    });
    expect(parsed("a pr or b pr or c pr")).toStrictEqual({
      kind: "Logical",
      operator: "or",
      left: { kind: "Logical", operator: "or", left: a, right: b },
      right: c,
    });
    expect(parsed("not (a pr) and b pr")).toStrictEqual({
      kind: "Logical",
      operator: "and",
      left: { kind: "Not", filter: a },
      right: b,
    });
  });

  it("reads operators, keywords and literals case-insensitively", () => {
    expect(parsed('userName EQ "x" AND active Eq True OR NOT (title Pr) or x eq NULL')).toEqual(
      parsed('userName eq "x" and active eq true or not (title pr) or x eq null'),
    );
    expect(parsed("active eq FALSE")).toMatchObject({ value: false });
  });

  it("decodes JSON strings and numbers", () => {
    expect(parsed('x eq "a\\"b\\\\c\\/d\\u00e9\\n\\t"')).toMatchObject({ value: 'a"b\\c/dé\n\t' });
    expect(parsed('x eq ""')).toMatchObject({ value: "" });
    expect(parsed("x gt -12.5e2")).toMatchObject({ value: -1250 });
    expect(parsed("x eq 0")).toMatchObject({ value: 0 });
    expect(parsed('x eq "a b(c)[d]"')).toMatchObject({ value: "a b(c)[d]" });
  });

  it("parses value paths with nested logic and relative inner paths", () => {
    expect(parsed('emails[type eq "work" and not (value co "@x.com")]')).toStrictEqual({
      kind: "ValuePath",
      path: path("emails"),
      filter: {
        kind: "Logical",
        operator: "and",
        left: { kind: "Comparison", path: path("type"), operator: "eq", value: "work" },
        right: {
          kind: "Not",
          filter: { kind: "Comparison", path: path("value"), operator: "co", value: "@x.com" },
        },
      },
    });
  });

  describe("lenient forms", () => {
    it("reads unquoted values as strings (Entra docs, MS Postman)", () => {
      expect(parsed("externalId eq jyoung")).toMatchObject({ value: "jyoung" });
      expect(parsed("userName sw O")).toMatchObject({ operator: "sw", value: "O" });
      expect(parsed("externalId eq 2819c223-7f76-453a")).toMatchObject({
        value: "2819c223-7f76-453a",
      });
      expect(parsed("userName eq john.doe@example.com and active eq true")).toMatchObject({
        left: { value: "john.doe@example.com" },
        right: { value: true },
      });
    });

    it("rewrites Entra's value path followed by a sub-attribute comparison", () => {
      expect(parsed('emails[primary eq True].value eq "x@example.com"')).toStrictEqual(
        parsed('emails[primary eq true and value eq "x@example.com"]'),
      );
      expect(printFilter(parsed('emails[type eq "work"].value pr'))).toBe(
        'emails[type eq "work" and value pr]',
      );
    });

    it("rejects both in strict mode with positioned errors", () => {
      expect(failure("externalId eq jyoung", { strict: true })).toMatchObject({
        scimType: "invalidFilter",
        code: "filter.unquoted_value",
        position: 14,
        detail:
          'expected quoted string, number, true, false or null, found "jyoung" at position 14',
      });
      expect(failure('emails[primary eq true].value eq "x"', { strict: true })).toMatchObject({
        code: "filter.value_path_subattribute",
        position: 23,
      });
      expect(parsed("active eq True", { strict: true })).toMatchObject({ value: true });
    });
  });

  it.each([
    [
      "",
      0,
      "filter.expected",
      'expected attribute path, "(" or "not", found end of input at position 0',
    ],
    [
      "userName",
      8,
      "filter.expected",
      'expected comparison operator or "pr", found end of input at position 8',
    ],
    [
      'userName equals "x"',
      9,
      "filter.expected",
      'expected comparison operator or "pr", found "equals" at position 9',
    ],
    ["userName eq", 11, "filter.expected", "expected value, found end of input at position 11"],
    [
      'userName eq "x" "y"',
      16,
      "filter.expected",
      'expected "and", "or" or end of filter, found string "y" at position 16',
    ],
    [
      '(userName eq "x"',
      16,
      "filter.expected",
      'expected "and", "or" or ")", found end of input at position 16',
    ],
    [
      'userName eq "x")',
      15,
      "filter.expected",
      'expected "and", "or" or end of filter, found ")" at position 15',
    ],
    [
      'emails[type eq "work"',
      21,
      "filter.expected",
      'expected "and", "or" or "]", found end of input at position 21',
    ],
    [
      'emails[type eq "a" and x[y pr]]',
      24,
      "filter.expected",
      'expected comparison operator or "pr", found "[" at position 24',
    ],
    ['not userName eq "x"', 4, "filter.expected", 'expected "(", found "userName" at position 4'],
    [
      'userName eq "x" and',
      19,
      "filter.expected",
      'expected attribute path, "(" or "not", found end of input at position 19',
    ],
    ['1abc eq "x"', 0, "filter.expected", 'expected attribute name, found "1" at position 0'],
    [
      'name.given.x eq "x"',
      10,
      "filter.expected",
      'expected end of path, found "." at position 10',
    ],
    [
      'userName eq "x',
      12,
      "filter.unterminated_string",
      "expected closing quote, found end of input for the string starting at position 12",
    ],
    [
      'userName eq "a\\qb"',
      14,
      "filter.invalid_escape",
      'expected JSON escape sequence, found "\\\\q" at position 14',
    ],
    [
      'userName eq "\\u12"',
      13,
      "filter.invalid_escape",
      'expected JSON escape sequence, found "\\\\u12\\"" at position 13',
    ],
    [
      "x eq 1e999",
      5,
      "filter.number_out_of_range",
      'expected finite number, found "1e999" at position 5',
    ],
  ])("rejects %j at %i", (text, position, code, detail) => {
    expect(failure(text)).toMatchObject({
      status: 400,
      scimType: "invalidFilter",
      code,
      position,
      detail,
    });
  });

  it("enforces the length limit before lexing", () => {
    expect(failure("a pr or ".repeat(2000))).toMatchObject({
      code: "filter.too_long",
      detail: "filter is 16000 characters long; the limit is 8192",
    });
    expect(parseFilter("a pr", { maxLength: 3 }).ok).toBe(false);
  });

  it("declines 10 000 nested parentheses quickly instead of overflowing the stack", () => {
    const text = `${"(".repeat(10_000)}a pr${")".repeat(10_000)}`;
    const started = performance.now();
    const error = failure(text, { maxLength: 100_000 });
    expect(performance.now() - started).toBeLessThan(100);
    expect(error).toMatchObject({
      code: "filter.too_deep",
      position: 64,
      detail: "filter nests deeper than 64 levels at position 64",
    });
    expect(failure(`${"not (".repeat(5)}a pr${")".repeat(5)}`, { maxDepth: 4 }).code).toBe(
      "filter.too_deep",
    );
    expect(parseFilter(`${"(".repeat(64)}a pr${")".repeat(64)}`).ok).toBe(true);
  });

  it("handles a long flat chain without deep recursion in printing", () => {
    const text = Array.from({ length: 20_000 }, (_, index) => `a${index} pr`).join(" or ");
    expect(printFilter(parsed(text, { maxLength: 1_000_000 }))).toBe(text);
  });

  it("never throws for non-string input from untyped callers", () => {
    expect(parseFilter(undefined as unknown as string).ok).toBe(false);
  });
});

describe("parsePatchPath", () => {
  it.each([
    ["members", { kind: "PatchPath", path: path("members") }],
    ["name.familyName", { kind: "PatchPath", path: path("name", "familyName") }],
    [
      'emails[type eq "work"]',
      {
        kind: "PatchPath",
        path: path("emails"),
        filter: { kind: "Comparison", path: path("type"), operator: "eq", value: "work" },
      },
    ],
    [
      ' addresses[type eq "work"].streetAddress ',
      {
        kind: "PatchPath",
        path: path("addresses"),
        filter: { kind: "Comparison", path: path("type"), operator: "eq", value: "work" },
        subAttribute: "streetAddress",
      },
    ],
    [
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
      {
        kind: "PatchPath",
        path: path(
          "manager",
          undefined,
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ),
      },
    ],
  ])("parses %s", (text, expected) => {
    expect(parsePatchPath(text)).toStrictEqual({ ok: true, value: expected });
  });

  it.each([
    ["", "invalidPath", 0, "expected attribute path, found end of input at position 0"],
    ["members value", "invalidPath", 8, 'expected "[" or end of path, found "value" at position 8'],
    [
      'emails[type eq "work"]x',
      "invalidPath",
      22,
      'expected "." or end of path, found "x" at position 22',
    ],
    [
      'emails[type eq "work"].value.x',
      "invalidPath",
      28,
      'expected end of path, found "." at position 28',
    ],
    [
      'emails[type eq "work"].value x',
      "invalidPath",
      29,
      'expected end of path, found "x" at position 29',
    ],
    ["emails[type eq]", "invalidFilter", 14, 'expected value, found "]" at position 14'],
    [
      'emails[type eq "work"',
      "invalidFilter",
      21,
      'expected "and", "or" or "]", found end of input at position 21',
    ],
  ])("rejects %j with %s at %i", (text, scimType, position, detail) => {
    const result = parsePatchPath(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ status: 400, scimType, position, detail });
  });
});
