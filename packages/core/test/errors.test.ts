import { describe, expect, it } from "vitest";
import { ScimError } from "../src/errors";

describe("ScimError", () => {
  it("serialises as an RFC 7644 error body with status as a string", () => {
    const error = new ScimError({ status: 409, scimType: "uniqueness", detail: "taken" });
    expect(error.toJSON()).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "409",
      scimType: "uniqueness",
      detail: "taken",
    });
  });

  it("is recognised by its marker, not by class identity", () => {
    const error = new ScimError({ status: 404, detail: "gone" });
    const copy = Object.assign(Object.create(null), error);
    expect(ScimError.is(error)).toBe(true);
    expect(ScimError.is(copy)).toBe(true);
    expect(ScimError.is(new Error("x"))).toBe(false);
    expect(ScimError.is(null)).toBe(false);
  });
});
