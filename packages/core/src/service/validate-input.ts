import { badRequest, unwrap } from "../errors";
import type { AttributeDefinition, ResourceSchema, ScimObject } from "../schema/types";
import { validateResource } from "../schema/validate-resource";
import { jsonEqual } from "./json-equal";

/**
 * Turns a POST/PUT body into the attributes to store: schema validation
 * (canonical names, coercions, read-only attributes dropped), then for PUT the
 * immutability rule of RFC 7644 §3.5.1: an immutable attribute that already
 * has a value keeps it; sending a different value is 400 `mutability`.
 */
export function validateInput(
  resourceSchema: ResourceSchema,
  body: unknown,
  options: {
    readonly strict: boolean;
    /** The stored attributes, for PUT. */
    readonly existing?: ScimObject;
    /** The core schema URNs of every registered resource type. */
    readonly coreSchemas: readonly string[];
  },
): ScimObject {
  checkCoreSchema(resourceSchema, body, options.coreSchemas);
  const data = unwrap(validateResource(resourceSchema, body, { strict: options.strict }));
  const existing = options.existing;
  if (existing === undefined) return data;
  const keepImmutable = (
    attributes: readonly AttributeDefinition[],
    target: ScimObject,
    current: ScimObject,
    prefix: string,
  ) => {
    for (const definition of attributes) {
      if (definition.mutability !== "immutable") continue;
      const stored = current[definition.name];
      if (stored === undefined) continue;
      const sent = target[definition.name];
      if (sent === undefined) {
        target[definition.name] = stored;
      } else if (!jsonEqual(sent, stored)) {
        throw badRequest(
          "mutability",
          `Attribute "${prefix}${definition.name}" is immutable and already has a value; it cannot be changed.`,
          "mutability.immutable",
        );
      }
    }
  };
  keepImmutable(resourceSchema.core.attributes, data, existing, "");
  for (const { schema } of resourceSchema.extensions) {
    const stored = existing[schema.id];
    if (typeof stored !== "object" || stored === null) continue;
    const sent = (data[schema.id] ?? {}) as ScimObject;
    const copy = Object.assign({}, sent);
    keepImmutable(schema.attributes, copy, stored as ScimObject, `${schema.id}:`);
    if (Object.keys(copy).length > 0) data[schema.id] = copy;
  }
  return data;
}

/**
 * A body whose `schemas` names another resource type's core schema and not this
 * type's is a request for the wrong endpoint (a Group sent to /Users), never an
 * IdP quirk: 400 `invalidValue` even in lenient mode. Unknown URNs (Entra's
 * Microsoft group URN) stay lenient's business.
 */
function checkCoreSchema(
  resourceSchema: ResourceSchema,
  body: unknown,
  coreSchemas: readonly string[],
): void {
  const schemas = (body as { schemas?: unknown } | null)?.schemas;
  if (!Array.isArray(schemas)) return;
  const named = new Set(
    schemas.filter((urn): urn is string => typeof urn === "string").map((urn) => urn.toLowerCase()),
  );
  const own = resourceSchema.core.id;
  if (named.has(own.toLowerCase())) return;
  const foreign = coreSchemas.find((urn) => urn !== own && named.has(urn.toLowerCase()));
  if (foreign === undefined) return;
  throw badRequest(
    "invalidValue",
    `"schemas" names ${foreign}, the core schema of another resource type; ${resourceSchema.resourceType.endpoint} takes ${own}.`,
    "schemas.wrong_resource_type",
  );
}
