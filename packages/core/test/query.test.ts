import { describe, expect, it } from "vitest";
import type { ScimError } from "../src/errors";
import { listResponse } from "../src/query/list-response";
import {
  type ListQuery,
  type ListQueryOptions,
  parseListQuery,
  parseProjection,
} from "../src/query/parse-list-query";
import { createSchemaRegistry } from "../src/schema/create-schema-registry";

const USER = createSchemaRegistry().resourceSchema("User");
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

function query(params: Record<string, string>, options?: ListQueryOptions): ListQuery {
  const result = parseListQuery({ kind: "query", params }, USER, options);
  if (!result.ok) throw result.error;
  return result.value;
}

function queryError(params: Record<string, string>, options?: ListQueryOptions): ScimError {
  const result = parseListQuery({ kind: "query", params }, USER, options);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

function search(body: unknown, options?: ListQueryOptions) {
  return parseListQuery({ kind: "search", body }, USER, options);
}

describe("parseListQuery: paging", () => {
  it("defaults to index paging from 1 with the maximum page size", () => {
    expect(query({})).toEqual({
      page: { kind: "index", startIndex: 1, count: 200 },
      pagination: "unspecified",
      projection: {},
    });
    expect(query({}, { maxCount: 50, defaultCount: 20 }).page).toEqual({
      kind: "index",
      startIndex: 1,
      count: 20,
    });
  });

  it("clamps startIndex below 1 to 1, negative count to 0 and large count to the maximum", () => {
    expect(query({ startIndex: "0", count: "-3" }).page).toEqual({
      kind: "index",
      startIndex: 1,
      count: 0,
    });
    expect(query({ startIndex: "-7", count: "100000" }, { maxCount: 100 }).page).toEqual({
      kind: "index",
      startIndex: 1,
      count: 100,
    });
    expect(query({ startIndex: "101", count: "100" }).page).toEqual({
      kind: "index",
      startIndex: 101,
      count: 100,
    });
    expect(query({ startIndex: "1" }).pagination).toBe("index");
  });

  it("rejects non-integers with 400 invalidValue", () => {
    for (const params of [{ startIndex: "abc" }, { count: "1.5" }, { count: "10 items" }] as Record<
      string,
      string
    >[]) {
      const error = queryError(params);
      expect(error.scimType).toBe("invalidValue");
      expect(error.code).toBe("query.not_integer");
    }
  });

  it("matches parameter names case-insensitively and ignores unknown ones", () => {
    expect(query({ StartIndex: "3", COUNT: "4", aadOptscim062020: "" }).page).toEqual({
      kind: "index",
      startIndex: 3,
      count: 4,
    });
  });

  it("RFC 9865: an empty cursor asks for the first page", () => {
    expect(query({ cursor: "", count: "10" })).toMatchObject({
      page: { kind: "cursor", count: 10 },
      pagination: "cursor",
    });
    expect(query({ cursor: "" }).page).not.toHaveProperty("cursor");
    expect(query({ cursor: "VZUTiyhEQJ94IR" }).page).toEqual({
      kind: "cursor",
      cursor: "VZUTiyhEQJ94IR",
      count: 200,
    });
  });

  it("RFC 9865 errors: invalidCursor, invalidCount", () => {
    expect(queryError({ cursor: "not a cursor" }).scimType).toBe("invalidCursor");
    expect(queryError({ cursor: "x".repeat(2000) }).scimType).toBe("invalidCursor");
    expect(queryError({ cursor: "", count: "0" }).scimType).toBe("invalidCount");
    expect(queryError({ cursor: "", count: "201" }).scimType).toBe("invalidCount");
    expect(queryError({ cursor: "", count: "ten" }).scimType).toBe("invalidCount");
    expect(queryError({ cursor: "", startIndex: "1" }).scimType).toBe("invalidValue");
  });

  it("ignores cursor when cursor paging is not offered", () => {
    expect(query({ cursor: "abc" }, { cursor: false }).page.kind).toBe("index");
  });
});

describe("parseListQuery: filter and sort", () => {
  it("parses and binds the filter", () => {
    const filter = query({ filter: 'USERNAME eq "bjensen"' }).filter;
    expect(filter).toMatchObject({
      kind: "Comparison",
      operator: "eq",
      value: "bjensen",
      path: { attribute: "userName", isCore: true },
    });
    expect(query({ filter: "  " }).filter).toBeUndefined();
  });

  it("reports filter errors as invalidFilter", () => {
    expect(queryError({ filter: 'userName eq "x' }).scimType).toBe("invalidFilter");
    expect(queryError({ filter: 'shoeSize eq "x"' }).scimType).toBe("invalidFilter");
    expect(queryError({ filter: "x".repeat(100) }, { maxFilterLength: 10 }).scimType).toBe(
      "invalidFilter",
    );
  });

  it("resolves sortBy and sortOrder", () => {
    const sorted = query({ sortBy: "name.familyName", sortOrder: "DESCENDING" }).sort;
    expect(sorted?.order).toBe("descending");
    expect(sorted?.path).toMatchObject({ attribute: "name", subAttribute: "familyName" });
    expect(query({ sortBy: "userName" }).sort?.order).toBe("ascending");
    // A multi-valued complex attribute sorts by its value.
    expect(query({ sortBy: "emails" }).sort?.path).toMatchObject({
      attribute: "emails",
      subAttribute: "value",
    });
    expect(query({ sortBy: `${ENTERPRISE}:employeeNumber` }).sort?.path.isCore).toBe(false);
    expect(query({ sortOrder: "descending" }).sort).toBeUndefined();
  });

  it("rejects unknown or complex sortBy with invalidPath, bad sortOrder with invalidValue", () => {
    expect(queryError({ sortBy: "shoeSize" }).scimType).toBe("invalidPath");
    expect(queryError({ sortBy: "name" }).scimType).toBe("invalidPath");
    expect(queryError({ sortBy: "name[" }).scimType).toBe("invalidPath");
    expect(queryError({ sortBy: "userName", sortOrder: "sideways" }).scimType).toBe("invalidValue");
  });
});

describe("parseListQuery: attributes", () => {
  it("resolves comma-separated, case-insensitive and URN-qualified names", () => {
    const projection = query({
      attributes: `USERNAME, name.givenName,${ENTERPRISE}:employeeNumber,,`,
      excludedAttributes: ENTERPRISE,
    }).projection;
    expect(
      projection.attributes?.map((path) => [
        path.kind,
        path.schema,
        "attribute" in path ? path.attribute : "",
      ]),
    ).toEqual([
      ["ResolvedPath", "urn:ietf:params:scim:schemas:core:2.0:User", "userName"],
      ["ResolvedPath", "urn:ietf:params:scim:schemas:core:2.0:User", "name"],
      ["ResolvedPath", ENTERPRISE, "employeeNumber"],
    ]);
    expect(projection.excludedAttributes).toEqual([
      { kind: "SchemaSelector", schema: ENTERPRISE, isCore: false },
    ]);
  });

  it("ignores unknown names unless strict", () => {
    expect(query({ attributes: "userName,shoeSize" }).projection.attributes).toHaveLength(1);
    expect(queryError({ attributes: "userName,shoeSize" }, { strict: true }).scimType).toBe(
      "invalidValue",
    );
  });

  it("bounds the number of names", () => {
    const many = Array.from({ length: 300 }, () => "userName").join(",");
    expect(queryError({ attributes: many }).code).toBe("query.too_many_attributes");
  });

  it("parseProjection reads only the projection parameters", () => {
    const result = parseProjection(
      { kind: "query", params: { excludedAttributes: "emails" } },
      USER,
    );
    expect(result.ok && result.value.excludedAttributes?.[0]).toMatchObject({
      attribute: "emails",
    });
  });
});

describe("parseListQuery: SearchRequest bodies (RFC 7644 §3.4.3)", () => {
  it("reads arrays, numbers and numeric strings", () => {
    const result = search({
      schemas: [SEARCH],
      attributes: ["displayName", "userName"],
      excludedAttributes: "emails",
      filter: 'displayName sw "smith"',
      startIndex: 1,
      count: "10",
      sortBy: "userName",
    });
    if (!result.ok) throw result.error;
    expect(result.value.page).toEqual({ kind: "index", startIndex: 1, count: 10 });
    expect(result.value.projection.attributes).toHaveLength(2);
    expect(result.value.projection.excludedAttributes).toHaveLength(1);
    expect(result.value.filter?.kind).toBe("Comparison");
  });

  it("RFC 9865 §3: cursor in the body", () => {
    const result = search({ schemas: [SEARCH], cursor: "", count: 10 });
    expect(result.ok && result.value.page).toEqual({ kind: "cursor", count: 10 });
  });

  it("accepts a body without schemas unless strict; rejects a wrong one", () => {
    expect(search({ count: 1 }).ok).toBe(true);
    const strict = search({ count: 1 }, { strict: true });
    expect(strict.ok ? undefined : strict.error.scimType).toBe("invalidSyntax");
    const wrong = search({ schemas: ["urn:x"] });
    expect(wrong.ok ? undefined : wrong.error.code).toBe("query.missing_schema");
  });

  it("rejects bodies and members of the wrong type", () => {
    for (const [body, scimType] of [
      ["text", "invalidSyntax"],
      [[1], "invalidSyntax"],
      [{ filter: 42 }, "invalidValue"],
      [{ attributes: [1] }, "invalidValue"],
      [{ count: true }, "invalidValue"],
      [{ count: 2.5 }, "invalidValue"],
    ] as const) {
      const result = search(body);
      expect(result.ok ? "ok" : result.error.scimType).toBe(scimType);
    }
  });

  it("treats null members as absent", () => {
    const result = search({ filter: null, count: null, sortBy: null });
    expect(result.ok && result.value.page).toEqual({ kind: "index", startIndex: 1, count: 200 });
  });
});

describe("listResponse", () => {
  const resource = { id: "1" };

  it("builds an index-paged ListResponse with integer counts", () => {
    expect(
      listResponse({
        resources: [resource],
        totalResults: 7,
        page: { kind: "index", startIndex: 3, count: 1 },
      }),
    ).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 7,
      itemsPerPage: 1,
      startIndex: 3,
      Resources: [resource],
    });
  });

  it("keeps Resources present when empty", () => {
    const body = listResponse({
      resources: [],
      totalResults: 0,
      page: { kind: "index", startIndex: 1, count: 100 },
    });
    expect(body.Resources).toEqual([]);
    expect(body.itemsPerPage).toBe(0);
  });

  it("carries cursors, no startIndex, and may omit an unknown total under cursor paging", () => {
    const body = listResponse({
      resources: [resource],
      totalResults: undefined,
      page: { kind: "cursor", count: 1 },
      nextCursor: "next",
      previousCursor: "previous",
    });
    expect(body).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      itemsPerPage: 1,
      nextCursor: "next",
      previousCursor: "previous",
      Resources: [resource],
    });
  });
});
