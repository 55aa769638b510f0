import { describe, expect, it } from "vitest";
import { createSchemaRegistry } from "../src/schema/create-schema-registry";
import { attribute, complex, defineSchema } from "../src/schema/define-schema";
import type { ResourceTypeDefinition, SchemaDefinition } from "../src/schema/types";
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  USER_SCHEMA,
} from "../src/schema/urns";

const DEVICE_SCHEMA = "urn:example:params:scim:schemas:core:2.0:Device";
const SLACK_SCHEMA = "urn:example:params:scim:schemas:extension:slack:2.0:User";

const deviceSchema = defineSchema({
  id: DEVICE_SCHEMA,
  name: "Device",
  attributes: [
    attribute("serialNumber", "string", { required: true, uniqueness: "server", caseExact: true }),
    complex("owners", [attribute("value", "string")], { multiValued: true }),
  ],
});
const deviceType: ResourceTypeDefinition = {
  id: "Device",
  name: "Device",
  endpoint: "/Devices",
  schema: DEVICE_SCHEMA,
  schemaExtensions: [],
};
const slackSchema = defineSchema({
  id: SLACK_SCHEMA,
  name: "SlackUser",
  attributes: [attribute("workspace", "string")],
});

describe("createSchemaRegistry lookups", () => {
  const registry = createSchemaRegistry();

  it("finds schemas by URN case-insensitively", () => {
    expect(registry.schema(USER_SCHEMA.toUpperCase())?.id).toBe(USER_SCHEMA);
    expect(registry.schema(ENTERPRISE_USER_SCHEMA)?.name).toBe("EnterpriseUser");
    expect(registry.schema("urn:nope")).toBeUndefined();
    expect(registry.schemas().map((schema) => schema.id)).toEqual([
      USER_SCHEMA,
      GROUP_SCHEMA,
      ENTERPRISE_USER_SCHEMA,
    ]);
  });

  it("finds resource types by id, name and endpoint in any case", () => {
    expect(registry.resourceType("user")?.id).toBe("User");
    expect(registry.resourceTypeByEndpoint("/Users")?.id).toBe("User");
    expect(registry.resourceTypeByEndpoint("groups")?.id).toBe("Group");
    expect(registry.resourceTypeByEndpoint("/GROUPS/")?.id).toBe("Group");
    expect(registry.resourceTypeByEndpoint("/Schemas")).toBeUndefined();
  });

  it("resolves the built-in resource schemas once, with membership attributes declared", () => {
    const user = registry.resourceSchema("User");
    expect(registry.resourceSchema("user")).toBe(user);
    expect(user.core.id).toBe(USER_SCHEMA);
    expect(user.extensions.map(({ schema, required }) => [schema.id, required])).toEqual([
      [ENTERPRISE_USER_SCHEMA, false],
    ]);
    expect(user.resourceType.memberOfAttribute).toBe("groups");
    expect(registry.resourceSchema("Group").resourceType.membersAttribute).toBe("members");
    expect(() => registry.resourceSchema("Device")).toThrow(TypeError);
  });

  it("renders /Schemas representations with schemas and meta.resourceType", () => {
    const representation = registry.schemaRepresentation(
      "URN:ietf:params:scim:schemas:core:2.0:group",
    );
    expect(representation).toMatchObject({
      schemas: [SCHEMA_SCHEMA],
      id: GROUP_SCHEMA,
      name: "Group",
      meta: { resourceType: "Schema" },
    });
    expect(representation?.attributes).toEqual(registry.schema(GROUP_SCHEMA)?.attributes);
    expect(registry.schemaRepresentations()).toHaveLength(3);
    expect(registry.schemaRepresentation("urn:nope")).toBeUndefined();
  });

  it("renders /ResourceTypes without scimkit-only fields, fresh on every call", () => {
    const user = registry.resourceTypeRepresentation("User");
    expect(user).toEqual({
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: "User",
      name: "User",
      description: "User Account",
      endpoint: "/Users",
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: "ResourceType" },
    });
    (user?.schemaExtensions as unknown[]).length = 0;
    expect(registry.resourceTypeRepresentation("user")?.schemaExtensions).toHaveLength(1);
    expect(registry.resourceTypeRepresentations().map((entry) => entry.id)).toEqual([
      "User",
      "Group",
    ]);
    expect(registry.resourceTypeRepresentation("Group")).not.toHaveProperty("membersAttribute");
  });
});

