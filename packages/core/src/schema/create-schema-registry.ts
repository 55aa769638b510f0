import { assertSchemaDefinition, RESERVED_ATTRIBUTE_NAMES } from "./assert-schema-definition";
import { enterpriseUserSchema } from "./enterprise-user-schema";
import { groupSchema } from "./group-schema";
import { findAttribute } from "./resolve-path";
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from "./resource-types";
import type { ResourceSchema, ResourceTypeDefinition, SchemaDefinition, ScimObject } from "./types";
import { RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA } from "./urns";
import { userSchema } from "./user-schema";

/** Attaches a registered extension schema to a resource type (built-in or custom). */
export interface SchemaExtensionOption {
  /** Resource type id or name, e.g. `User`. */
  readonly resourceType: string;
  /** URN of a schema in `options.schemas` (or a built-in one). */
  readonly schema: string;
  /** Whether every resource of the type must carry the extension. @default false */
  readonly required?: boolean;
}

export interface SchemaRegistryOptions {
  /**
   * Schemas to register besides the built-in User, Group and EnterpriseUser:
   * extension schemas and the core schemas of custom resource types. Build them
   * with `defineSchema`, `attribute` and `complex` so every characteristic is set.
   */
  readonly schemas?: readonly SchemaDefinition[];
  /**
   * Custom resource types besides `User` and `Group`. Their `schema` and
   * `schemaExtensions` must name registered schemas; ids, names and endpoints
   * must not collide (case-insensitively) with each other or the built-ins.
   */
  readonly resourceTypes?: readonly ResourceTypeDefinition[];
  /** Extension schemas to attach to existing resource types, e.g. a custom User extension. */
  readonly extensions?: readonly SchemaExtensionOption[];
}

/**
 * The schemas and resource types one service serves. Lookups are
 * case-insensitive (RFC 7643 §2.1 for URNs; endpoints as IdPs write them).
 * Everything is resolved when the factory runs; lookups never fail loudly except
 * `resourceSchema` for an id that was never registered (a programming error).
 */
export interface SchemaRegistry {
  /** The schema with this URN, or `undefined`. */
  schema(urn: string): SchemaDefinition | undefined;
  /** Every registered schema, built-ins first. */
  schemas(): readonly SchemaDefinition[];
  /** The resource type with this id or name (`User`, `user`), or `undefined`. */
  resourceType(idOrName: string): ResourceTypeDefinition | undefined;
  /** The resource type served at an endpoint (`/Users`, `users`, `/Users/`), or `undefined`. */
  resourceTypeByEndpoint(endpoint: string): ResourceTypeDefinition | undefined;
  /** Every resource type, built-ins first. */
  resourceTypes(): readonly ResourceTypeDefinition[];
  /**
   * The resolved schemas of a resource type (id or name). Returns the same object
   * on every call, so per-schema caches (validation) hit. Throws a `TypeError`
   * when the resource type is not registered.
   */
  resourceSchema(resourceTypeId: string): ResourceSchema;
  /**
   * A schema as `/Schemas/{urn}` serves it (RFC 7643 §7, §8.7): `schemas`, `id`,
   * `name`, `description`, `attributes`, `meta.resourceType`. The service adds
   * `meta.location`. A fresh object on every call.
   */
  schemaRepresentation(urn: string): ScimObject | undefined;
  /** Every schema representation, for `GET /Schemas`. */
  schemaRepresentations(): ScimObject[];
  /**
   * A resource type as `/ResourceTypes/{id}` serves it (RFC 7643 §6), without the
   * scimkit-only `membersAttribute`, `memberOfAttribute` and `displayAttribute`. A fresh object per call.
   */
  resourceTypeRepresentation(idOrName: string): ScimObject | undefined;
  /** Every resource type representation, for `GET /ResourceTypes`. */
  resourceTypeRepresentations(): ScimObject[];
}

const RESERVED_ENDPOINTS = new Set([
  "/schemas",
  "/resourcetypes",
  "/serviceproviderconfig",
  "/bulk",
  "/me",
  "/.search",
]);

const lower = (text: string) => text.toLowerCase();

type RegisteredResourceType = ResourceTypeDefinition & {
  schemaExtensions: { schema: string; required: boolean }[];
};

