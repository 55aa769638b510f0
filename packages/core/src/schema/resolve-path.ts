import { badRequest, ok, type Result, type ScimType } from "../errors";
import type { AttributePath, ResolvedPath } from "../path/ast";
import { COMMON_ATTRIBUTES, SCHEMAS_ATTRIBUTE } from "./common-attributes";
import type { AttributeDefinition, ResourceSchema, SchemaDefinition } from "./types";

const lower = (text: string) => text.toLowerCase();

/** The attribute of a list whose name matches case-insensitively (RFC 7643 §2.1). */
export function findAttribute(
  attributes: readonly AttributeDefinition[] | undefined,
  name: string,
): AttributeDefinition | undefined {
  if (attributes === undefined) return undefined;
  const wanted = lower(name);
  return attributes.find((attribute) => lower(attribute.name) === wanted);
}

/** The schema a URN names within a resource schema (case-insensitive, RFC 7643 §2.1). */
export function findSchema(
  resourceSchema: ResourceSchema,
  urn: string,
): { schema: SchemaDefinition; isCore: boolean } | undefined {
  const wanted = lower(urn);
  if (lower(resourceSchema.core.id) === wanted)
    return { schema: resourceSchema.core, isCore: true };
  const extension = resourceSchema.extensions.find((entry) => lower(entry.schema.id) === wanted);
  return extension && { schema: extension.schema, isCore: false };
}

/**
 * Binds a parsed path to a resource schema: resolves the schema URN (core when
 * absent), canonicalises attribute names case-insensitively and attaches their
 * definitions. Unknown attributes fail with `scimType` (callers pass
 * `invalidFilter` for filters, `invalidPath` for PATCH, `invalidValue` elsewhere).
 */
export function resolvePath(
  resourceSchema: ResourceSchema,
  path: AttributePath,
  scimType: ScimType = "invalidPath",
): Result<ResolvedPath> {
  const unknown = () =>
    badRequest(
      scimType,
      `Unknown attribute "${printPath(path)}" for resource type ${resourceSchema.resourceType.id}.`,
      "path.unknown_attribute",
    );
  let schema: SchemaDefinition = resourceSchema.core;
  let isCore = true;
  if (path.schema !== undefined) {
    const found = findSchema(resourceSchema, path.schema);
    if (found === undefined) return { ok: false, error: unknown() };
    schema = found.schema;
    isCore = found.isCore;
  }
  let definition = findAttribute(schema.attributes, path.attribute);
  // The common attributes (id, externalId, meta) belong to every resource and
  // resolve as core attributes, so filters, sortBy and projection can name them.
  if (definition === undefined && isCore)
    definition = findAttribute(COMMON_ATTRIBUTES, path.attribute);
  if (definition === undefined && path.schema === undefined)
    definition = findAttribute([SCHEMAS_ATTRIBUTE], path.attribute);
  // Core attributes may be written with the core URN; extension attributes must
  // carry their URN, except that a unique unprefixed name in an extension is
  // accepted (RFC 7644 §3.10 lets servers resolve unambiguous names).
  if (definition === undefined && path.schema === undefined) {
    for (const extension of resourceSchema.extensions) {
      const candidate = findAttribute(extension.schema.attributes, path.attribute);
      if (candidate !== undefined) {
        definition = candidate;
        schema = extension.schema;
        isCore = false;
        break;
      }
    }
  }
  if (definition === undefined) return { ok: false, error: unknown() };
  if (path.subAttribute === undefined) {
    return ok({
      kind: "ResolvedPath",
      schema: schema.id,
      isCore,
      attribute: definition.name,
      definition,
    });
  }
  const subDefinition = findAttribute(definition.subAttributes, path.subAttribute);
  if (subDefinition === undefined) return { ok: false, error: unknown() };
  return ok({
    kind: "ResolvedPath",
    schema: schema.id,
    isCore,
    attribute: definition.name,
    subAttribute: subDefinition.name,
    definition,
    subDefinition,
  });
}

/** Canonical text of a path: `urn:...:attribute.sub` (URN only when given). */
export function printPath(path: AttributePath | ResolvedPath): string {
  const base =
    path.subAttribute === undefined ? path.attribute : `${path.attribute}.${path.subAttribute}`;
  if (path.kind === "ResolvedPath") return path.isCore ? base : `${path.schema}:${base}`;
  return path.schema === undefined ? base : `${path.schema}:${base}`;
}

/** The leaf definition of a resolved path (sub-attribute when present). */
export const leafDefinition = (path: ResolvedPath): AttributeDefinition =>
  path.subDefinition ?? path.definition;
