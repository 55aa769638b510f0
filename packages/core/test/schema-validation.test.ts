import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSchemaRegistry } from "../src/schema/create-schema-registry";
import { attribute, defineSchema } from "../src/schema/define-schema";
import { enterpriseUserSchema } from "../src/schema/enterprise-user-schema";
import { findAttribute } from "../src/schema/resolve-path";
import type { ScimObject } from "../src/schema/types";
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from "../src/schema/urns";
import { userSchema } from "../src/schema/user-schema";
import { validateAttributeValue, validateResource } from "../src/schema/validate-resource";

const registry = createSchemaRegistry({
  schemas: [
    defineSchema({
      id: "urn:example:scim:Device",
      name: "Device",
      attributes: [
        attribute("name", "string", { required: true }),
        attribute("ports", "integer"),
        attribute("weight", "decimal"),
        attribute("installed", "dateTime"),
        attribute("tags", "string", { multiValued: true }),
      ],
    }),
  ],
  resourceTypes: [
    {
      id: "Device",
      name: "Device",
      endpoint: "/Devices",
      schema: "urn:example:scim:Device",
      schemaExtensions: [],
    },
  ],
});
const user = registry.resourceSchema("User");
const group = registry.resourceSchema("Group");
const device = registry.resourceSchema("Device");

const valid = (result: ReturnType<typeof validateResource>): ScimObject => {
  if (!result.ok) throw new Error(`expected success, got: ${result.error.detail}`);
  return result.value;
};
const invalid = (result: ReturnType<typeof validateResource>) => {
  if (result.ok) throw new Error(`expected failure, got: ${JSON.stringify(result.value)}`);
  return {
    status: result.error.status,
    scimType: result.error.scimType,
    detail: result.error.detail,
    code: result.error.code,
  };
};

/** The create body of Microsoft's Entra SCIM documentation (research §4.1). */
const entraCreateUser = {
  schemas: [
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  ],
  externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
  userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com",
  active: true,
  emails: [{ primary: true, type: "work", value: "Test_User_fd0ea19b@testuser.com" }],
  meta: { resourceType: "User" },
  name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
  roles: [],
};

/** The older Entra create body: explicit nulls and a malformed enterprise URN. */
const entraCreateUserWithNulls = {
  schemas: [
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0User",
  ],
  externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
  userName: "Test_User_00aa00aa@testuser.com",
  active: true,
  addresses: null,
  displayName: null,
  title: null,
  preferredLanguage: null,
  emails: [{ primary: true, type: "work", value: "Test_User_00aa00aa@testuser.com" }],
  meta: { resourceType: "User" },
  name: { familyName: "familyName", givenName: "givenName", formatted: null },
  roles: [],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
    department: null,
    employeeNumber: null,
    manager: null,
  },
};

