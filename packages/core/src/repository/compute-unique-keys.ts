import { printPath } from "../schema/resolve-path";
import type { AttributeDefinition, ResourceSchema, ScimObject } from "../schema/types";
import type { UniqueKey } from "../store/contract";

const isObject = (value: unknown): value is ScimObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function keyValue(value: unknown, definition: AttributeDefinition): string | undefined {
  if (typeof value === "string") {
    if (value === "") return undefined;
    return definition.caseExact ? value : value.toLowerCase();
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/**
 * The unique keys of a resource's attributes (`StoredRecord.data` shape): one per
 * value of every top-level, non-complex attribute whose `uniqueness` is `server`
 * or `global`, in the core schema and in extensions. Strings are lower-cased when
 * the attribute is not `caseExact`, so stores compare bytes. Unassigned values
 * (absent, null, empty string) have no key.
 */
export function computeUniqueKeys(resourceSchema: ResourceSchema, data: ScimObject): UniqueKey[] {
  const keys: UniqueKey[] = [];
  const collect = (
    schemaId: string,
    isCore: boolean,
    attributes: readonly AttributeDefinition[],
  ) => {
    const container = isCore ? data : data[schemaId];
    if (!isObject(container)) return;
    for (const definition of attributes) {
      if (definition.uniqueness === "none" || definition.type === "complex") continue;
      const raw = container[definition.name];
      const values = Array.isArray(raw) ? raw : [raw];
      const attribute = printPath({
        kind: "ResolvedPath",
        schema: schemaId,
        isCore,
        attribute: definition.name,
        definition,
      });
      for (const value of values) {
        const normalised = keyValue(value, definition);
        if (normalised !== undefined) keys.push({ attribute, value: normalised });
      }
    }
  };
  collect(resourceSchema.core.id, true, resourceSchema.core.attributes);
  for (const extension of resourceSchema.extensions) {
    collect(extension.schema.id, false, extension.schema.attributes);
  }
  return keys;
}
