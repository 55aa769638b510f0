import { describe, expect, it } from "vitest";
import { parseListQuery } from "../src/query/parse-list-query";
import { needsMembers, type Projection, projectResource } from "../src/query/project-resource";
import { createSchemaRegistry } from "../src/schema/create-schema-registry";
import { attribute, complex } from "../src/schema/define-schema";
import type { ResourceSchema, ScimObject } from "../src/schema/types";

const registry = createSchemaRegistry();
const USER = registry.resourceSchema("User");
const GROUP = registry.resourceSchema("Group");
const USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

function projection(schema: ResourceSchema, params: Record<string, string>): Projection {
  const result = parseListQuery({ kind: "query", params }, schema);
  if (!result.ok) throw result.error;
  return result.value.projection;
}

const user = (): ScimObject => ({
  schemas: [USER_URN, ENTERPRISE],
  id: "u1",
  externalId: "e1",
  meta: { resourceType: "User", version: 'W/"1"' },
  userName: "bjensen",
  password: "secret",
  name: { givenName: "Barbara", familyName: "Jensen" },
  emails: [{ value: "b@example.com", type: "work", primary: true }],
  [ENTERPRISE]: { employeeNumber: "42", manager: { value: "m1", displayName: "Boss" } },
});

const project = (params: Record<string, string>, resource = user()) =>
  projectResource(resource, USER, projection(USER, params));

describe("projectResource", () => {
  it("returns default attributes, never password, and does not modify the input", () => {
    const input = user();
    const { password: _password, ...expected } = user();
    expect(projectResource(input, USER)).toEqual(expected);
    expect(input).toEqual(user());
  });

  it("never returns password, even when asked", () => {
    expect(project({ attributes: "password,userName" })).not.toHaveProperty("password");
  });

  it("attributes returns only those plus id and schemas", () => {
    expect(project({ attributes: "userName" })).toEqual({
      schemas: [USER_URN, ENTERPRISE],
      id: "u1",
      userName: "bjensen",
    });
  });

  it("attributes=name.givenName returns name with only givenName", () => {
    expect(project({ attributes: "name.givenName" })).toEqual({
      schemas: [USER_URN, ENTERPRISE],
      id: "u1",
      name: { givenName: "Barbara" },
    });
  });

  it("id cannot be excluded", () => {
    const projected = project({ excludedAttributes: "id,userName,emails" });
    expect(projected.id).toBe("u1");
    expect(projected).not.toHaveProperty("userName");
    expect(projected).not.toHaveProperty("emails");
    expect(projected.name).toEqual({ givenName: "Barbara", familyName: "Jensen" });
  });

  it("excluding a sub-attribute keeps the rest of the attribute", () => {
    expect(project({ excludedAttributes: "name.givenName" }).name).toEqual({
      familyName: "Jensen",
    });
  });

  it("projects extension attributes under their URN", () => {
    expect(project({ attributes: `${ENTERPRISE}:employeeNumber` })).toEqual({
      schemas: [USER_URN, ENTERPRISE],
      id: "u1",
      [ENTERPRISE]: { employeeNumber: "42" },
    });
    expect(project({ attributes: `${ENTERPRISE}:manager.value` })[ENTERPRISE]).toEqual({
      manager: { value: "m1" },
    });
    expect(project({ attributes: ENTERPRISE })[ENTERPRISE]).toEqual(user()[ENTERPRISE]);
    expect(project({ excludedAttributes: ENTERPRISE })).not.toHaveProperty(ENTERPRISE);
    expect(project({ excludedAttributes: `${ENTERPRISE}:employeeNumber` })[ENTERPRISE]).toEqual({
      manager: { value: "m1", displayName: "Boss" },
    });
  });

  it("omits an attribute whose named sub-attributes are all absent", () => {
    const resource = { ...user(), name: { familyName: "Jensen" } };
    expect(project({ attributes: "name.givenName" }, resource)).not.toHaveProperty("name");
  });

  it("returns `request` attributes only when named", () => {
    const schema: ResourceSchema = {
      ...USER,
      core: {
        ...USER.core,
        attributes: [
          ...USER.core.attributes,
          attribute("badge", "string", { returned: "request" }),
          complex("device", [
            attribute("serial", "string", { returned: "request" }),
            attribute("model", "string"),
          ]),
        ],
      },
    };
    const resource = { ...user(), badge: "B-1", device: { serial: "S", model: "M" } };
    const defaults = projectResource(resource, schema);
    expect(defaults).not.toHaveProperty("badge");
    expect(defaults.device).toEqual({ model: "M" });
    const asked = projectResource(
      resource,
      schema,
      projection(schema, { attributes: "badge,device.serial" }),
    );
    expect(asked.badge).toBe("B-1");
    expect(asked.device).toEqual({ serial: "S" });
    expect(
      projectResource(resource, schema, projection(schema, { attributes: USER_URN })),
    ).not.toHaveProperty("badge");
  });
});

describe("needsMembers", () => {
  it("is true by default and when members are asked for", () => {
    expect(needsMembers(GROUP, undefined)).toBe(true);
    expect(needsMembers(GROUP, projection(GROUP, { attributes: "members" }))).toBe(true);
    expect(needsMembers(GROUP, projection(GROUP, { attributes: "members.value" }))).toBe(true);
    expect(needsMembers(GROUP, projection(GROUP, { excludedAttributes: "members.display" }))).toBe(
      true,
    );
  });

  it("is false for excludedAttributes=members and attributes=id,displayName (Entra)", () => {
    expect(needsMembers(GROUP, projection(GROUP, { excludedAttributes: "members" }))).toBe(false);
    expect(needsMembers(GROUP, projection(GROUP, { attributes: "id,displayName" }))).toBe(false);
  });

  it("is false for resource types without a membership relation", () => {
    expect(needsMembers(USER, undefined)).toBe(false);
  });
});
