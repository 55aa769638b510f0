import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ComparisonOperator, FilterNode } from "../src/filter/ast";
import { parseFilter, parsePatchPath } from "../src/filter/parser";
import { printFilter } from "../src/filter/printer";
import type { AttributePath } from "../src/path/ast";

const OPERATORS: ComparisonOperator[] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];

// "not" is reserved: at the start of an expression it always opens `not (...)`.
const name = fc.oneof(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,7}$/).filter((text) => text.toLowerCase() !== "not"),
  fc.constant("$ref"),
);
const urn = fc.oneof(
  fc.constant("urn:ietf:params:scim:schemas:core:2.0:User"),
  fc.constant("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
  fc.stringMatching(/^urn:[a-z0-9]{1,5}(:[A-Za-z0-9.-]{1,5}){0,3}$/),
);
const attributePath: fc.Arbitrary<AttributePath> = fc
  .record({ schema: urn, attribute: name, subAttribute: name }, { requiredKeys: ["attribute"] })
  .map((path) => ({ kind: "AttributePath", ...path }));

const value = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: "grapheme-ascii", maxLength: 12 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((number) => (number === 0 ? 0 : number)),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);

function filterArbitrary(allowValuePath: boolean): fc.Arbitrary<FilterNode> {
  return fc.letrec<{ node: FilterNode }>((tie) => ({
    node: fc.oneof<fc.Arbitrary<FilterNode>[]>(
      { depthSize: "small", withCrossShrink: true },
      fc.record({
        kind: fc.constant("Comparison" as const),
        path: attributePath,
        operator: fc.constantFrom(...OPERATORS),
        value,
      }),
      fc.record({ kind: fc.constant("Present" as const), path: attributePath }),
      fc.record({
        kind: fc.constant("Logical" as const),
        operator: fc.constantFrom("and" as const, "or" as const),
        left: tie("node"),
        right: tie("node"),
      }),
      fc.record({ kind: fc.constant("Not" as const), filter: tie("node") }),
      ...(allowValuePath
        ? [
            fc.record({
              kind: fc.constant("ValuePath" as const),
              path: attributePath,
              filter: filterArbitrary(false),
            }),
          ]
        : []),
    ),
  })).node;
}

describe("filter properties", () => {
  it("parse(print(ast)) deep-equals ast", () => {
    fc.assert(
      fc.property(filterArbitrary(true), (ast) => {
        const text = printFilter(ast);
        const result = parseFilter(text, { strict: true, maxLength: 1_000_000 });
        expect(result).toEqual({ ok: true, value: ast });
      }),
      { numRuns: 1500 },
    );
  });

  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.boolean(), (text, strict) => {
        const result = parseFilter(text, { strict });
        expect(typeof result.ok).toBe("boolean");
        if (!result.ok) expect(result.error.status).toBe(400);
        expect(typeof parsePatchPath(text).ok).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
  });

  const token = fc.constantFrom(
    "(",
    ")",
    "[",
    "]",
    "not",
    "NOT",
    "and",
    "or",
    "Or",
    "eq",
    "pr",
    "gt",
    "userName",
    "emails",
    "name.givenName",
    ".value",
    "urn:ietf:params:scim:schemas:core:2.0:User:userName",
    '"x"',
    '"a\\"b"',
    '"\\u00e9"',
    '"\\',
    '"',
    "12",
    "-1.5e3",
    "1e999",
    "true",
    "False",
    "null",
    "bare",
    "$ref",
    ":",
    ".",
    "\\",
  );

  it("never throws on token soups, and what parses round-trips through print", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(token, fc.constantFrom("", " ", "  ", "\t")), { maxLength: 30 }),
        fc.boolean(),
        (parts, strict) => {
          const text = parts.map(([part, separator]) => part + separator).join("");
          const result = parseFilter(text, { strict });
          if (result.ok) {
            expect(parseFilter(printFilter(result.value))).toStrictEqual(result);
          } else {
            expect(result.error).toMatchObject({ status: 400, scimType: "invalidFilter" });
            expect(result.error.position).toBeGreaterThanOrEqual(0);
            expect(result.error.position).toBeLessThanOrEqual(text.length);
          }
          const patchPath = parsePatchPath(text);
          if (!patchPath.ok)
            expect(["invalidPath", "invalidFilter"]).toContain(patchPath.error.scimType);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
