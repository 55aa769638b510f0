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
  },
): ScimObject {
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
    const copy = { ...sent };
    keepImmutable(schema.attributes, copy, stored as ScimObject, `${schema.id}:`);
    if (Object.keys(copy).length > 0) data[schema.id] = copy;
  }
  return data;
}
