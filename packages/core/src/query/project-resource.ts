import type { ResolvedPath } from "../path/ast";
import { COMMON_ATTRIBUTES } from "../schema/common-attributes";
import type { AttributeDefinition, ResourceSchema, ScimObject } from "../schema/types";

/**
 * A whole schema named in `attributes`/`excludedAttributes`
 * (`attributes=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`).
 */
export interface SchemaSelector {
  readonly kind: "SchemaSelector";
  /** Canonical schema URN. */
  readonly schema: string;
  readonly isCore: boolean;
}

/** One entry of `attributes` or `excludedAttributes`, bound to the resource schema. */
export type ProjectionPath = ResolvedPath | SchemaSelector;

/**
 * Which attributes a response carries (RFC 7644 §3.4.2.5, §3.9; RFC 7643 §2.2 `returned`).
 * Both lists may be given; `excludedAttributes` then removes from what `attributes` selected.
 */
export interface Projection {
  /** Return only these (plus `returned: "always"` attributes and `schemas`). */
  readonly attributes?: readonly ProjectionPath[];
  /** Return the default set minus these (`returned: "always"` attributes cannot be excluded). */
  readonly excludedAttributes?: readonly ProjectionPath[];
}

/** Selection of one schema's attributes: attribute (lower-case) -> whole, or named sub-attributes. */
type SchemaSelection = Map<string, true | Set<string>>;

interface Selection {
  readonly wholeSchemas: Set<string>;
  readonly bySchema: Map<string, SchemaSelection>;
}

function buildSelection(paths: readonly ProjectionPath[]): Selection {
  const selection: Selection = { wholeSchemas: new Set(), bySchema: new Map() };
  for (const path of paths) {
    const schemaKey = path.schema.toLowerCase();
    if (path.kind === "SchemaSelector") {
      selection.wholeSchemas.add(schemaKey);
      continue;
    }
    let attributes = selection.bySchema.get(schemaKey);
    if (attributes === undefined) {
      attributes = new Map();
      selection.bySchema.set(schemaKey, attributes);
    }
    const attributeKey = path.attribute.toLowerCase();
    const existing = attributes.get(attributeKey);
    if (path.subAttribute === undefined) {
      attributes.set(attributeKey, true);
    } else if (existing !== true) {
      const subs = existing ?? new Set<string>();
      subs.add(path.subAttribute.toLowerCase());
      attributes.set(attributeKey, subs);
    }
  }
  return selection;
}

interface CompiledProjection {
  readonly include: Selection | undefined;
  readonly exclude: Selection | undefined;
}

/** The default projection compiled: what almost every request asks for, shared. */
const DEFAULT_PROJECTION: CompiledProjection = Object.freeze({
  include: undefined,
  exclude: undefined,
});
/** "Keep, with the default sub-attributes", shared: decisions are only read. */
const KEEP: AttributeDecision = Object.freeze({});

const compile = (projection: Projection | undefined): CompiledProjection => {
  const attributes = projection?.attributes;
  const excluded = projection?.excludedAttributes;
  const noAttributes = attributes === undefined || attributes.length === 0;
  const noExclusions = excluded === undefined || excluded.length === 0;
  if (noAttributes && noExclusions) return DEFAULT_PROJECTION;
  return {
    include: noAttributes ? undefined : buildSelection(attributes),
    exclude: noExclusions ? undefined : buildSelection(excluded),
  };
};

/** How a kept attribute's sub-attributes are filtered (`undefined` decision: dropped). */
interface AttributeDecision {
  /** Sub-attributes explicitly asked for (lower-case); unset: the default ones. */
  readonly only?: ReadonlySet<string>;
  /** Sub-attributes excluded (lower-case). */
  readonly without?: ReadonlySet<string>;
}

