/**
 * The PATCH engine's entry point: the public contract (`applyPatch` and its
 * outcome types) and the run that applies one PatchOp's operations, in order, to
 * a working copy of the resource. Each operation's path is resolved by the
 * target resolver, its value computed by compute-value, checked by the mutability
 * rules, or recorded as a membership delta; this file only routes and keeps the copy.
 */
import { ok, type Result } from "../errors";
import { diffMembers, MembershipDeltaBuilder } from "../membership/membership-delta";
import type { ResourceSchema, ScimObject } from "../schema/types";
import type { MemberRef, MembershipDelta } from "../store/contract";
import type { CoerceContext } from "./coerce-value";
import { computeValue, quickCompute } from "./compute-value";
import { deepEqual, hasKeys, isObject } from "./json-value";
import { applyMembershipOperation } from "./membership-operation";
import { patchError } from "./messages";
import {
  checkExtensionRemoval,
  checkMutability,
  readOnlyError,
  writesUnheldReadOnly,
} from "./mutability";
import {
  DEFAULT_MAX_OPERATIONS,
  type PatchOperation,
  type PatchOperationName,
  parsePatchRequest,
} from "./parse-patch-request";
import {
  type AttributeTarget,
  type SchemaResolution,
  type TargetResolver,
  targetResolver,
} from "./target-resolver";

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
   * - `schemas` or `meta` inside an extension's value (`"path": "urn:...:enterprise:2.0:User"`
   *   or an extension key of a no-path value) is 400 `invalidValue` (lenient: ignored,
   *   as PUT ignores it);
   * - the schema validator's own strict rules (unknown attributes, canonical values,
   *   a single value for a multi-valued attribute: see `ValidationOptions`).
   * Always on, because they cannot grant unintended access: case-insensitive `op`
   * and names, `"True"`/`"False"`, dotted and URN-qualified keys in no-path values,
   * remove-with-value on members (rows 3-4), `id` equal to the current one and
   * `meta`/`schemas` at the top of a no-path value (row 6), bare-string `manager`
   * (row 7), `null` = unassign.
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
  /**
   * False when no operation looked at the resource's attributes (every one went to
   * the membership delta): the same outcome follows from any resource with this
   * `id`, so a caller may write the delta without reading the resource first.
   */
  readonly readResource: boolean;
}

/**
 * The PATCH uses a form that can only be evaluated against the member list
 * (e.g. `members[display eq "x"]`): load the members and call again with `members`.
 */
export interface PatchNeedsMembers {
  readonly kind: "needsMembers";
}

export type PatchOutcome = PatchApplied | PatchNeedsMembers;

const NEEDS_MEMBERS: PatchNeedsMembers = { kind: "needsMembers" };

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

/** One operation's outcome: done (`undefined`), or the member list is needed. */
type Step = Result<undefined | PatchNeedsMembers>;
const DONE: Step = ok(undefined);

/**
 * One PATCH in progress: the working copy of the resource, which operation goes
 * where (membership delta, whole schema, no-path object, one attribute), and the
 * outcome. Resolution, computation and the write rules live in their own units.
 */
class PatchRun {
  private readonly resource: ScimObject;
  private readonly original: ScimObject;
  private readonly membersAttribute: string | undefined;
  private readonly resolver: TargetResolver;
  private membershipBuilder: MembershipDeltaBuilder | undefined;
  /** Extensions copied (so writable) or created by this run; their `schemas` entry is kept in step. */
  private readonly touchedExtensions = new Set<string>();
  /**
   * Core attributes this run wrote. With the touched extensions and `schemas` they are
   * every top-level key that can differ from the original (the rest are shared), so
   * `changed` compares only them.
   */
  private readonly writtenAttributes: string[] = [];
  /** Whether an operation went to the resource's attributes (see `PatchApplied.readResource`). */
  private readResource = false;