describe("validateResource: what IdPs send", () => {
  it("accepts the Entra create body and returns the canonical resource", () => {
    expect(valid(validateResource(user, entraCreateUser))).toEqual({
      schemas: [USER_SCHEMA],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@testuser.com",
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
      active: true,
      emails: [{ value: "Test_User_fd0ea19b@testuser.com", type: "work", primary: true }],
    });
    // Strict accepts it too: every listed URN is known and meta is read-only.
    expect(validateResource(user, entraCreateUser, { strict: true }).ok).toBe(true);
  });

  it("treats Entra's nulls and [] as unassigned and ignores the malformed URN", () => {
    expect(valid(validateResource(user, entraCreateUserWithNulls))).toEqual({
      schemas: [USER_SCHEMA],
      externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
      userName: "Test_User_00aa00aa@testuser.com",
      name: { familyName: "familyName", givenName: "givenName" },
      active: true,
      emails: [{ value: "Test_User_00aa00aa@testuser.com", type: "work", primary: true }],
    });
    expect(invalid(validateResource(user, entraCreateUserWithNulls, { strict: true }))).toEqual({
      status: 400,
      scimType: "invalidValue",
      code: "schema.unknown_schema",
      detail:
        'Attribute "schemas" lists "urn:ietf:params:scim:schemas:extension:enterprise:2.0User", which is not a schema of this resource type.',
    });
  });

  it("ignores Entra's Microsoft group URN unless strict", () => {
    const body = {
      schemas: [
        GROUP_SCHEMA,
        "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
      ],
      externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
      displayName: "Group1DisplayName",
      meta: { resourceType: "Group" },
    };
    expect(valid(validateResource(group, body))).toEqual({
      schemas: [GROUP_SCHEMA],
      externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
      displayName: "Group1DisplayName",
    });
    expect(invalid(validateResource(group, body, { strict: true })).code).toBe(
      "schema.unknown_schema",
    );
  });

  it('coerces "True"/"false" strings in any case to booleans (Entra, OneLogin templates)', () => {
    const result = valid(
      validateResource(user, {
        userName: "bjensen",
        active: "False",
        emails: [{ value: "b@example.com", primary: "TRUE" }],
      }),
    );
    expect(result.active).toBe(false);
    expect(result.emails).toEqual([{ value: "b@example.com", primary: true }]);
    expect(invalid(validateResource(user, { userName: "b", active: "yes" })).detail).toBe(
      'Attribute "active" must be a boolean (true or false, or the strings "true"/"false").',
    );
  });

  it("accepts a OneLogin template body: string active, SCIM 1.1 URN, null id", () => {
    const body = {
      schemas: ["urn:scim:schemas:core:1.0"],
      id: null,
      userName: "jdoe@example.com",
      active: "true",
      name: { givenName: "Jane", familyName: "Doe" },
    };
    expect(valid(validateResource(user, body))).toEqual({
      schemas: [USER_SCHEMA],
      userName: "jdoe@example.com",
      name: { givenName: "Jane", familyName: "Doe" },
      active: true,
    });
  });

  it("wraps Entra's bare-string manager into { value }", () => {
    const result = valid(
      validateResource(user, {
        userName: "bjensen",
        [ENTERPRISE_USER_SCHEMA]: { manager: "26118915-6090-4610-87a4-49d0767cd5f9" },
      }),
    );
    expect(result).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: "bjensen",
      [ENTERPRISE_USER_SCHEMA]: { manager: { value: "26118915-6090-4610-87a4-49d0767cd5f9" } },
    });
  });

  it("resolves attribute names, sub-attribute names and extension URNs case-insensitively", () => {
    const result = valid(
      validateResource(user, {
        UserName: "bjensen",
        NAME: { GivenName: "Barbara" },
        Emails: [{ VALUE: "b@example.com", Type: "WORK", Primary: true }],
        [ENTERPRISE_USER_SCHEMA.toLowerCase()]: { EmployeeNumber: "701984" },
        EXTERNALID: "x-1",
      }),
    );
    expect(result).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      externalId: "x-1",
      userName: "bjensen",
      name: { givenName: "Barbara" },
      emails: [{ value: "b@example.com", type: "work", primary: true }],
      [ENTERPRISE_USER_SCHEMA]: { employeeNumber: "701984" },
    });
  });

  it("accepts URN-qualified top-level keys for core and extension attributes", () => {
    const result = valid(
      validateResource(user, {
        [`${USER_SCHEMA}:userName`]: "bjensen",
        [`${ENTERPRISE_USER_SCHEMA}:department`]: "Sales",
        [ENTERPRISE_USER_SCHEMA]: { costCenter: "4130" },
      }),
    );
    expect(result.userName).toBe("bjensen");
    expect(result[ENTERPRISE_USER_SCHEMA]).toEqual({ costCenter: "4130", department: "Sales" });
  });

  it("drops read-only attributes from input (id, meta, groups, manager.displayName)", () => {
    const result = valid(
      validateResource(user, {
        id: "client-chosen",
        meta: { created: "2020-01-01T00:00:00Z" },
        userName: "bjensen",
        groups: [{ value: "g1" }],
        [ENTERPRISE_USER_SCHEMA]: { manager: { value: "m1", displayName: "Boss" } },
      }),
    );
    expect(result).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: "bjensen",
      [ENTERPRISE_USER_SCHEMA]: { manager: { value: "m1" } },
    });
  });

  it("accepts Entra/Okta group members with a null $ref and a display", () => {
    const result = valid(
      validateResource(group, {
        displayName: "Admins",
        members: [
          { $ref: null, value: "u1", display: "User One" },
          { value: "g2", type: "group" },
        ],
      }),
    );
    expect(result.members).toEqual([
      { value: "u1", display: "User One" },
      { value: "g2", type: "Group" },
    ]);
  });

  it("keeps a password (write-only) on input", () => {
    expect(valid(validateResource(user, { userName: "b", password: "s3cret" })).password).toBe(
      "s3cret",
    );
  });
});

