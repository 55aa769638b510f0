import { ok, type Result } from "../errors";
import type { BoundFilter, ValuePathNode } from "../filter/ast";
import { bindFilter } from "../filter/bind-filter";
import { compileFilter } from "../filter/compile-filter";
import { parsePatchPath } from "../filter/parser";
import {
  diffMembers,
  MembershipDeltaBuilder,
  memberIdsOfFilter,
  parseMembers,
} from "../membership/membership-delta";
import type { ResolvedPath } from "../path/ast";
import { parseAttributePath } from "../path/parse-attribute-path";
import { findAttribute, findSchema, printPath, resolvePath } from "../schema/resolve-path";
import type {
  AttributeDefinition,
  ResourceSchema,
  SchemaDefinition,
  ScimObject,
} from "../schema/types";
import type { MemberRef, MembershipDelta } from "../store/contract";
import {
  type CoerceContext,
  coerceMany,
  coerceSingle,
  quickCoerce,
  withoutNulls,
} from "./coerce-value";
import { cloneJson, deepEqual, isObject } from "./json-value";
import { patchError } from "./messages";
import {
  DEFAULT_MAX_OPERATIONS,
  type PatchOperation,
  type PatchOperationName,
  parsePatchRequest,
} from "./parse-patch-request";

export interface PatchOptions {
  /**
   * Turn off the leniencies that are not safe for every deployment, keeping the
   * RFC 7644 behaviour instead:
   * - a PatchOp without `schemas` is rejected (lenient: accepted);
   * - `add` of members as bare strings (`"value": "<id>"`, matrix row 9) is 400 `invalidValue`;
   * - `replace` of `attr[filter].sub` matching nothing is 400 `noTarget` as §3.5.2.3
   *   requires (lenient: creates the element, row 20; `add` creates it in both modes);
   * - `remove` of `members[value eq "x"]` asks for the member list so removing a
   *   non-member is 400 `noTarget` (lenient: an idempotent no-op, no list read);
   * - a complex value sent as a JSON string (row 21) is 400 `invalidValue`;
   * - a read-only attribute the resource does not hold (e.g. `groups`) is 400
   *   `mutability` (lenient: ignored, since it cannot be compared);
   * - the schema validator's own strict rules (unknown attributes, canonical values,
   *   a single value for a multi-valued attribute: see `ValidationOptions`).
   * Always on, because they cannot grant unintended access: case-insensitive `op`
   * and names, `"True"`/`"False"`, dotted and URN-qualified keys in no-path values,
   * remove-with-value on members (rows 3-4), `id` equal to the current one and
   * `meta`/`schemas` in values (row 6), bare-string `manager` (row 7), `null` = unassign.
   * @default false
   */
  readonly strict?: boolean;
  /** Most operations one PatchOp may carry; more is 400 `tooMany`. @default 1000 */
  readonly maxOperations?: number;
}

export interface ApplyPatchInput {
  readonly resourceSchema: ResourceSchema;
  /**
   * The current resource without members: canonical attribute names, extension
   * attributes under their URN, `schemas`. Include `id` so an `id` echoed in a
   * replace value (Okta) can be recognised as unchanged. Never modified.
   */
  readonly resource: ScimObject;
  /** The raw PatchOp body. */
  readonly request: unknown;
  /** The current members; pass them only after an outcome of `needsMembers`. */
  readonly members?: readonly MemberRef[];
  readonly options?: PatchOptions;
}

/** The PATCH applied in memory; nothing is persisted yet. */
export interface PatchApplied {
  readonly kind: "applied";
  /** The new resource (a copy), without the membership attribute. */
  readonly resource: ScimObject;
  /**
   * False when no attribute changed (deep-equal) and there is no membership delta:
   * the service must not write, bump the version or emit events.
   */
  readonly changed: boolean;
  /**
   * The membership change, as set operations, when the PATCH touched members.
   * Members sent without `type` carry `DEFAULT_MEMBER_TYPE`.
   */
  readonly members?: MembershipDelta;
}

/**
 * The PATCH uses a form that can only be evaluated against the member list
 * (e.g. `members[display eq "x"]`): load the members and call again with `members`.
 */
export interface PatchNeedsMembers {
  readonly kind: "needsMembers";
}

export type PatchOutcome = PatchApplied | PatchNeedsMembers;

