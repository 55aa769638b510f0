/**
 * What a PATCH path or a no-path key names, bound to the resource schema. Kept
 * apart from applying operations because it is pure per (schema, mode, text):
 * IdPs repeat the same few paths, so a resolver per schema and mode memoises them.
 */
import { ok, type Result } from "../errors";
import type { ValuePathNode } from "../filter/ast";
import { bindFilter } from "../filter/bind-filter";
import { parsePatchPath } from "../filter/parser";
import type { ResolvedPath } from "../path/ast";
import { parseAttributePath } from "../path/parse-attribute-path";
import { findAttribute, findSchema, printPath, resolvePath } from "../schema/resolve-path";
import type { AttributeDefinition, ResourceSchema, SchemaDefinition } from "../schema/types";
import { patchError } from "./messages";
import { hasWriteRules } from "./mutability";

/** A PATCH target bound to the schema. */
export interface AttributeTarget {
  readonly schema: string;
  readonly isCore: boolean;
  readonly definition: AttributeDefinition;
  /** The sub-attribute: `name.givenName`, or the part after `]` in `emails[...].value`. */
  readonly subDefinition?: AttributeDefinition;
  /** The value filter as a bound value path over `definition`. */
  readonly filter?: ValuePathNode<ResolvedPath>;
  /** The path as written canonically, for messages. */
  readonly text: string;
  /** Whether a write rule applies (mutability.ts `hasWriteRules`), decided once here. */
  readonly guarded: boolean;
}

/** A whole schema named by a path or a no-path key (`urn:...:enterprise:2.0:User`). */
export interface SchemaResolution {
  readonly kind: "schema";
  readonly schema: SchemaDefinition;
  readonly isCore: boolean;
}

/** What an operation path names: an attribute or a whole schema. */
export type PathResolution =
  | { readonly kind: "attribute"; readonly target: AttributeTarget }
  | SchemaResolution;

/** What a key of a no-path or whole-schema value names. */
export type Resolution =
  | PathResolution
  /** An envelope member at the top of a no-path value: ignored in both modes. */
  | { readonly kind: "skip" }
  /**
   * An envelope member inside an extension's value (`{"schemas": [...], ...}`), where it
   * names no attribute: PUT drops it (lenient) or rejects it (strict), and so does PATCH.
   */
  | { readonly kind: "envelope"; readonly urn: string };

/** Resolves operation paths and no-path keys for one resource schema in one mode. */
export interface TargetResolver {
  /** An operation's `path`: a whole schema, or an attribute with an optional value filter. */
  operationPath(text: string): Result<PathResolution>;
  /**
   * A key of a no-path value (`within` undefined) or of a whole-schema value
   * (`within` that schema): an envelope member, an extension URN, or an attribute path.
   */
  valueKey(key: string, within: SchemaDefinition | undefined): Result<Resolution>;
}

/**
 * Members of a resource object that are not schema attributes (RFC 7643 §3) or
 * are server-owned (RFC 7643 §3.1 `meta`): ignored when they appear in a no-path value.
 */
const ENVELOPE_MEMBERS: ReadonlySet<string> = new Set(["schemas", "meta"]);

/** Cached resolutions per scope; a scope's cache starts over when full. */
const MAX_CACHED_RESOLUTIONS = 1024;

const SKIP: Resolution = { kind: "skip" };

/** Per resource schema: the lenient and the strict resolver. */
const resolvers = new WeakMap<ResourceSchema, [TargetResolver, TargetResolver]>();

/** The (memoising) resolver for a resource schema and mode; one per pair, shared by every run. */
export function targetResolver(resourceSchema: ResourceSchema, strict: boolean): TargetResolver {
  let modes = resolvers.get(resourceSchema);
  if (modes === undefined) {
    modes = [createResolver(resourceSchema, false), createResolver(resourceSchema, true)];
    resolvers.set(resourceSchema, modes);
  }
  return modes[strict ? 1 : 0];
}

function createResolver(resourceSchema: ResourceSchema, strict: boolean): TargetResolver {
  // Successful results are cached whole: they are immutable, and a hit then allocates nothing.
  const paths = new Map<string, Result<PathResolution>>();
  const topKeys = new Map<string, Result<Resolution>>();
  /** Keys of whole-schema values, by the schema's URN. */
  const keysBySchema = new Map<string, Map<string, Result<Resolution>>>();
  return {
    operationPath(text) {
      return (
        paths.get(text) ?? remember(paths, text, resolveOperationPath(resourceSchema, strict, text))
      );
    },
    valueKey(key, within) {
      let keys = topKeys;
      if (within !== undefined) {
        let scoped = keysBySchema.get(within.id);
        if (scoped === undefined) {
          scoped = new Map();
          keysBySchema.set(within.id, scoped);
        }
        keys = scoped;
      }
      return keys.get(key) ?? remember(keys, key, resolveValueKey(resourceSchema, key, within));
    },
  };
}