describe("validateResource: strict versus lenient", () => {
  it("drops unknown attributes when lenient and names them when strict", () => {
    const body = { schemas: [USER_SCHEMA], userName: "b", favouriteColour: "blue" };
    expect(valid(validateResource(user, body))).toEqual({ schemas: [USER_SCHEMA], userName: "b" });
    expect(invalid(validateResource(user, body, { strict: true }))).toMatchObject({
      scimType: "invalidValue",
      code: "schema.unknown_attribute",
      detail: 'Attribute "favouriteColour" is not an attribute of this resource type.',
    });
    const nested = { schemas: [USER_SCHEMA], userName: "b", name: { nick: "B" } };
    expect(invalid(validateResource(user, nested, { strict: true })).detail).toBe(
      'Attribute "name.nick" is not an attribute of this resource type.',
    );
  });

  it("drops data under an unknown URN when lenient and rejects it when strict", () => {
    const body = { schemas: [USER_SCHEMA], userName: "b", "urn:example:other:2.0:User": { x: 1 } };
    expect(valid(validateResource(user, body))).toEqual({ schemas: [USER_SCHEMA], userName: "b" });
    expect(invalid(validateResource(user, body, { strict: true })).code).toBe(
      "schema.unknown_attribute",
    );
  });

  it("returns canonical casing of canonical values; strict rejects unlisted ones", () => {
    const body = {
      schemas: [USER_SCHEMA],
      userName: "b",
      emails: [
        { value: "b@example.com", type: "Home" },
        { value: "c@example.com", type: "pager" },
      ],
    };
    expect(valid(validateResource(user, body)).emails).toEqual([
      { value: "b@example.com", type: "home" },
      { value: "c@example.com", type: "pager" },
    ]);
    expect(invalid(validateResource(user, body, { strict: true }))).toMatchObject({
      code: "schema.canonical_value",
      detail:
        'Attribute "emails[1].type" has the value "pager", which is not one of "work", "home", "other".',
    });
  });

  it("keeps the first primary when lenient and rejects several when strict", () => {
    const body = {
      schemas: [USER_SCHEMA],
      userName: "b",
      emails: [
        { value: "a@example.com", primary: false },
        { value: "b@example.com", primary: true },
        { value: "c@example.com", primary: "True" },
      ],
    };
    expect(valid(validateResource(user, body)).emails).toEqual([
      { value: "a@example.com", primary: false },
      { value: "b@example.com", primary: true },
      { value: "c@example.com", primary: false },
    ]);
    expect(invalid(validateResource(user, body, { strict: true }))).toMatchObject({
      code: "schema.primary",
      detail: 'Attribute "emails" has more than one value with "primary": true.',
    });
  });

  it("wraps a single complex value of a multi-valued attribute when lenient only", () => {
    const body = { schemas: [USER_SCHEMA], userName: "b", emails: { value: "b@example.com" } };
    expect(valid(validateResource(user, body)).emails).toEqual([{ value: "b@example.com" }]);
    expect(invalid(validateResource(user, body, { strict: true })).detail).toBe(
      'Attribute "emails" is multi-valued and must be an array.',
    );
  });

  it("strict requires schemas to list the core URN and every extension with data", () => {
    expect(invalid(validateResource(user, { userName: "b" }, { strict: true })).detail).toBe(
      'Attribute "schemas" must be an array of schema URN strings.',
    );
    expect(
      invalid(
        validateResource(
          user,
          { schemas: [ENTERPRISE_USER_SCHEMA], userName: "b" },
          { strict: true },
        ),
      ).detail,
    ).toBe(`Attribute "schemas" must list the core schema ${USER_SCHEMA}.`);
    const unlisted = {
      schemas: [USER_SCHEMA],
      userName: "b",
      [ENTERPRISE_USER_SCHEMA]: { department: "Sales" },
    };
    expect(invalid(validateResource(user, unlisted, { strict: true })).detail).toBe(
      `Attribute "${ENTERPRISE_USER_SCHEMA}" carries data but is not listed in "schemas".`,
    );
  });
});