function normaliseEndpoint(endpoint: string): string {
  let text = lower(endpoint.trim());
  if (!text.startsWith("/")) text = `/${text}`;
  while (text.length > 1 && text.endsWith("/")) text = text.slice(0, -1);
  return text;
}

/** A schema as `/Schemas/{urn}` serves it (RFC 7643 §7). */
export function renderSchema(schema: SchemaDefinition): ScimObject {
  return structuredClone({
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    ...(schema.description === undefined ? {} : { description: schema.description }),
    attributes: schema.attributes,
    meta: { resourceType: "Schema" },
  });
}

function renderResourceType(resourceType: ResourceTypeDefinition): ScimObject {
  return structuredClone({
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: resourceType.id,
    name: resourceType.name,
    ...(resourceType.description === undefined ? {} : { description: resourceType.description }),
    endpoint: resourceType.endpoint,
    schema: resourceType.schema,
    schemaExtensions: resourceType.schemaExtensions.map(({ schema, required }) => ({
      schema,
      required,
    })),
    meta: { resourceType: "ResourceType" },
  });
}

function checkResourceType(resourceType: ResourceTypeDefinition): void {
  const where = `Resource type ${JSON.stringify(resourceType?.id)}`;
  for (const key of ["id", "name", "endpoint", "schema"] as const) {
    if (typeof resourceType?.[key] !== "string" || resourceType[key].trim() === "")
      throw new TypeError(`${where}: ${key} must be a non-empty string.`);
  }
  if (!/^\/?[^/\s?#]+\/?$/.test(resourceType.endpoint))
    throw new TypeError(`${where}: endpoint must be one path segment such as "/Users".`);
  if (!Array.isArray(resourceType.schemaExtensions))
    throw new TypeError(`${where}: schemaExtensions must be an array.`);
}

function checkMembershipAttributes(resourceSchema: ResourceSchema): void {
  const { resourceType, core } = resourceSchema;
  const where = `Resource type "${resourceType.id}"`;
  if (resourceType.membersAttribute !== undefined) {
    const definition = findAttribute(core.attributes, resourceType.membersAttribute);
    if (
      definition?.type !== "complex" ||
      !definition.multiValued ||
      findAttribute(definition.subAttributes, "value") === undefined
    )
      throw new TypeError(
        `${where}: membersAttribute "${resourceType.membersAttribute}" must name a multi-valued complex attribute with a "value" sub-attribute of ${core.id}.`,
      );
  }
  if (resourceType.displayAttribute !== undefined) {
    const definition = findAttribute(core.attributes, resourceType.displayAttribute);
    if (definition?.type !== "string" || definition.multiValued)
      throw new TypeError(
        `${where}: displayAttribute "${resourceType.displayAttribute}" must name a single-valued string attribute of ${core.id}.`,
      );
  }
  if (resourceType.memberOfAttribute !== undefined) {
    const definition = findAttribute(core.attributes, resourceType.memberOfAttribute);
    if (
      definition?.type !== "complex" ||
      !definition.multiValued ||
      definition.mutability !== "readOnly"
    )
      throw new TypeError(
        `${where}: memberOfAttribute "${resourceType.memberOfAttribute}" must name a read-only multi-valued complex attribute of ${core.id}.`,
      );
  }
}

/**
 * Builds the schema registry: built-in User (with the optional EnterpriseUser
 * extension) and Group, plus the schemas, resource types and extensions in
 * `options`. Throws a `TypeError` with a clear message for an invalid attribute
 * definition, a duplicate schema, resource type or endpoint, or a reference to
 * a schema that is not registered.
 */
export function createSchemaRegistry(options: SchemaRegistryOptions = {}): SchemaRegistry {
  const schemasByUrn = new Map<string, SchemaDefinition>();
  for (const schema of [
    userSchema,
    groupSchema,
    enterpriseUserSchema,
    ...(options.schemas ?? []),
  ]) {
    assertSchemaDefinition(schema);
    if (schemasByUrn.has(lower(schema.id)))
      throw new TypeError(`Schema ${schema.id} is registered twice.`);
    schemasByUrn.set(lower(schema.id), schema);
  }

  const resourceTypes = [
    USER_RESOURCE_TYPE,
    GROUP_RESOURCE_TYPE,
    ...(options.resourceTypes ?? []),
  ].map((resourceType): RegisteredResourceType => {
    checkResourceType(resourceType);
    return Object.assign({}, resourceType, {
      schemaExtensions: [...resourceType.schemaExtensions],
    });
  });
  const typesByKey = new Map<string, RegisteredResourceType>();
  const typesByEndpoint = new Map<string, ResourceTypeDefinition>();
  for (const resourceType of resourceTypes) {
    for (const key of new Set([lower(resourceType.id), lower(resourceType.name)])) {
      if (typesByKey.has(key))
        throw new TypeError(`Resource type id or name "${key}" is registered twice.`);
      typesByKey.set(key, resourceType);
    }
    const endpoint = normaliseEndpoint(resourceType.endpoint);
    if (RESERVED_ENDPOINTS.has(endpoint))
      throw new TypeError(
        `Resource type "${resourceType.id}": endpoint ${endpoint} is reserved by RFC 7644.`,
      );
    const taken = typesByEndpoint.get(endpoint);
    if (taken !== undefined)
      throw new TypeError(
        `Resource types "${taken.id}" and "${resourceType.id}" share the endpoint ${resourceType.endpoint}.`,
      );
    typesByEndpoint.set(endpoint, resourceType);
  }

  for (const extension of options.extensions ?? []) {
    const resourceType = typesByKey.get(lower(String(extension?.resourceType)));
    if (resourceType === undefined)
      throw new TypeError(
        `Extension ${extension?.schema}: unknown resource type "${extension?.resourceType}".`,
      );
    resourceType.schemaExtensions.push({
      schema: extension.schema,
      required: extension.required ?? false,
    });
  }

  const resourceSchemas = new Map<ResourceTypeDefinition, ResourceSchema>();
  for (const resourceType of resourceTypes) {
    const where = `Resource type "${resourceType.id}"`;
    const core = schemasByUrn.get(lower(resourceType.schema));
    if (core === undefined)
      throw new TypeError(`${where}: schema ${resourceType.schema} is not registered.`);
    for (const attribute of core.attributes) {
      if (RESERVED_ATTRIBUTE_NAMES.has(lower(attribute.name)))
        throw new TypeError(
          `${where}: schema ${core.id} may not declare "${attribute.name}", a common attribute of every resource.`,
        );
    }
    const seen = new Set([lower(core.id)]);
    const extensions = resourceType.schemaExtensions.map(({ schema: urn, required }) => {
      const schema = schemasByUrn.get(lower(String(urn)));
      if (schema === undefined)
        throw new TypeError(`${where}: extension schema ${urn} is not registered.`);
      if (seen.has(lower(schema.id)))
        throw new TypeError(`${where}: schema ${schema.id} is attached twice.`);
      seen.add(lower(schema.id));
      if (typeof required !== "boolean")
        throw new TypeError(`${where}: extension ${schema.id} needs a boolean "required".`);
      return { schema, required };
    });
    const resourceSchema: ResourceSchema = { resourceType, core, extensions };
    checkMembershipAttributes(resourceSchema);
    resourceSchemas.set(resourceType, resourceSchema);
  }

  const registry: SchemaRegistry = {
    schema: (urn) => schemasByUrn.get(lower(urn)),
    schemas: () => [...schemasByUrn.values()],
    resourceType: (idOrName) => typesByKey.get(lower(idOrName)),
    resourceTypeByEndpoint: (endpoint) => typesByEndpoint.get(normaliseEndpoint(endpoint)),
    resourceTypes: () => [...resourceTypes],
    resourceSchema(resourceTypeId) {
      const resourceType = typesByKey.get(lower(resourceTypeId));
      const resourceSchema = resourceType && resourceSchemas.get(resourceType);
      if (resourceSchema === undefined)
        throw new TypeError(`Unknown resource type "${resourceTypeId}".`);
      return resourceSchema;
    },
    schemaRepresentation(urn) {
      const schema = schemasByUrn.get(lower(urn));
      return schema && renderSchema(schema);
    },
    schemaRepresentations: () => [...schemasByUrn.values()].map(renderSchema),
    resourceTypeRepresentation(idOrName) {
      const resourceType = typesByKey.get(lower(idOrName));
      return resourceType && renderResourceType(resourceType);
    },
    resourceTypeRepresentations: () => resourceTypes.map(renderResourceType),
  };
  return registry;
}