/** Failures are not cached: they end the PATCH and would only fill the cache. */
function remember<T>(cache: Map<string, Result<T>>, text: string, resolved: Result<T>): Result<T> {
  if (resolved.ok) {
    if (cache.size >= MAX_CACHED_RESOLUTIONS) cache.clear();
    cache.set(text, resolved);
  }
  return resolved;
}

function resolveOperationPath(
  resourceSchema: ResourceSchema,
  strict: boolean,
  text: string,
): Result<PathResolution> {
  const schemaMatch = findSchema(resourceSchema, text.trim());
  if (schemaMatch !== undefined) return ok({ kind: "schema", ...schemaMatch });
  const target = resolveAttributePath(resourceSchema, strict, text);
  if (!target.ok) return target;
  return ok({ kind: "attribute", target: target.value });
}

function resolveValueKey(
  resourceSchema: ResourceSchema,
  key: string,
  within: SchemaDefinition | undefined,
): Result<Resolution> {
  if (within === undefined) {
    if (ENVELOPE_MEMBERS.has(key.toLowerCase())) return ok(SKIP);
    const nested = findSchema(resourceSchema, key);
    if (nested !== undefined) return ok({ kind: "schema", ...nested });
  }
  const parsed = parseAttributePath(key);
  if (!parsed.ok) return parsed;
  const isExtension = within !== undefined && within !== resourceSchema.core;
  const path =
    isExtension && parsed.value.schema === undefined
      ? Object.assign({}, parsed.value, { schema: within.id })
      : parsed.value;
  const resolved = resolvePath(resourceSchema, path, "invalidPath");
  if (!resolved.ok) {
    if (isExtension && ENVELOPE_MEMBERS.has(key.toLowerCase())) {
      return ok({ kind: "envelope", urn: within.id });
    }
    return resolved;
  }
  return ok({ kind: "attribute", target: targetOf(resolved.value) });
}

/** `title`, `name.givenName`, `urn:...:employeeNumber`, `emails[type eq "work"].value`. */
function resolveAttributePath(
  resourceSchema: ResourceSchema,
  strict: boolean,
  text: string,
): Result<AttributeTarget> {
  const parsed = parsePatchPath(text, { strict });
  if (!parsed.ok) return parsed;
  const { path, filter, subAttribute } = parsed.value;
  const resolved = resolvePath(resourceSchema, path, "invalidPath");
  if (!resolved.ok) return resolved;
  if (filter === undefined) return ok(targetOf(resolved.value));
  const attribute = resolved.value;
  if (
    attribute.subAttribute !== undefined ||
    attribute.definition.type !== "complex" ||
    !attribute.definition.multiValued
  ) {
    return {
      ok: false,
      error: patchError(
        "invalidPath",
        "patch.filter_on_single_valued",
        "The path",
        printPath(attribute),
      ),
    };
  }
  const bound = bindFilter({ kind: "ValuePath", path, filter }, resourceSchema, { strict });
  if (!bound.ok) return bound;
  let subDefinition: AttributeDefinition | undefined;
  if (subAttribute !== undefined) {
    subDefinition = findAttribute(attribute.definition.subAttributes, subAttribute);
    if (subDefinition === undefined) {
      return {
        ok: false,
        error: patchError(
          "invalidPath",
          "patch.unknown_sub_attribute",
          "The path",
          printPath(attribute),
          subAttribute.slice(0, 128),
        ),
      };
    }
  }
  return ok({
    schema: attribute.schema,
    isCore: attribute.isCore,
    definition: attribute.definition,
    ...(subDefinition === undefined ? {} : { subDefinition }),
    filter: bound.value as ValuePathNode<ResolvedPath>,
    text: text.trim().slice(0, 256),
    guarded: hasWriteRules(attribute.definition, subDefinition),
  });
}

const targetOf = (path: ResolvedPath): AttributeTarget => ({
  schema: path.schema,
  isCore: path.isCore,
  definition: path.definition,
  ...(path.subDefinition === undefined ? {} : { subDefinition: path.subDefinition }),
  text: printPath(path),
  guarded: hasWriteRules(path.definition, path.subDefinition),
});