describe("validateResource: types, required attributes and bounds", () => {
  it("rejects a body that is not a JSON object with invalidSyntax", () => {
    for (const body of [null, [], "user", 42, undefined]) {
      expect(invalid(validateResource(user, body))).toMatchObject({
        status: 400,
        scimType: "invalidSyntax",
      });
    }
  });

  it("requires userName and Group displayName; null and empty count as missing", () => {
    expect(invalid(validateResource(user, { name: { givenName: "B" } }))).toEqual({
      status: 400,
      scimType: "invalidValue",
      code: "schema.required",
      detail: 'Attribute "userName" is required.',
    });
    expect(invalid(validateResource(user, { userName: null })).code).toBe("schema.required");
    expect(invalid(validateResource(user, { userName: "" })).detail).toBe(
      'Attribute "userName" must not be empty.',
    );
    expect(invalid(validateResource(group, { members: [] })).detail).toBe(
      'Attribute "displayName" is required.',
    );
  });

  it("names the attribute path of a type error, including index and extension URN", () => {
    expect(
      invalid(validateResource(user, { userName: "b", emails: [{ value: "a" }, { value: 7 }] }))
        .detail,
    ).toBe('Attribute "emails[1].value" must be a string.');
    expect(
      invalid(
        validateResource(user, {
          userName: "b",
          [ENTERPRISE_USER_SCHEMA]: { manager: { value: 3 } },
        }),
      ).detail,
    ).toBe(`Attribute "${ENTERPRISE_USER_SCHEMA}:manager.value" must be a string.`);
    expect(invalid(validateResource(user, { userName: "b", name: "Barbara" })).detail).toBe(
      'Attribute "name" must be an object.',
    );
  });

  it("coerces numeric strings for integer and decimal attributes and checks wholeness", () => {
    expect(valid(validateResource(device, { name: "d", ports: "24", weight: " 1.5e1 " }))).toEqual({
      schemas: ["urn:example:scim:Device"],
      name: "d",
      ports: 24,
      weight: 15,
    });
    expect(invalid(validateResource(device, { name: "d", ports: 2.5 })).detail).toBe(
      'Attribute "ports" must be a whole number.',
    );
    expect(invalid(validateResource(device, { name: "d", ports: "2.5" })).detail).toBe(
      'Attribute "ports" must be an integer.',
    );
    expect(invalid(validateResource(device, { name: "d", weight: "heavy" })).detail).toBe(
      'Attribute "weight" must be a decimal number.',
    );
  });

  it("accepts xsd:dateTime values and rejects impossible ones", () => {
    for (const installed of [
      "2024-02-29T23:59:59Z",
      "2015-09-17T10:04:00.123+02:00",
      "2024-01-01T00:00:00",
    ]) {
      expect(valid(validateResource(device, { name: "d", installed })).installed).toBe(installed);
    }
    for (const installed of [
      "2023-02-29T00:00:00Z",
      "2024-13-01T00:00:00Z",
      "2024-01-01",
      "yesterday",
      "2024-01-01T24:00:00Z",
    ]) {
      expect(invalid(validateResource(device, { name: "d", installed })).code).toBe(
        "schema.invalid_type",
      );
    }
  });

  it("rejects strings over 64 KiB (counted in UTF-8 bytes)", () => {
    const limit = 65_536;
    expect(validateResource(user, { userName: "a".repeat(limit) }).ok).toBe(true);
    expect(invalid(validateResource(user, { userName: "a".repeat(limit + 1) })).code).toBe(
      "schema.too_long",
    );
    // 22 000 euro signs are 66 000 bytes in UTF-8 but only 22 000 UTF-16 units.
    expect(invalid(validateResource(user, { userName: "€".repeat(22_000) })).code).toBe(
      "schema.too_long",
    );
  });

  it("rejects multi-valued attributes over 100 000 values", () => {
    const tags = Array.from({ length: 100_001 }, (_, index) => `t${index}`);
    expect(invalid(validateResource(device, { name: "d", tags }))).toMatchObject({
      code: "schema.too_many_values",
      detail: 'Attribute "tags" has more than the limit of 100000 values.',
    });
  });

  it("ignores __proto__ and constructor keys without touching prototypes", () => {
    const body = JSON.parse('{"userName":"b","__proto__":{"polluted":true},"constructor":1}');
    const result = valid(validateResource(user, body));
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(result).toEqual({ schemas: [USER_SCHEMA], userName: "b" });
  });

  it("never throws for any JSON input, and every failure is a 400", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (input, strict) => {
        const result = validateResource(user, input, { strict });
        if (result.ok) expect(result.value.schemas).toContain(USER_SCHEMA);
        else expect(result.error.status).toBe(400);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws for objects shaped like users with arbitrary values", () => {
    const names = [
      "userName",
      "USERNAME",
      "emails",
      "name",
      "active",
      "groups",
      "id",
      "meta",
      "schemas",
      ENTERPRISE_USER_SCHEMA,
      "x509Certificates",
      "addresses",
      "__proto__",
    ];
    const shaped = fc.dictionary(fc.constantFrom(...names), fc.jsonValue({ maxDepth: 3 }));
    fc.assert(
      fc.property(shaped, fc.boolean(), (input, strict) => {
        const result = validateResource(user, input, { strict });
        expect(result.ok || result.error.status === 400).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("validateAttributeValue", () => {
  const definition = (schema: typeof userSchema | typeof enterpriseUserSchema, name: string) => {
    const found = findAttribute(schema.attributes, name);
    if (found === undefined) throw new Error(name);
    return found;
  };

  it("applies the same coercions to one attribute value", () => {
    expect(validateAttributeValue(definition(userSchema, "active"), "False")).toEqual({
      ok: true,
      value: false,
    });
    expect(validateAttributeValue(definition(enterpriseUserSchema, "manager"), "m-1")).toEqual({
      ok: true,
      value: { value: "m-1" },
    });
    expect(
      validateAttributeValue(definition(userSchema, "emails"), [{ Value: "a@b", TYPE: "Work" }]),
    ).toEqual({ ok: true, value: [{ value: "a@b", type: "work" }] });
  });

  it("unwraps Entra's one-element array for a single-valued complex attribute (lenient only)", () => {
    const manager = definition(enterpriseUserSchema, "manager");
    const entraValue = [{ $ref: null, value: "m-1" }];
    expect(validateAttributeValue(manager, entraValue)).toEqual({
      ok: true,
      value: { value: "m-1" },
    });
    expect(validateAttributeValue(manager, entraValue, { strict: true }).ok).toBe(false);
    expect(validateAttributeValue(manager, [{ value: "a" }, { value: "b" }]).ok).toBe(false);
  });

  it("treats null and [] as unassigned", () => {
    expect(validateAttributeValue(definition(userSchema, "emails"), [])).toEqual({
      ok: true,
      value: undefined,
    });
    expect(validateAttributeValue(definition(userSchema, "title"), null)).toEqual({
      ok: true,
      value: undefined,
    });
  });

  it("validates one element of a multi-valued attribute on request", () => {
    expect(
      validateAttributeValue(
        definition(userSchema, "emails"),
        { value: "a@b" },
        {
          element: true,
          strict: true,
        },
      ),
    ).toEqual({ ok: true, value: { value: "a@b" } });
  });

  it("names the given path in errors", () => {
    const value = findAttribute(definition(userSchema, "emails").subAttributes, "value");
    if (value === undefined) throw new Error("emails.value");
    const result = validateAttributeValue(value, 1, { path: 'emails[type eq "work"].value' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.scimType).toBe("invalidValue");
      expect(result.error.detail).toBe(
        'Attribute "emails[type eq "work"].value" must be a string.',
      );
    }
  });
});
