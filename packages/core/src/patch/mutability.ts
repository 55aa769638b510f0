/**
 * The schema's write rules for PATCH (RFC 7643 §2.2 mutability, RFC 7644 §3.5.2):
 * read-only values cannot change, immutable ones only while unassigned, required
 * ones cannot be removed. One place words and decides them, so every computation
 * path (quick or general) answers the same.
 */
import { ok, type Result } from "../errors";
import type { AttributeDefinition, ResourceSchema, SchemaDefinition } from "../schema/types";
import { patchError } from "./messages";
import type { PatchOperationName } from "./parse-patch-request";
import type { AttributeTarget } from "./target-resolver";

const isReadOnly = (definition: AttributeDefinition, subDefinition?: AttributeDefinition) =>
  definition.mutability === "readOnly" || subDefinition?.mutability === "readOnly";

const isImmutable = (definition: AttributeDefinition, subDefinition?: AttributeDefinition) =>
  definition.mutability === "immutable" || subDefinition?.mutability === "immutable";

/**
 * Whether any write rule (read-only, immutable, required) applies to a target of
 * these definitions. Resolved targets carry the answer as `guarded`, so a write
 * to an unguarded attribute (most of what IdPs send) skips the checks below.
 */
export const hasWriteRules = (
  definition: AttributeDefinition,
  subDefinition: AttributeDefinition | undefined,
): boolean =>
  definition.required ||
  isReadOnly(definition, subDefinition) ||
  isImmutable(definition, subDefinition);

/**
 * (Only for `guarded` targets.) A write to a read-only attribute the resource does
 * not hold (e.g. `groups`, derived elsewhere): it cannot be compared with a current
 * value, so lenient mode ignores it and strict mode rejects it with `readOnlyError`.
 */
export const writesUnheldReadOnly = (
  op: PatchOperationName,
  target: AttributeTarget,
  before: unknown,
): boolean =>
  op !== "remove" && before === undefined && isReadOnly(target.definition, target.subDefinition);

export const readOnlyError = (target: AttributeTarget, where: string) =>
  patchError("mutability", "patch.read_only", where, target.text);

/** RFC 7644 §3.5.2.2: a required attribute (or sub-attribute) cannot be removed. */
export const requiredError = (target: AttributeTarget, where: string) =>
  patchError("mutability", "patch.required", where, target.text);

/** Whether a `guarded` target may change from `before` to `after` (callers pass only real changes). */
export function checkMutability(
  target: AttributeTarget,
  before: unknown,
  after: unknown,
  where: string,
): Result<undefined> {
  const { definition, subDefinition } = target;
  if (isReadOnly(definition, subDefinition)) {
    return { ok: false, error: readOnlyError(target, where) };
  }
  if (isImmutable(definition, subDefinition) && before !== undefined) {
    return {
      ok: false,
      error: patchError("mutability", "patch.immutable", where, target.text),
    };
  }
  if (definition.required && after === undefined) {
    return { ok: false, error: requiredError(target, where) };
  }
  return ok(undefined);
}

/** Whether a whole extension the resource carries (`current`) may be removed. */
export function checkExtensionRemoval(
  resourceSchema: ResourceSchema,
  schema: SchemaDefinition,
  current: Record<string, unknown>,
  where: string,
): Result<undefined> {
  const extension = resourceSchema.extensions.find((entry) => entry.schema === schema);
  if (extension?.required) {
    return {
      ok: false,
      error: patchError("mutability", "patch.required_extension", where, schema.id),
    };
  }
  for (const definition of schema.attributes) {
    if (current[definition.name] === undefined) continue;
    const text = `${schema.id}:${definition.name}`;
    if (definition.required) {
      return { ok: false, error: patchError("mutability", "patch.required", where, text) };
    }
    if (isReadOnly(definition) || isImmutable(definition)) {
      return { ok: false, error: patchError("mutability", "patch.read_only", where, text) };
    }
  }
  return ok(undefined);
}