function decide(
  definition: AttributeDefinition,
  schema: string,
  compiled: CompiledProjection,
): AttributeDecision | undefined {
  if (definition.returned === "never") return undefined;
  if (definition.returned === "always") return KEEP;
  if (compiled.include === undefined && compiled.exclude === undefined) {
    return definition.returned === "request" ? undefined : KEEP;
  }
  const schemaKey = schema.toLowerCase();
  const attributeKey = definition.name.toLowerCase();
  let only: ReadonlySet<string> | undefined;
  if (compiled.include !== undefined) {
    const named = compiled.include.bySchema.get(schemaKey)?.get(attributeKey);
    const wholeSchema = compiled.include.wholeSchemas.has(schemaKey);
    // Naming a whole schema does not name its `returned: "request"` attributes.
    if (named === undefined && (!wholeSchema || definition.returned === "request"))
      return undefined;
    if (named !== undefined && named !== true && !wholeSchema) only = named;
  } else if (definition.returned === "request") {
    return undefined;
  }
  let without: ReadonlySet<string> | undefined;
  if (compiled.exclude !== undefined) {
    const excluded = compiled.exclude.wholeSchemas.has(schemaKey)
      ? true
      : compiled.exclude.bySchema.get(schemaKey)?.get(attributeKey);
    if (excluded === true) return undefined;
    without = excluded;
  }
  return Object.assign(
    {},
    only === undefined ? {} : { only },
    without === undefined ? {} : { without },
  );
}

function projectComplex(
  value: unknown,
  definition: AttributeDefinition,
  decision: AttributeDecision,
): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const subAttributes = definition.subAttributes ?? [];
  const result: ScimObject = {};
  for (const [key, subValue] of Object.entries(value as ScimObject)) {
    const subDefinition = subAttributes.find(
      (candidate) => candidate.name.toLowerCase() === key.toLowerCase(),
    );
    // Keys outside the schema (`$ref` is declared, vendor extras are not) pass through.
    if (subDefinition === undefined) {
      if (decision.only === undefined) result[key] = subValue;
      continue;
    }
    const subKey = subDefinition.name.toLowerCase();
    if (subDefinition.returned === "never") continue;
    if (subDefinition.returned !== "always") {
      if (decision.only !== undefined && !decision.only.has(subKey)) continue;
      if (subDefinition.returned === "request" && decision.only === undefined) continue;
      if (decision.without?.has(subKey)) continue;
    }
    result[key] = subValue;
  }
  return result;
}

function projectValue(
  value: unknown,
  definition: AttributeDefinition,
  decision: AttributeDecision,
): unknown {
  if (definition.type !== "complex") return value;
  if (!Array.isArray(value)) return projectComplex(value, definition, decision);
  const projected = value.map((item) => projectComplex(item, definition, decision));
  // `attributes=members.display` leaves out members without one, rather than `{}`.
  return decision.only === undefined
    ? projected
    : projected.filter((item) => !isEmptyProjection(item));
}

const isEmptyProjection = (value: unknown): boolean =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length === 0;

/** One attribute of the default projection: dropped, kept as stored, or with sub-attributes dropped. */
interface DefaultPlanEntry {
  readonly definition: AttributeDefinition;
  /** Whether some sub-attribute is `returned: never` or `request`, so values must be filtered. */
  readonly filtersSubAttributes: boolean;
}

/** `build` of an attribute list, computed once per list (that is, once per schema). */
function perAttributeList<T>(
  build: (attributes: readonly AttributeDefinition[]) => T,
): (attributes: readonly AttributeDefinition[]) => T {
  const cache = new WeakMap<readonly AttributeDefinition[], T>();
  return (attributes) => {
    let value = cache.get(attributes);
    if (value === undefined) {
      value = build(attributes);
      cache.set(attributes, value);
    }
    return value;
  };
}

/**
 * What the default projection (no `attributes`, no `excludedAttributes`: what
 * almost every IdP request asks for) keeps of an attribute list, by attribute
 * name. The same decisions `decide` makes, taken once per schema rather than per
 * attribute and response.
 */
const defaultPlan = perAttributeList(
  (attributes): ReadonlyMap<string, DefaultPlanEntry> =>
    new Map(
      attributes
        .filter(
          (definition) => definition.returned !== "never" && definition.returned !== "request",
        )
        .map((definition) => [
          definition.name,
          {
            definition,
            filtersSubAttributes:
              definition.type === "complex" &&
              (definition.subAttributes ?? []).some(
                (sub) => sub.returned === "never" || sub.returned === "request",
              ),
          },
        ]),
    ),
);

