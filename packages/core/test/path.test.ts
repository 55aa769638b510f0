import { describe, expect, it } from "vitest";
import { MAX_ATTRIBUTE_PATH_LENGTH, parseAttributePath } from "../src/path/parse-attribute-path";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

describe("parseAttributePath", () => {
  it.each([
    ["userName", { kind: "AttributePath", attribute: "userName" }],
    ["name.givenName", { kind: "AttributePath", attribute: "name", subAttribute: "givenName" }],
    [
      `${ENTERPRISE}:manager.value`,
      { kind: "AttributePath", schema: ENTERPRISE, attribute: "manager", subAttribute: "value" },
    ],
    [
      "urn:ietf:params:scim:schemas:core:2.0:User:userName",
      {
        kind: "AttributePath",
        schema: "urn:ietf:params:scim:schemas:core:2.0:User",
        attribute: "userName",
      },
    ],
    ["members.$ref", { kind: "AttributePath", attribute: "members", subAttribute: "$ref" }],
    ["USERNAME", { kind: "AttributePath", attribute: "USERNAME" }],
    ["x-y_z9", { kind: "AttributePath", attribute: "x-y_z9" }],
    ["  emails.type \t", { kind: "AttributePath", attribute: "emails", subAttribute: "type" }],
  ])("parses %s", (text, expected) => {
    expect(parseAttributePath(text)).toStrictEqual({ ok: true, value: expected });
  });

  it.each([
    ["", 0, "expected attribute name, found end of input at position 0"],
    ["1userName", 0, 'expected attribute name, found "1" at position 0'],
    ["name.", 5, "expected sub-attribute name, found end of input at position 5"],
    ["name.givenName.x", 14, 'expected end of path, found "." at position 14'],
    ["user name", 4, 'expected "." or end of path, found " " at position 4'],
    [":userName", 0, 'expected schema URN, found ":" at position 0'],
    [
      `${ENTERPRISE}:`,
      ENTERPRISE.length + 1,
      `expected attribute name, found end of input at position ${ENTERPRISE.length + 1}`,
    ],
    ["urn:a b:name", 5, 'expected schema URN character, found " " at position 5'],
    ['emails[type eq "work"]', 6, 'expected "." or end of path, found "[" at position 6'],
    ["$refs", 0, 'expected attribute name, found "$" at position 0'],
  ])("rejects %j at %i", (text, position, detail) => {
    const result = parseAttributePath(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      status: 400,
      scimType: "invalidPath",
      code: "path.expected",
      position,
      detail,
    });
  });

  it("bounds the input length", () => {
    const result = parseAttributePath("a".repeat(MAX_ATTRIBUTE_PATH_LENGTH + 1));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe("path.too_long");
  });
});
