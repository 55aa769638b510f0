import { ok, type Result } from "../errors";
import { PATCH_OP_SCHEMA } from "../schema/urns";
import { isObject } from "./json-value";
import { patchError } from "./messages";

export type PatchOperationName = "add" | "replace" | "remove";

/** One operation of a PatchOp message, checked for shape but not yet bound to a schema. */
export interface PatchOperation {
  readonly op: PatchOperationName;
  readonly path?: string;
  /** `undefined` when the operation carried no `value` member. */
  readonly value: unknown;
  /** `Operations[i]`, for error messages. */
  readonly where: string;
}

export const DEFAULT_MAX_OPERATIONS = 1000;

const OPERATION_NAMES: ReadonlyMap<string, PatchOperationName> = new Map([
  ["add", "add"],
  ["replace", "replace"],
  ["remove", "remove"],
]);

/** `Operations[i]` labels for the usual short PatchOps, built once. */
const WHERE: readonly string[] = Array.from({ length: 32 }, (_, index) => `Operations[${index}]`);

const PATCH_OP_LOWER = PATCH_OP_SCHEMA.toLowerCase();

/** A member by exact name, else by case-insensitive name (`Operations`, `operations`). */
function member(object: Record<string, unknown>, name: string): unknown {
  const exact = object[name];
  if (exact !== undefined || name in object) return exact;
  const wanted = name.toLowerCase();
  for (const key in object) {
    // Only a key of the same length can match; lower-casing the others would only allocate.
    if (key.length === wanted.length && key.toLowerCase() === wanted) return object[key];
  }
  return undefined;
}

const isPatchOpUrn = (schema: unknown): boolean =>
  schema === PATCH_OP_SCHEMA ||
  (typeof schema === "string" &&
    schema.length === PATCH_OP_LOWER.length &&
    schema.toLowerCase() === PATCH_OP_LOWER);

/**
 * Checks a PatchOp envelope (RFC 7644 §3.5.2) and returns its operations.
 * `op` is case-insensitive (Entra sends `Replace`), member names too. A missing
 * `schemas` is accepted unless `strict`; a `schemas` that does not list the PatchOp
 * URN is 400 `invalidSyntax`. More than `maxOperations` operations is 400 `tooMany`.
 */
export function parsePatchRequest(
  request: unknown,
  options: { readonly strict: boolean; readonly maxOperations: number },
): Result<PatchOperation[]> {
  if (!isObject(request)) {
    return { ok: false, error: patchError("invalidSyntax", "patch.body_not_object") };
  }
  const schemas = member(request, "schemas");
  if (schemas !== undefined || options.strict) {
    const listed = Array.isArray(schemas) && schemas.some(isPatchOpUrn);
    if (!listed) return { ok: false, error: patchError("invalidSyntax", "patch.missing_schema") };
  }
  const operations = member(request, "Operations");
  if (!Array.isArray(operations) || operations.length === 0) {
    return { ok: false, error: patchError("invalidSyntax", "patch.no_operations") };
  }
  if (operations.length > options.maxOperations) {
    return {
      ok: false,
      error: patchError("tooMany", "patch.too_many_operations", options.maxOperations),
    };
  }
  const result: PatchOperation[] = [];
  for (let index = 0; index < operations.length; index++) {
    const where = WHERE[index] ?? `Operations[${index}]`;
    const operation = operations[index];
    if (!isObject(operation)) {
      return { ok: false, error: patchError("invalidSyntax", "patch.operation_not_object", where) };
    }
    const opText = member(operation, "op");
    const op =
      typeof opText === "string"
        ? (OPERATION_NAMES.get(opText) ?? OPERATION_NAMES.get(opText.toLowerCase()))
        : undefined;
    if (op === undefined) {
      return {
        ok: false,
        error: patchError(
          "invalidSyntax",
          "patch.unknown_op",
          where,
          typeof opText === "string" ? opText.slice(0, 32) : String(opText),
        ),
      };
    }
    const path = member(operation, "path");
    if (path !== undefined && path !== null && typeof path !== "string") {
      return { ok: false, error: patchError("invalidPath", "patch.path_not_string", where) };
    }
    const pathText = typeof path === "string" && path.trim() !== "" ? path : undefined;
    const value = member(operation, "value");
    if (op === "remove" && pathText === undefined) {
      return { ok: false, error: patchError("noTarget", "patch.remove_without_path", where) };
    }
    if (op !== "remove" && value === undefined) {
      return { ok: false, error: patchError("invalidSyntax", "patch.missing_value", where) };
    }
    result.push(
      pathText === undefined ? { op, value, where } : { op, path: pathText, value, where },
    );
  }
  return ok(result);
}
