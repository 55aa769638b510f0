import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeComponent,
  decodePath,
  decodeTolerantly,
  MAX_QUERY_PARAMETERS,
  parseQuery,
} from "../src/parse-query";

describe("parseQuery", () => {
  it("decodes Entra's `+` spaces and raw quotes", () => {
    expect(parseQuery('/Users?filter=externalId+eq+"4045ea11-7c3d"')).toEqual({
      filter: 'externalId eq "4045ea11-7c3d"',
    });
  });

  it("decodes Okta's percent-encoded filter", () => {
    expect(
      parseQuery("/Users?filter=userName%20eq%20%22a%2Bb%40example.com%22&startIndex=1&count=100"),
    ).toEqual({ filter: 'userName eq "a+b@example.com"', startIndex: "1", count: "100" });
  });

  it("keeps the first value of a repeated key", () => {
    expect(parseQuery("/Users?count=1&count=2")).toEqual({ count: "1" });
  });

  it("gives flags without `=` an empty value and skips empty keys", () => {
    expect(parseQuery("/Users?aadOptscim062020&=x&&a=")).toEqual({ aadOptscim062020: "", a: "" });
  });

  it("leaves malformed percent sequences as they are", () => {
    expect(parseQuery("/?filter=displayName+eq+%22100%25+%zz%22%")).toEqual({
      filter: 'displayName eq "100% %zz"%',
    });
  });

  it("decodes multi-byte UTF-8 and replaces invalid bytes", () => {
    expect(parseQuery("/?a=J%C3%BCrgen&b=%FF")).toEqual({ a: "Jürgen", b: "\uFFFD" });
  });

  it("keeps only the part before a fragment and nothing without a query", () => {
    expect(parseQuery("/Users?a=1#b=2")).toEqual({ a: "1" });
    expect(parseQuery("/Users")).toEqual({});
  });

  it("cannot reach the prototype with a __proto__ key", () => {
    const query = parseQuery("/?__proto__=x&constructor=y");
    expect(Object.getPrototypeOf(query)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(query, "__proto__")?.value).toBe("x");
    expect(query.constructor).toBe("y");
  });

  it("ignores parameters beyond the limit", () => {
    const target = `/?${Array.from({ length: MAX_QUERY_PARAMETERS + 5 }, (_, i) => `k${i}=v`).join("&")}`;
    expect(Object.keys(parseQuery(target))).toHaveLength(MAX_QUERY_PARAMETERS);
  });
});

function encodeURIComponentSafely(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

describe("decodeComponent", () => {
  it("inverts encodeURIComponent for any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(decodeComponent(encodeURIComponent(text), false)).toBe(text);
        expect(decodeComponent(encodeURIComponent(text), true)).toBe(text);
      }),
    );
  });

  it("answers what the tolerant decoder answers, on valid and broken percent runs alike", () => {
    const piece = fc.oneof(
      fc.constantFrom("%", "%2", "%zz", "%E2%82", "%E2%82%AC", "%C0%AF", "%ED%A0%80", "%FF", "%41"),
      fc.string({ unit: "binary", maxLength: 3 }).map(encodeURIComponentSafely),
      fc.string({ maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (pieces) => {
        const text = pieces.join("");
        expect(decodeComponent(text, false)).toBe(decodeTolerantly(text));
      }),
    );
  });

  it("never throws and is the identity on text without % or +", () => {
    const piece = fc.constantFrom("%", "%2", "%zz", "%E2%82", "+", '"', "a", "%41", "é");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join("");
        const decoded = decodeComponent(text, true);
        expect(typeof decoded).toBe("string");
        if (!/[%+]/.test(text)) expect(decoded).toBe(text);
      }),
    );
  });
});

describe("decodePath", () => {
  it("decodes each segment and keeps `+`", () => {
    expect(decodePath("/Users/a%20b+c?x=1")).toBe("/Users/a b+c");
    expect(decodePath("/Schemas/urn%3Aietf%3Aparams%3Ascim%3Aschemas%3Acore%3A2.0%3AUser")).toBe(
      "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
    );
  });

  it("tolerates malformed sequences and always starts with /", () => {
    expect(decodePath("/Users/%zz%")).toBe("/Users/%zz%");
    expect(decodePath("")).toBe("/");
    expect(decodePath("?a=1")).toBe("/");
  });
});