function projectAttributes(
  source: ScimObject,
  attributes: readonly AttributeDefinition[],
  schema: string,
  compiled: CompiledProjection,
  target: ScimObject,
): void {
  if (compiled.include === undefined && compiled.exclude === undefined) {
    // Stored data has canonical names: walk its few keys instead of every definition.
    const plan = defaultPlan(attributes);
    for (const key in source) {
      const entry = plan.get(key);
      const value = source[key];
      if (entry === undefined || value === undefined) continue;
      target[key] = entry.filtersSubAttributes ? projectValue(value, entry.definition, {}) : value;
    }
    return;
  }
  for (const definition of attributes) {
    const value = source[definition.name];
    if (value === undefined) continue;
    const decision = decide(definition, schema, compiled);
    if (decision === undefined) continue;
    const projected = projectValue(value, definition, decision);
    // `attributes=name.givenName` on a user without a given name returns no `name`,
    // and a multi-valued attribute left with no value is left out too.
    if (
      definition.type === "complex" &&
      decision.only !== undefined &&
      (isEmptyProjection(projected) || (Array.isArray(projected) && projected.length === 0))
    )
      continue;
    target[definition.name] = projected;
  }
}

/**
 * Returns a copy of `resource` carrying only what the projection and the schema's
 * `returned` characteristics allow (RFC 7644 §3.4.2.5, RFC 7643 §2.2):
 * `returned: "never"` attributes (password) are always dropped, `"always"`
 * attributes (`id`) are always kept, `"request"` attributes only when named in
 * `attributes`, and `schemas` is always kept. Extension attributes are projected
 * under their URN; an extension left empty is omitted. Keys the schema does not
 * define are dropped. `resource` is not modified.
 */
export function projectResource(
  resource: ScimObject,
  resourceSchema: ResourceSchema,
  projection?: Projection,
): ScimObject {
  const compiled = compile(projection);
  const result: ScimObject = {};
  if (resource.schemas !== undefined) result.schemas = resource.schemas;
  const coreSchema = resourceSchema.core.id;
  projectAttributes(resource, COMMON_ATTRIBUTES, coreSchema, compiled, result);
  projectAttributes(resource, resourceSchema.core.attributes, coreSchema, compiled, result);
  for (const extension of resourceSchema.extensions) {
    const urn = extension.schema.id;
    const value = resource[urn];
    if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
    const projected: ScimObject = {};
    projectAttributes(value as ScimObject, extension.schema.attributes, urn, compiled, projected);
    if (Object.keys(projected).length > 0) result[urn] = projected;
  }
  return result;
}

/** Each attribute list's definitions by lower-case name, built once per schema. */
const byLowerName = perAttributeList((attributes): ReadonlyMap<string, AttributeDefinition> => {
  const index = new Map<string, AttributeDefinition>();
  // The first definition of a name wins, as `find` did.
  for (const definition of attributes) {
    const key = definition.name.toLowerCase();
    if (!index.has(key)) index.set(key, definition);
  }
  return index;
});

/**
 * Whether a response with this projection includes the attribute `attributeName`
 * of the core schema. The service uses it to skip expensive reads.
 */
export function isAttributeReturned(
  resourceSchema: ResourceSchema,
  projection: Projection | undefined,
  attributeName: string,
): boolean {
  const definition = byLowerName(resourceSchema.core.attributes).get(attributeName.toLowerCase());
  if (definition === undefined) return false;
  return decide(definition, resourceSchema.core.id, compile(projection)) !== undefined;
}

/**
 * Whether the response needs the resource type's membership relation loaded
 * (`membersAttribute`): false for `excludedAttributes=members`,
 * `attributes=id,displayName`, and for types without a membership relation.
 */
export function needsMembers(
  resourceSchema: ResourceSchema,
  projection: Projection | undefined,
): boolean {
  const membersAttribute = resourceSchema.resourceType.membersAttribute;
  if (membersAttribute === undefined) return false;
  return isAttributeReturned(resourceSchema, projection, membersAttribute);
}