/** A PATCH target bound to the schema. */
interface AttributeTarget {
  readonly schema: string;
  readonly isCore: boolean;
  readonly definition: AttributeDefinition;
  /** The sub-attribute: `name.givenName`, or the part after `]` in `emails[...].value`. */
  readonly subDefinition?: AttributeDefinition;
  /** The value filter as a bound value path over `definition`. */
  readonly filter?: ValuePathNode<ResolvedPath>;
  /** The path as written canonically, for messages. */
  readonly text: string;
}

const NEEDS_MEMBERS: PatchNeedsMembers = { kind: "needsMembers" };

/** What a path or a no-path key names. */
type Resolution =
  | { readonly kind: "attribute"; readonly target: AttributeTarget }
  | { readonly kind: "schema"; readonly schema: SchemaDefinition; readonly isCore: boolean }
  | { readonly kind: "skip" };

/** Per resource schema, per mode (lenient, strict), per scope: resolutions by text. */
const resolutionCache = new WeakMap<
  ResourceSchema,
  [Map<string, Map<string, Resolution>>, Map<string, Map<string, Resolution>>]
>();
/** Scope of operation paths (no-path keys are scoped by the schema they sit in, "" for the top). */
const PATH_SCOPE = "\u0000path";
/** Cached resolutions per scope; a scope's cache starts over when full. */
const MAX_CACHED_RESOLUTIONS = 1024;

/**
 * Members of a resource object that are not schema attributes (RFC 7643 §3) or
 * are server-owned (RFC 7643 §3.1 `meta`): ignored when they appear in a no-path value.
 */
const ENVELOPE_MEMBERS: ReadonlySet<string> = new Set(["schemas", "meta"]);

/** RFC 7643 §2.4: the sub-attribute that marks the preferred value of a multi-valued attribute. */
const PRIMARY = "primary";

/**
 * Applies a SCIM PatchOp (RFC 7644 §3.5.2) to a resource in memory. Atomic: on
 * any failing operation the result is that error and nothing else; the input is
 * never modified. Membership operations become a set-based `MembershipDelta`
 * without reading the member list, except for filter forms that need it
 * (`needsMembers`). Failures are 400 ScimErrors with `scimType` (`invalidSyntax`,
 * `invalidPath`, `invalidFilter`, `invalidValue`, `noTarget`, `mutability`, `tooMany`)
 * and a `code` from the PATCH message table.
 *
 * Semantics, per RFC 7644 §3.5.2 unless noted:
 * - `add` appends to multi-valued attributes (an existing equal value is a no-op),
 *   sets single-valued ones, merges sub-attributes into complex ones.
 * - `replace` replaces (a missing attribute is added); on a complex attribute the
 *   given sub-attributes replace, others stay. `null` (or `[]`) unassigns.
 * - `remove` needs a path (else `noTarget`); a value filter matching nothing is
 *   `noTarget`; with a `value` on a multi-valued attribute (Entra, authentik) only
 *   the given values are removed.
 * - A value filter matching nothing on `add`/`replace` with an `eq` filter creates
 *   the element (`emails[type eq "work"].value` -> `{type: "work", value}`).
 * - Setting `primary: true` on one value clears it on the others.
 * - Read-only attributes: a value equal to the current one is ignored, a different
 *   one is 400 `mutability`; immutable attributes can only be set while unassigned;
 *   removing a required attribute is 400 `mutability` (RFC 7644 §3.5.2.2).
 */
export function applyPatch(input: ApplyPatchInput): Result<PatchOutcome> {
  const strict = input.options?.strict ?? false;
  const parsed = parsePatchRequest(input.request, {
    strict,
    maxOperations: input.options?.maxOperations ?? DEFAULT_MAX_OPERATIONS,
  });
  if (!parsed.ok) return parsed;
  const run = new PatchRun(input.resourceSchema, input.resource, input.members, strict);
  for (const operation of parsed.value) {
    const applied = run.apply(operation);
    if (!applied.ok) return applied;
    if (applied.value === NEEDS_MEMBERS) return ok(NEEDS_MEMBERS);
  }
  return ok(run.finish());
}

type Step = Result<undefined | PatchNeedsMembers>;
const DONE: Step = ok(undefined);

class PatchRun {
  private readonly resource: ScimObject;
  private readonly original: ScimObject;
  private readonly membersAttribute: string | undefined;
  private membershipBuilder: MembershipDeltaBuilder | undefined;
  private scopes: Map<string, Map<string, Resolution>> | undefined;
  /** Extensions copied (so writable) or created by this run; their `schemas` entry is kept in step. */
  private readonly touchedExtensions = new Set<string>();

