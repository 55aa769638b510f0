import { describe, expectTypeOf, it } from "vitest";
import type { EnterpriseUser, ScimGroup, ScimUser } from "../src/schema/infer-resource";

describe("inferred resource types", () => {
  it("types User attributes from the schema data", () => {
    expectTypeOf<ScimUser["userName"]>().toEqualTypeOf<string>();
    expectTypeOf<ScimUser["active"]>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<ScimUser["id"]>().toEqualTypeOf<string>();
    expectTypeOf<NonNullable<ScimUser["emails"]>[number]["primary"]>().toEqualTypeOf<
      boolean | undefined
    >();
    expectTypeOf<NonNullable<ScimUser["name"]>["givenName"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<NonNullable<EnterpriseUser["manager"]>["value"]>().toEqualTypeOf<
      string | undefined
    >();
  });
  it("types Group members and the required displayName", () => {
    expectTypeOf<ScimGroup["displayName"]>().toEqualTypeOf<string>();
    expectTypeOf<NonNullable<ScimGroup["members"]>[number]["value"]>().toEqualTypeOf<
      string | undefined
    >();
  });
});