describe("createSchemaRegistry options", () => {
  it("registers custom resource types and extensions of built-in types", () => {
    const registry = createSchemaRegistry({
      schemas: [deviceSchema, slackSchema],
      resourceTypes: [deviceType],
      extensions: [{ resourceType: "user", schema: SLACK_SCHEMA, required: true }],
    });
    expect(registry.resourceTypeByEndpoint("/devices")?.id).toBe("Device");
    expect(registry.resourceSchema("Device").core).toBe(deviceSchema);
    expect(
      registry
        .resourceSchema("User")
        .extensions.map(({ schema, required }) => [schema.id, required]),
    ).toEqual([
      [ENTERPRISE_USER_SCHEMA, false],
      [SLACK_SCHEMA, true],
    ]);
    // Options never leak into the built-ins of another registry.
    expect(createSchemaRegistry().resourceSchema("User").extensions).toHaveLength(1);
  });

  const rejects = (options: Parameters<typeof createSchemaRegistry>[0], message: RegExp) =>
    expect(() => createSchemaRegistry(options)).toThrow(message);

  it("rejects a resource type whose schema is not registered", () => {
    rejects({ resourceTypes: [deviceType] }, /schema urn:example:.*Device is not registered/);
  });

  it("rejects an extension schema that is not registered", () => {
    rejects(
      { extensions: [{ resourceType: "User", schema: SLACK_SCHEMA }] },
      /extension schema .*slack.* is not registered/,
    );
    rejects(
      { schemas: [slackSchema], extensions: [{ resourceType: "Printer", schema: SLACK_SCHEMA }] },
      /unknown resource type "Printer"/,
    );
  });

  it("rejects duplicate endpoints, ids and schema URNs", () => {
    rejects(
      { schemas: [deviceSchema], resourceTypes: [{ ...deviceType, endpoint: "/users" }] },
      /share the endpoint/,
    );
    rejects(
      { schemas: [deviceSchema], resourceTypes: [{ ...deviceType, id: "group", name: "Box" }] },
      /registered twice/,
    );
    rejects({ schemas: [{ ...slackSchema, id: USER_SCHEMA.toLowerCase() }] }, /registered twice/);
    rejects(
      { schemas: [deviceSchema], resourceTypes: [{ ...deviceType, endpoint: "/Bulk" }] },
      /reserved/,
    );
  });

  it("rejects bad attribute definitions with the attribute named", () => {
    const withAttribute = (definition: unknown): SchemaDefinition =>
      ({ ...slackSchema, attributes: [definition] }) as SchemaDefinition;
    rejects(
      { schemas: [withAttribute({ ...attribute("seat", "string"), type: "text" })] },
      /attribute "seat": type must be one of/,
    );
    rejects(
      { schemas: [withAttribute({ ...attribute("seat", "string"), mutability: undefined })] },
      /attribute "seat": mutability/,
    );
    rejects(
      { schemas: [withAttribute({ ...attribute("team", "string"), type: "complex" })] },
      /attribute "team": a complex attribute needs subAttributes/,
    );
    rejects({ schemas: [withAttribute(attribute("has space", "string"))] }, /invalid name/);
    rejects(
      {
        schemas: [
          {
            ...slackSchema,
            attributes: [attribute("seat", "string"), attribute("SEAT", "integer")],
          },
        ],
      },
      /declared twice/,
    );
    rejects({ schemas: [{ ...slackSchema, id: "not a urn" }] }, /must be a URI/);
  });

  it("rejects a core schema that redeclares a common attribute", () => {
    rejects(
      {
        schemas: [{ ...deviceSchema, attributes: [attribute("id", "string")] }],
        resourceTypes: [deviceType],
      },
      /may not declare "id"/,
    );
  });

  it("rejects a membersAttribute that is not a multi-valued complex attribute", () => {
    rejects(
      {
        schemas: [deviceSchema],
        resourceTypes: [{ ...deviceType, membersAttribute: "serialNumber" }],
      },
      /membersAttribute "serialNumber"/,
    );
    expect(() =>
      createSchemaRegistry({
        schemas: [deviceSchema],
        resourceTypes: [{ ...deviceType, membersAttribute: "owners" }],
      }),
    ).not.toThrow();
  });
});