  constructor(
    private readonly resourceSchema: ResourceSchema,
    resource: ScimObject,
    private readonly members: readonly MemberRef[] | undefined,
    private readonly strict: boolean,
  ) {
    this.membersAttribute = resourceSchema.resourceType.membersAttribute;
    this.original = resource;
    if (this.membersAttribute !== undefined && this.membersAttribute in resource) {
      const { [this.membersAttribute]: _members, ...rest } = resource;
      this.original = rest;
    }
    this.resource = { ...this.original };
    if (this.membersAttribute !== undefined && members !== undefined) {
      this.resource[this.membersAttribute] = members.map((member) => ({ ...member }));
    }
  }

  apply(operation: PatchOperation): Step {
    const context: CoerceContext = { strict: this.strict, where: operation.where };
    if (operation.path === undefined) {
      if (!isObject(operation.value)) {
        return {
          ok: false,
          error: patchError("invalidValue", "patch.value_not_object", operation.where),
        };
      }
      return this.applyObject(operation.op, operation.value, undefined, context);
    }
    const path = operation.path;
    const resolved = this.resolve(path, null);
    if (!resolved.ok) return resolved;
    if (resolved.value.kind === "schema") {
      return this.applySchema(operation, resolved.value.schema, resolved.value.isCore, context);
    }
    if (resolved.value.kind === "skip") return DONE;
    return this.applyTarget(operation.op, resolved.value.target, operation.value, context);
  }

  /**
   * Resolves an operation path (`within` null) or a no-path key (`within` the schema
   * it sits in, `undefined` at the top). Pure per (schema, mode, scope, text), and IdPs
   * repeat the same few paths, so resolutions are cached.
   */
  private resolve(text: string, within: SchemaDefinition | null | undefined): Result<Resolution> {
    if (this.scopes === undefined) {
      let modes = resolutionCache.get(this.resourceSchema);
      if (modes === undefined) {
        modes = [new Map(), new Map()];
        resolutionCache.set(this.resourceSchema, modes);
      }
      this.scopes = modes[this.strict ? 1 : 0];
    }
    const scope = within === null ? PATH_SCOPE : (within?.id ?? "");
    let cache = this.scopes.get(scope);
    if (cache === undefined) {
      cache = new Map();
      this.scopes.set(scope, cache);
    }
    const hit = cache.get(text);
    if (hit !== undefined) return { ok: true, value: hit };
    const resolved =
      within === null ? this.resolveOperationPath(text) : this.resolveKey(text, within);
    if (resolved.ok) {
      if (cache.size >= MAX_CACHED_RESOLUTIONS) cache.clear();
      cache.set(text, resolved.value);
    }
    return resolved;
  }

  private resolveOperationPath(text: string): Result<Resolution> {
    const schemaMatch = findSchema(this.resourceSchema, text.trim());
    if (schemaMatch !== undefined) return ok({ kind: "schema", ...schemaMatch });
    const target = this.resolveTarget(text);
    if (!target.ok) return target;
    return ok({ kind: "attribute", target: target.value });
  }

  /** A key of a no-path value: an envelope member, an extension URN, or an attribute path. */
  private resolveKey(key: string, within: SchemaDefinition | undefined): Result<Resolution> {
    if (within === undefined) {
      if (ENVELOPE_MEMBERS.has(key.toLowerCase())) return ok({ kind: "skip" });
      const nested = findSchema(this.resourceSchema, key);
      if (nested !== undefined) return ok({ kind: "schema", ...nested });
    }
    const parsed = parseAttributePath(key);
    if (!parsed.ok) return parsed;
    const isExtension = within !== undefined && within !== this.resourceSchema.core;
    const path =
      isExtension && parsed.value.schema === undefined
        ? { ...parsed.value, schema: within.id }
        : parsed.value;
    const resolved = resolvePath(this.resourceSchema, path, "invalidPath");
    if (!resolved.ok) return resolved;
    return ok({ kind: "attribute", target: targetOf(resolved.value) });
  }

