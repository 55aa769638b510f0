import {
  type BoundFilter,
  bindFilter,
  createSchemaRegistry,
  parseFilter,
  type ResolvedPath,
  resolvePath,
  unwrap,
} from "@scimkit/core";

export const registry = createSchemaRegistry();

/** Parses and binds a filter against a built-in resource type. */
export function bound(text: string, resourceType = "User"): BoundFilter {
  return unwrap(bindFilter(unwrap(parseFilter(text)), registry.resourceSchema(resourceType)));
}

/** Resolves a sort path against a built-in resource type. */
export function sortPath(text: string, resourceType = "User"): ResolvedPath {
  const [attribute, subAttribute] = text.split(".") as [string, string | undefined];
  return unwrap(
    resolvePath(registry.resourceSchema(resourceType), {
      kind: "AttributePath",
      attribute,
      ...(subAttribute === undefined ? {} : { subAttribute }),
    }),
  );
}
