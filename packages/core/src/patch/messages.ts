import { errorsFromTable } from "../errors";
import { PATCH_OP_SCHEMA } from "../schema/urns";

/** Human wording of every PATCH error, keyed by machine code. `where` names the operation. */
const MESSAGES = {
  "patch.body_not_object": () => "The PATCH body must be a JSON object (a PatchOp message).",
  "patch.missing_schema": () => `A PatchOp message must list "${PATCH_OP_SCHEMA}" in "schemas".`,
  "patch.no_operations": () => 'A PatchOp message needs a non-empty "Operations" array.',
  "patch.too_many_operations": (limit: number) =>
    `A PatchOp message may carry at most ${limit} operations.`,
  "patch.operation_not_object": (where: string) => `${where} must be a JSON object.`,
  "patch.unknown_op": (where: string, op: string) =>
    `${where}: "op" must be "add", "replace" or "remove", found "${op}".`,
  "patch.path_not_string": (where: string) => `${where}: "path" must be a string.`,
  "patch.missing_value": (where: string) => `${where}: "value" is required for this operation.`,
  "patch.value_not_object": (where: string) =>
    `${where}: without a path, "value" must be an object of attributes.`,
  "patch.remove_without_path": (where: string) => `${where}: "remove" needs a "path".`,
  "patch.no_target": (where: string, path: string) =>
    `${where}: no value of "${path}" matches the filter.`,
  "patch.filter_on_single_valued": (where: string, path: string) =>
    `${where}: "${path}" is not a multi-valued complex attribute and cannot take a value filter.`,
  "patch.sub_attribute_of_simple": (where: string, path: string) =>
    `${where}: "${path}" has no sub-attributes.`,
  "patch.read_only": (where: string, path: string) =>
    `${where}: "${path}" is read-only and cannot be changed.`,
  "patch.immutable": (where: string, path: string) =>
    `${where}: "${path}" is immutable and already has a value.`,
  "patch.required": (where: string, path: string) =>
    `${where}: "${path}" is required and cannot be removed.`,
  "patch.invalid_value": (where: string, path: string, expected: string) =>
    `${where}: the value of "${path}" must be ${expected}.`,
  "patch.unknown_sub_attribute": (where: string, path: string, name: string) =>
    `${where}: "${path}" has no sub-attribute "${name}".`,
  "patch.member_value": (where: string) =>
    `${where}: every member needs a non-empty string "value" (the member's id).`,
  "patch.remove_core_schema": (where: string, urn: string) =>
    `${where}: "${urn}" is the resource type's core schema and cannot be removed.`,
  "patch.required_extension": (where: string, urn: string) =>
    `${where}: the extension "${urn}" is required and cannot be removed.`,
  "patch.envelope_in_schema": (where: string, key: string, urn: string) =>
    `${where}: "${key}" belongs to the resource, not inside the value of "${urn}".`,
} as const;

export type PatchErrorCode = keyof typeof MESSAGES;

/** A 400 ScimError for a PATCH failure, worded from the table above. */
export const patchError = errorsFromTable(MESSAGES);
