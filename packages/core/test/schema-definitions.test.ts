import { describe, expect, it } from "vitest";
import { assertSchemaDefinition } from "../src/schema/assert-schema-definition";
import { COMMON_ATTRIBUTES } from "../src/schema/common-attributes";
import { createSchemaRegistry } from "../src/schema/create-schema-registry";
import { enterpriseUserSchema } from "../src/schema/enterprise-user-schema";
import { groupSchema } from "../src/schema/group-schema";
import { findAttribute, resolvePath } from "../src/schema/resolve-path";
import {
  resourceTypeSchema,
  schemaSchema,
  serviceProviderConfigSchema,
} from "../src/schema/service-provider-schemas";
import type { AttributeDefinition, ResourceSchema } from "../src/schema/types";
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from "../src/schema/urns";
import { userSchema } from "../src/schema/user-schema";

const attributeOf = (
  attributes: readonly AttributeDefinition[],
  path: string,
): AttributeDefinition => {
  const [name = "", sub] = path.split(".");
  const definition = findAttribute(attributes, name);
  const leaf = sub === undefined ? definition : findAttribute(definition?.subAttributes, sub);
  if (leaf === undefined) throw new Error(`no attribute ${path}`);
  return leaf;
};

const characteristics = (definition: AttributeDefinition) => ({
  type: definition.type,
  multiValued: definition.multiValued,
  required: definition.required,
  caseExact: definition.caseExact,
  mutability: definition.mutability,
  returned: definition.returned,
  uniqueness: definition.uniqueness,
});

describe("RFC 7643 §8.7.1 definitions", () => {
  it("userName is required, case-insensitive and unique per server", () => {
    expect(characteristics(attributeOf(userSchema.attributes, "userName"))).toEqual({
      type: "string",
      multiValued: false,
      required: true,
      caseExact: false,
      mutability: "readWrite",
      returned: "default",
      uniqueness: "server",
    });
  });

  it("emails.type has the canonical values work, home, other", () => {
    const emails = attributeOf(userSchema.attributes, "emails");
    expect(emails.multiValued).toBe(true);
    expect(emails.subAttributes?.map((sub) => sub.name)).toEqual([
      "value",
      "display",
      "type",
      "primary",
    ]);
    expect(attributeOf(userSchema.attributes, "emails.type").canonicalValues).toEqual([
      "work",
      "home",
      "other",
    ]);
    expect(attributeOf(userSchema.attributes, "emails.primary").type).toBe("boolean");
  });

  it("password is write-only and never returned", () => {
    expect(characteristics(attributeOf(userSchema.attributes, "password"))).toMatchObject({
      mutability: "writeOnly",
      returned: "never",
    });
  });

  it("groups and all its sub-attributes are read-only", () => {
    const groups = attributeOf(userSchema.attributes, "groups");
    expect(groups.mutability).toBe("readOnly");
    expect(groups.subAttributes?.every((sub) => sub.mutability === "readOnly")).toBe(true);
    expect(attributeOf(userSchema.attributes, "groups.$ref").referenceTypes).toEqual([
      "User",
      "Group",
    ]);
    expect(attributeOf(userSchema.attributes, "groups.type").canonicalValues).toEqual([
      "direct",
      "indirect",
    ]);
  });

  it("Group displayName is required (erratum 5368) and members are immutable", () => {
    expect(attributeOf(groupSchema.attributes, "displayName").required).toBe(true);
    expect(characteristics(attributeOf(groupSchema.attributes, "members.value"))).toMatchObject({
      type: "string",
      mutability: "immutable",
      uniqueness: "none",
    });
    expect(attributeOf(groupSchema.attributes, "members.type").canonicalValues).toEqual([
      "User",
      "Group",
    ]);
    expect(attributeOf(groupSchema.attributes, "members.$ref").referenceTypes).toEqual([
      "User",
      "Group",
    ]);
  });

  it("manager.value is case-exact and manager.displayName read-only", () => {
    expect(attributeOf(enterpriseUserSchema.attributes, "manager.value").caseExact).toBe(true);
    expect(attributeOf(enterpriseUserSchema.attributes, "manager.displayName").mutability).toBe(
      "readOnly",
    );
    expect(attributeOf(enterpriseUserSchema.attributes, "manager.$ref").referenceTypes).toEqual([
      "User",
    ]);
  });

  it("id is read-only, always returned and case-exact; externalId is client-owned", () => {
    expect(characteristics(attributeOf(COMMON_ATTRIBUTES, "id"))).toMatchObject({
      caseExact: true,
      mutability: "readOnly",
      returned: "always",
    });
    expect(characteristics(attributeOf(COMMON_ATTRIBUTES, "externalId"))).toMatchObject({
      caseExact: true,
      mutability: "readWrite",
    });
    expect(attributeOf(COMMON_ATTRIBUTES, "meta.lastModified")).toMatchObject({
      type: "dateTime",
      mutability: "readOnly",
    });
  });

  it("every built-in schema passes the definition check with every characteristic explicit", () => {
    for (const schema of [
      userSchema,
      groupSchema,
      enterpriseUserSchema,
      serviceProviderConfigSchema,
      resourceTypeSchema,
    ]) {
      expect(() => assertSchemaDefinition(schema)).not.toThrow();
    }
    // RFC 7643 §8.7.2 nests the complex `subAttributes` inside `attributes`, the
    // one place the RFC itself breaks §2.3.8; the check rightly refuses it.
    expect(() => assertSchemaDefinition(schemaSchema)).toThrow(/sub-attribute cannot be complex/);
    const all = (attributes: readonly AttributeDefinition[]): AttributeDefinition[] =>
      attributes.flatMap((definition) => [definition, ...all(definition.subAttributes ?? [])]);
    for (const definition of all([...userSchema.attributes, ...groupSchema.attributes])) {
      expect(Object.keys(definition).slice(0, 3)).toEqual(["name", "type", "multiValued"]);
      expect(definition.description).toBeTypeOf("string");
    }
  });
});

describe("resolvePath with common attributes", () => {
  const registry = createSchemaRegistry();
  const user: ResourceSchema = registry.resourceSchema("User");
  const group: ResourceSchema = registry.resourceSchema("Group");

  it.each([
    ["id", undefined, "id"],
    ["EXTERNALID", undefined, "externalId"],
    ["meta", "lastModified", "meta"],
    ["Meta", "CREATED", "meta"],
  ])(
    "resolves %s.%s on every resource type as a core attribute",
    (attribute, subAttribute, canonical) => {
      for (const [resourceSchema, urn] of [
        [user, USER_SCHEMA],
        [group, GROUP_SCHEMA],
      ] as const) {
        const result = resolvePath(resourceSchema, {
          kind: "AttributePath",
          attribute,
          subAttribute,
        });
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.value.schema).toBe(urn);
        expect(result.value.isCore).toBe(true);
        expect(result.value.attribute).toBe(canonical);
      }
    },
  );

  it("resolves a core-URN-prefixed common attribute but not an extension-prefixed one", () => {
    expect(
      resolvePath(user, { kind: "AttributePath", schema: USER_SCHEMA, attribute: "id" }).ok,
    ).toBe(true);
    const result = resolvePath(
      user,
      { kind: "AttributePath", schema: ENTERPRISE_USER_SCHEMA, attribute: "id" },
      "invalidFilter",
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.scimType).toBe("invalidFilter");
  });

  it("canonicalises the sub-attribute of meta", () => {
    const result = resolvePath(user, {
      kind: "AttributePath",
      attribute: "META",
      subAttribute: "lastmodified",
    });
    expect(result.ok && result.value.subAttribute).toBe("lastModified");
  });
});