  /** The whole-schema path: `"path": "urn:...:enterprise:2.0:User"`. */
  private applySchema(
    operation: PatchOperation,
    schema: SchemaDefinition,
    isCore: boolean,
    context: CoerceContext,
  ): Step {
    if (operation.op !== "remove") {
      if (!isObject(operation.value)) {
        return {
          ok: false,
          error: patchError("invalidValue", "patch.value_not_object", operation.where),
        };
      }
      return this.applyObject(operation.op, operation.value, { schema, isCore }, context);
    }
    if (isCore) {
      return {
        ok: false,
        error: patchError("invalidPath", "patch.remove_core_schema", operation.where, schema.id),
      };
    }
    return this.removeExtension(schema, context);
  }

  private removeExtension(schema: SchemaDefinition, context: CoerceContext): Step {
    const extension = this.resourceSchema.extensions.find((entry) => entry.schema === schema);
    const current = this.resource[schema.id];
    if (!isObject(current)) return DONE;
    if (extension?.required) {
      return {
        ok: false,
        error: patchError("mutability", "patch.required_extension", context.where, schema.id),
      };
    }
    for (const definition of schema.attributes) {
      if (current[definition.name] === undefined) continue;
      const text = `${schema.id}:${definition.name}`;
      if (definition.required) {
        return {
          ok: false,
          error: patchError("mutability", "patch.required", context.where, text),
        };
      }
      if (definition.mutability === "readOnly" || definition.mutability === "immutable") {
        return {
          ok: false,
          error: patchError("mutability", "patch.read_only", context.where, text),
        };
      }
    }
    delete this.resource[schema.id];
    this.touchedExtensions.add(schema.id);
    return DONE;
  }