  constructor(
    private readonly resourceSchema: ResourceSchema,
    resource: ScimObject,
    private readonly members: readonly MemberRef[] | undefined,
    private readonly strict: boolean,
  ) {
    this.resolver = targetResolver(resourceSchema, strict);
    this.membersAttribute = resourceSchema.resourceType.membersAttribute;
    this.original = resource;
    if (this.membersAttribute !== undefined && this.membersAttribute in resource) {
      const { [this.membersAttribute]: _members, ...rest } = resource;
      this.original = rest;
    }
    this.resource = Object.assign({}, this.original);
    if (this.membersAttribute !== undefined && members !== undefined) {
      this.resource[this.membersAttribute] = members.map((member) => Object.assign({}, member));
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
    const resolved = this.resolver.operationPath(operation.path);
    if (!resolved.ok) return resolved;
    if (resolved.value.kind === "schema") {
      return this.applySchema(operation, resolved.value, context);
    }
    return this.applyTarget(operation.op, resolved.value.target, operation.value, context);
  }

  /** The whole-schema path: `"path": "urn:...:enterprise:2.0:User"`. */
  private applySchema(
    operation: PatchOperation,
    within: SchemaResolution,
    context: CoerceContext,
  ): Step {
    this.readResource = true;
    if (operation.op !== "remove") {
      if (!isObject(operation.value)) {
        return {
          ok: false,
          error: patchError("invalidValue", "patch.value_not_object", operation.where),
        };
      }
      return this.applyObject(operation.op, operation.value, within, context);
    }
    if (within.isCore) {
      return {
        ok: false,
        error: patchError(
          "invalidPath",
          "patch.remove_core_schema",
          operation.where,
          within.schema.id,
        ),
      };
    }
    const current = this.resource[within.schema.id];
    if (!isObject(current)) return DONE;
    const check = checkExtensionRemoval(this.resourceSchema, within.schema, current, context.where);
    if (!check.ok) return check;
    delete this.resource[within.schema.id];
    this.touchedExtensions.add(within.schema.id);
    return DONE;
  }

  /**
   * A no-path `add`/`replace` (or a whole-schema path): each key is an attribute
   * path, so `name.givenName` and `urn:...:User:employeeNumber` keys (Entra) work.
   */
  private applyObject(
    op: PatchOperationName,
    value: Record<string, unknown>,
    within: SchemaResolution | undefined,
    context: CoerceContext,
  ): Step {
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item === undefined) continue;
      const resolved = this.resolver.valueKey(key, within?.schema);
      if (!resolved.ok) return resolved;
      const resolution = resolved.value;
      if (resolution.kind === "skip") continue;
      if (resolution.kind === "envelope") {
        if (!this.strict) continue;
        return {
          ok: false,
          error: patchError(
            "invalidValue",
            "patch.envelope_in_schema",
            context.where,
            key,
            resolution.urn,
          ),
        };
      }
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
      this.membershipBuilder ??= new MembershipDeltaBuilder();
      const step = applyMembershipOperation(this.membershipBuilder, op, target, value, context);
      if (!step.ok) return step;
      return step.value === "needsMembers" ? ok(NEEDS_MEMBERS) : DONE;
    }
    this.readResource = true;
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
    if (target.guarded && writesUnheldReadOnly(op, target, before)) {
      if (!this.strict) return DONE;
      return { ok: false, error: readOnlyError(target, context.where) };
    }
    let after = quickCompute(op, target, before, value);
    if (after === undefined) {
      const computed = computeValue(op, target, before, value, context);
      if (!computed.ok) return computed;
      after = computed.value;
    }
    if (target.guarded && !deepEqual(before, after)) {
      const check = checkMutability(target, before, after, context.where);
      if (!check.ok) return check;
    }
    if (after === undefined) delete container[name];
    else container[name] = after;
    if (target.isCore) this.writtenAttributes.push(name);
    return DONE;
  }

  /** The object holding the target's attribute; extension objects are copied on first write. */
  private container(target: AttributeTarget, create: boolean): ScimObject | undefined {
    if (target.isCore) return this.resource;
    const urn = target.schema;
    const current = this.resource[urn];
    if (isObject(current)) {
      if (!this.touchedExtensions.has(urn)) {
        const copy = Object.assign({}, current);
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
    const changed = delta !== undefined || this.attributesChanged();
    return {
      kind: "applied",
      resource: this.resource,
      changed,
      ...(delta === undefined ? {} : { members: delta }),
      readResource: this.readResource,
    };
  }

  /** Whether the resource differs from the original (deep-equal), comparing only what the run can have changed. */
  private attributesChanged(): boolean {
    const differs = (key: string) => !deepEqual(this.original[key], this.resource[key]);
    if (differs("schemas")) return true;
    for (const name of this.writtenAttributes) if (differs(name)) return true;
    for (const urn of this.touchedExtensions) if (differs(urn)) return true;
    return false;
  }
}
