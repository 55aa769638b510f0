import { ScimError } from "../errors";
import type { UniqueKey } from "./contract";

/**
 * The errors the store contract names, built in one place so every store reports
 * a conflict the same way and core recognises it by `code`, not by its wording.
 */

/**
 * 409 `uniqueness`: one of `keys` is held by another live record. With no keys,
 * the record's id itself is taken (a create that reused an id).
 */
export function uniquenessError(keys: readonly UniqueKey[], cause?: unknown): ScimError {
  return new ScimError({
    status: 409,
    scimType: "uniqueness",
    detail:
      keys.length === 0
        ? "A resource with this id already exists."
        : `The value of ${keys.map((key) => `"${key.attribute}"`).join(" or ")} is already in use.`,
    code: "uniqueness",
    cause,
  });
}

/** 412 for an `expectedVersion` that is no longer the record's version. */
export function versionConflictError(id: string): ScimError {
  return new ScimError({
    status: 412,
    detail: `Resource ${id} was changed by another request; fetch it again and retry.`,
    code: "version_conflict",
  });
}

/** Whether `error` is a store's `versionConflictError` (a lost race the service may retry). */
export function isVersionConflict(error: unknown): boolean {
  return ScimError.is(error) && error.status === 412 && error.code === "version_conflict";
}

/**
 * 400 for an update with `checkMembers` whose added members are not all live
 * records of the types given; the store wrote nothing. Core answers it by looking
 * the members up (`resolveMembers`) and writing again, so clients never see it.
 */
export function unresolvedMembersError(cause?: unknown): ScimError {
  return new ScimError({
    status: 400,
    scimType: "invalidValue",
    detail: "A member is not an existing resource of the type given.",
    code: "members.unresolved",
    cause,
  });
}

/** Whether `error` is a store's `unresolvedMembersError`. */
export function isUnresolvedMembers(error: unknown): boolean {
  return ScimError.is(error) && error.status === 400 && error.code === "members.unresolved";
}