  /**
   * A no-path `add`/`replace` (or a whole-schema path): each key is an attribute
   * path, so `name.givenName` and `urn:...:User:employeeNumber` keys (Entra) work.
   */
  private applyObject(
    op: PatchOperationName,
    value: Record<string, unknown>,
    within: { schema: SchemaDefinition; isCore: boolean } | undefined,
    context: CoerceContext,
  ): Step {
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item === undefined) continue;
      const resolved = this.resolve(key, within?.schema);
      if (!resolved.ok) return resolved;
      const resolution = resolved.value;
      if (resolution.kind === "skip") continue;
      if (resolution.kind === "schema") {
        if (item === null) continue;
        if (!isObject(item)) {
          return {
            ok: false,
            error: patchError(
              "invalidValue",
              "patch.invalid_value",
              context.where,
              key,
              "an object",
            ),
          };
        }
        const step = this.applyObject(op, item, resolution, context);
        if (!step.ok || step.value !== undefined) return step;
        continue;
      }
      const step = this.applyTarget(op, resolution.target, item, context);
      if (!step.ok || step.value !== undefined) return step;
    }
    return DONE;
  }

  private resolveTarget(text: string): Result<AttributeTarget> {
    const parsed = parsePatchPath(text, { strict: this.strict });
    if (!parsed.ok) return parsed;
    const { path, filter, subAttribute } = parsed.value;
    const resolved = resolvePath(this.resourceSchema, path, "invalidPath");
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
    const bound = bindFilter({ kind: "ValuePath", path, filter }, this.resourceSchema, {
      strict: this.strict,
    });
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
    });
  }

  private applyTarget(
    op: PatchOperationName,
    target: AttributeTarget,
    value: unknown,
    context: CoerceContext,
  ): Step {
    if (
      target.isCore &&
      target.definition.name === this.membersAttribute &&
      this.members === undefined
    ) {
      return this.applyMembershipDelta(op, target, value, context);
    }
    const container = this.container(target, op !== "remove");
    if (container === undefined) {
      // An extension the resource does not carry: nothing to remove.
      if (target.filter !== undefined) {
        return {
          ok: false,
          error: patchError("noTarget", "patch.no_target", context.where, target.text),
        };
      }
      return DONE;
    }
    const name = target.definition.name;
    const before = container[name];
    if (
      op !== "remove" &&
      before === undefined &&
      (target.definition.mutability === "readOnly" ||
        target.subDefinition?.mutability === "readOnly")
    ) {
      // A read-only attribute the resource does not hold cannot be compared: ignore it.
      if (!this.strict) return DONE;
      return {
        ok: false,
        error: patchError("mutability", "patch.read_only", context.where, target.text),
      };
    }
    let after = quickCompute(op, target, before, value);
    if (after === SLOW_PATH) {
      const computed = this.compute(op, target, before, value, context);
      if (!computed.ok) return computed;
      after = computed.value;
    }
    if (needsMutabilityCheck(target) && !deepEqual(before, after)) {
      const check = this.checkMutability(target, before, after, context);
      if (!check.ok) return check;
    }
    if (after === undefined) delete container[name];
    else container[name] = after;
    return DONE;
  }

  private checkMutability(
    target: AttributeTarget,
    before: unknown,
    after: unknown,
    context: CoerceContext,
  ): Result<undefined> {
    const { definition, subDefinition } = target;
    if (definition.mutability === "readOnly" || subDefinition?.mutability === "readOnly") {
      return {
        ok: false,
        error: patchError("mutability", "patch.read_only", context.where, target.text),
      };
    }
    if (
      (definition.mutability === "immutable" || subDefinition?.mutability === "immutable") &&
      before !== undefined
    ) {
      return {
        ok: false,
        error: patchError("mutability", "patch.immutable", context.where, target.text),
      };
    }
    if (definition.required && after === undefined) {
      return {
        ok: false,
        error: patchError("mutability", "patch.required", context.where, target.text),
      };
    }
    return ok(undefined);
  }

  /** The object holding the target's attribute; extension objects are copied on first write. */
  private container(target: AttributeTarget, create: boolean): ScimObject | undefined {
    if (target.isCore) return this.resource;
    const urn = target.schema;
    const current = this.resource[urn];
    if (isObject(current)) {
      if (!this.touchedExtensions.has(urn)) {
        const copy = { ...current };
        this.resource[urn] = copy;
        this.touchedExtensions.add(urn);
        return copy;
      }
      return current;
    }
    if (!create) return undefined;
    const created: ScimObject = {};
    this.resource[urn] = created;
    this.touchedExtensions.add(urn);
    return created;
  }

  /** The attribute's new value (`undefined`: unassigned). Works on a copy of `before`. */
  private compute(
    op: PatchOperationName,
    target: AttributeTarget,
    before: unknown,
    value: unknown,
    context: CoerceContext,
  ): Result<unknown> {
    const { definition, subDefinition, filter } = target;
    if (op !== "remove" && value === undefined) {
      return {
        ok: false,
        error: patchError("invalidSyntax", "patch.missing_value", context.where),
      };
    }
    if (filter !== undefined) return this.computeFiltered(op, target, before, value, context);
    if (subDefinition !== undefined) {
      return this.computeSubAttribute(op, target, before, value, context);
    }
    if (op === "remove") {
      if (value !== undefined && value !== null && definition.multiValued) {
        return this.removeGivenValues(target, before, value, context);
      }
      return ok(undefined);
    }
    if (value === null || (Array.isArray(value) && value.length === 0)) {
      return ok(op === "replace" ? undefined : before);
    }
    if (definition.multiValued) {
      const coerced = coerceMany(definition, value, target.text, context);
      if (!coerced.ok) return coerced;
      const elements: unknown[] = [];
      const base = op === "add" && Array.isArray(before) ? cloneJson(before) : [];
      for (const element of coerced.value) {
        if (base.some((existing) => deepEqual(existing, element))) continue;
        if (elements.some((existing) => deepEqual(existing, element))) continue;
        elements.push(element);
      }
      const result = [...base, ...elements];
      fixPrimary(definition, result, elements);
      return ok(result.length === 0 ? undefined : result);
    }
    const coerced = coerceSingle(definition, value, target.text, context);
    if (!coerced.ok) return coerced;
    if (definition.type !== "complex") return ok(coerced.value);
    const merged = isObject(before) ? { ...before } : {};
    mergeInto(merged, coerced.value as Record<string, unknown>);
    return ok(hasKeys(merged) ? merged : undefined);
  }

  /** `remove` with a value (Entra, authentik): remove exactly the given values, never all. */
  private removeGivenValues(
    target: AttributeTarget,
    before: unknown,
    value: unknown,
    context: CoerceContext,
  ): Result<unknown> {
    if (!Array.isArray(before)) return ok(before);
    const { definition } = target;
    const wrapped = isObject(value) ? (value[definition.name] ?? value) : value;
    const given = coerceMany(definition, wrapped, target.text, {
      ...context,
      strict: false,
    });
    if (!given.ok) return given;
    const valueName =
      definition.type === "complex"
        ? findAttribute(definition.subAttributes, "value")?.name
        : undefined;
    const identity = (element: unknown) =>
      valueName !== undefined && isObject(element) && element[valueName] !== undefined
        ? element[valueName]
        : element;
    const removed = given.value.map(identity);
    // Ids are strings: a set keeps removing k values from n members O(n + k).
    const removedStrings = new Set(removed.filter((entry) => typeof entry === "string"));
    const removedOthers = removed.filter((entry) => typeof entry !== "string");
    const result = before.filter((element) => {
      const key = identity(element);
      if (typeof key === "string") return !removedStrings.has(key);
      return !removedOthers.some((candidate) => deepEqual(candidate, key));
    });
    return ok(result.length === 0 ? undefined : result);
  }

  /** `name.givenName`, or `emails.type` (every value of a multi-valued attribute). */
  private computeSubAttribute(
    op: PatchOperationName,
    target: AttributeTarget,
    before: unknown,
    value: unknown,
    context: CoerceContext,
  ): Result<unknown> {
    const subDefinition = target.subDefinition as AttributeDefinition;
    const subValue = this.subValue(op, target, value, context);
    if (!subValue.ok) return subValue;
    if (target.definition.multiValued) {
      const elements = Array.isArray(before) ? cloneJson(before).filter(isObject) : [];
      if (subValue.value === undefined) {
        if (subDefinition.required && elements.some((element) => subDefinition.name in element)) {
          return {
            ok: false,
            error: patchError("mutability", "patch.required", context.where, target.text),
          };
        }
        for (const element of elements) delete element[subDefinition.name];
      } else if (elements.length === 0) {
        elements.push({ [subDefinition.name]: subValue.value });
      } else {
        for (const element of elements) element[subDefinition.name] = subValue.value;
      }
      const result = elements.filter(hasKeys);
      fixPrimary(target.definition, result, result);
      return ok(result.length === 0 ? undefined : result);
    }
    const object = isObject(before) ? { ...before } : {};
    if (subValue.value === undefined) {
      if (subDefinition.required && subDefinition.name in object) {
        return {
          ok: false,
          error: patchError("mutability", "patch.required", context.where, target.text),
        };
      }
      delete object[subDefinition.name];
    } else object[subDefinition.name] = subValue.value;
    return ok(hasKeys(object) ? object : undefined);
  }

  /** The coerced sub-attribute value, `undefined` for remove or `null`. */
  private subValue(
    op: PatchOperationName,
    target: AttributeTarget,
    value: unknown,
    context: CoerceContext,
  ): Result<unknown> {
    const subDefinition = target.subDefinition as AttributeDefinition;
    if (op === "remove" || value === null) return ok(undefined);
    const path = `${target.text}`;
    if (subDefinition.multiValued) {
      const many = coerceMany(subDefinition, value, path, context);
      if (!many.ok) return many;
      return ok(many.value.length === 0 ? undefined : many.value);
    }
    const single = coerceSingle(subDefinition, value, path, context);
    if (!single.ok) return single;
    return ok(withoutNulls(single.value));
  }

  /** `emails[type eq "work"]` and `emails[type eq "work"].value`. */
  private computeFiltered(
    op: PatchOperationName,
    target: AttributeTarget,
    before: unknown,
    value: unknown,
    context: CoerceContext,
  ): Result<unknown> {
    const { definition, subDefinition } = target;
    const filter = target.filter as ValuePathNode<ResolvedPath>;
    const elements: Record<string, unknown>[] = Array.isArray(before)
      ? cloneJson(before).filter(isObject)
      : [];
    const matches = this.matcher(target, filter);
    const matched = new Set(elements.filter(matches));
    const noTarget = () => ({
      ok: false as const,
      error: patchError("noTarget", "patch.no_target", context.where, target.text),
    });

    if (op === "remove" || (value === null && subDefinition === undefined)) {
      if (matched.size === 0) return op === "remove" ? noTarget() : ok(before);
      let result: Record<string, unknown>[];
      if (subDefinition === undefined) result = elements.filter((element) => !matched.has(element));
      else {
        if (subDefinition.required) {
          return {
            ok: false,
            error: patchError("mutability", "patch.required", context.where, target.text),
          };
        }
        for (const element of matched) delete element[subDefinition.name];
        result = elements.filter(hasKeys);
      }
      return ok(result.length === 0 ? undefined : result);
    }

    let replacement: Record<string, unknown> | undefined;
    let subValue: unknown;
    if (subDefinition === undefined) {
      const coerced = coerceSingle(definition, value, target.text, context);
      if (!coerced.ok) return coerced;
      replacement = coerced.value as Record<string, unknown>;
    } else {
      const coerced = this.subValue(op, target, value, context);
      if (!coerced.ok) return coerced;
      subValue = coerced.value;
    }

    if (matched.size === 0) {
      // Row 20: `emails[type eq "work"].value` creates the work email; a whole-element
      // replace has nothing to replace (RFC 7644 §3.5.2.3), and strict mode never creates on replace.
      if (op === "replace" && (this.strict || subDefinition === undefined)) return noTarget();
      const template = equalityTemplate(filter.filter);
      if (template === undefined) return noTarget();
      const created: Record<string, unknown> =
        subDefinition === undefined
          ? { ...template, ...(withoutNulls(replacement) as Record<string, unknown>) }
          : subValue === undefined
            ? template
            : { ...template, [subDefinition.name]: subValue };
      elements.push(created);
      fixPrimary(definition, elements, [created]);
      return ok(elements);
    }

    const touched: Record<string, unknown>[] = [];
    for (let index = 0; index < elements.length; index++) {
      const element = elements[index] as Record<string, unknown>;
      if (!matched.has(element)) continue;
      if (subDefinition !== undefined) {
        if (subValue === undefined) delete element[subDefinition.name];
        else element[subDefinition.name] = subValue;
        touched.push(element);
      } else if (op === "replace") {
        const next = withoutNulls(replacement) as Record<string, unknown>;
        elements[index] = next;
        touched.push(next);
      } else {
        mergeInto(element, replacement as Record<string, unknown>);
        touched.push(element);
      }
    }
    const result = elements.filter(hasKeys);
    fixPrimary(definition, result, touched);
    return ok(result.length === 0 ? undefined : result);
  }

  private matcher(
    target: AttributeTarget,
    filter: ValuePathNode<ResolvedPath>,
  ): (element: Record<string, unknown>) => boolean {
    // compileFilter caches per filter object, and cached targets keep their filter objects.
    const predicate = compileFilter(filter);
    const test = predicate;
    const name = target.definition.name;
    // The compiled value path reads the attribute from a resource; give it one element at a time.
    if (target.isCore) return (element) => test({ [name]: element });
    const urn = target.schema;
    return (element) => test({ [urn]: { [name]: element } });
  }

  /** Membership without the member list: every form whose effect is a set operation. */
  private get membership(): MembershipDeltaBuilder {
    this.membershipBuilder ??= new MembershipDeltaBuilder();
    return this.membershipBuilder;
  }

  private applyMembershipDelta(
    op: PatchOperationName,
    target: AttributeTarget,
    value: unknown,
    context: CoerceContext,
  ): Step {
    const { definition } = target;
    const parse = (input: unknown): Result<MemberRef[]> =>
      parseMembers(input, definition, { strict: this.strict, where: context.where });
    if (target.subDefinition !== undefined) return ok(NEEDS_MEMBERS);
    if (target.filter === undefined) {
      if (op === "remove") {
        if (value === undefined || value === null) {
          this.membership.replace([]);
          return DONE;
        }
        const members = parseMembers(value, definition, { strict: false, where: context.where });
        if (!members.ok) return members;
        this.membership.remove(members.value.map((member) => member.value));
        return DONE;
      }
      const members = parse(value);
      if (!members.ok) return members;
      if (op === "add") this.membership.add(members.value);
      else this.membership.replace(members.value);
      return DONE;
    }
    if (op !== "remove" || this.strict) return ok(NEEDS_MEMBERS);
    const valueName = findAttribute(definition.subAttributes, "value")?.name;
    const ids =
      valueName === undefined ? undefined : memberIdsOfFilter(target.filter.filter, valueName);
    if (ids === undefined) return ok(NEEDS_MEMBERS);
    this.membership.remove(ids);
    return DONE;
  }

  finish(): PatchApplied {
    for (const urn of this.touchedExtensions) {
      const hasData = hasKeys(this.resource[urn]);
      if (!hasData) delete this.resource[urn];
      const schemas = this.resource.schemas;
      // `schemas` follows only a change in whether the extension carries data.
      if (!Array.isArray(schemas) || hasData === hasKeys(this.original[urn])) continue;
      const lowerUrn = urn.toLowerCase();
      const isUrn = (schema: unknown) =>
        schema === urn ||
        (typeof schema === "string" &&
          schema.length === urn.length &&
          schema.toLowerCase() === lowerUrn);
      const listed = schemas.some(isUrn);
      if (hasData && !listed) this.resource.schemas = [...schemas, urn];
      if (!hasData && listed) this.resource.schemas = schemas.filter((schema) => !isUrn(schema));
    }
    let delta: MembershipDelta | undefined;
    if (this.membersAttribute !== undefined) {
      if (this.members !== undefined) {
        delta = diffMembers(this.members, this.resource[this.membersAttribute]);
        delete this.resource[this.membersAttribute];
      } else delta = this.membershipBuilder?.build();
    }
    const changed = delta !== undefined || !deepEqual(this.original, this.resource);
    return {
      kind: "applied",
      resource: this.resource,
      changed,
      ...(delta === undefined ? {} : { members: delta }),
    };
  }
}

const SLOW_PATH: unique symbol = Symbol("slow path");

/**
 * The new value for the operations IdPs send most (`replace active`, `name.givenName`,
 * an extension string) without the general machinery: a simple value, already valid
 * as sent, set on a single-valued attribute or sub-attribute. Same result as
 * `compute`; `SLOW_PATH` for anything else.
 */
function quickCompute(
  op: PatchOperationName,
  target: AttributeTarget,
  before: unknown,
  value: unknown,
): unknown {
  if (op === "remove" || target.filter !== undefined || target.definition.multiValued) {
    return SLOW_PATH;
  }
  const { subDefinition } = target;
  const leaf = subDefinition ?? target.definition;
  if (leaf.type === "complex" || leaf.multiValued) return SLOW_PATH;
  const coerced = quickCoerce(leaf, value);
  if (coerced === undefined) return SLOW_PATH;
  if (subDefinition === undefined) return coerced;
  if (before !== undefined && !isObject(before)) return SLOW_PATH;
  return { ...before, [subDefinition.name]: coerced };
}

/** Whether a change to the target can break a mutability or required rule. */
const needsMutabilityCheck = (target: AttributeTarget): boolean =>
  target.definition.required ||
  target.definition.mutability === "readOnly" ||
  target.definition.mutability === "immutable" ||
  target.subDefinition?.mutability === "readOnly" ||
  target.subDefinition?.mutability === "immutable";

const targetOf = (path: ResolvedPath): AttributeTarget => ({
  schema: path.schema,
  isCore: path.isCore,
  definition: path.definition,
  ...(path.subDefinition === undefined ? {} : { subDefinition: path.subDefinition }),
  text: printPath(path),
});

/** Whether a value is an object with at least one key (an empty one is unassigned). */
function hasKeys(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const _key in value) return true;
  return false;
}

/** Merges coerced sub-attributes into `target`; `null` unassigns. */
function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key in source) {
    if (source[key] === null) delete target[key];
    else target[key] = source[key];
  }
}

/**
 * The element an `eq` filter describes (`type eq "work" and primary eq true`), so
 * `add`/`replace` on a missing element can create it; `undefined` for other filters.
 */
function equalityTemplate(filter: BoundFilter): Record<string, unknown> | undefined {
  if (filter.kind === "Comparison") {
    if (
      filter.operator !== "eq" ||
      filter.value === null ||
      filter.path.subAttribute === undefined
    ) {
      return undefined;
    }
    return { [filter.path.subAttribute]: filter.value };
  }
  if (filter.kind === "Logical" && filter.operator === "and") {
    const left = equalityTemplate(filter.left);
    const right = equalityTemplate(filter.right);
    return left === undefined || right === undefined ? undefined : { ...left, ...right };
  }
  return undefined;
}

/** RFC 7643 §2.4: at most one value is primary; the one just set wins. */
function fixPrimary(
  definition: AttributeDefinition,
  elements: unknown[],
  touched: readonly unknown[],
): void {
  const primary = findAttribute(definition.subAttributes, PRIMARY);
  if (primary === undefined || primary.type !== "boolean") return;
  let winner: Record<string, unknown> | undefined;
  for (const element of touched) {
    if (isObject(element) && element[primary.name] === true) winner = element;
  }
  if (winner === undefined) return;
  for (let index = 0; index < elements.length; index++) {
    const element = elements[index];
    if (element !== winner && isObject(element) && element[primary.name] === true) {
      elements[index] = { ...element, [primary.name]: false };
    }
  }
}
