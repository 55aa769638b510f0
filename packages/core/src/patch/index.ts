export {
  type ApplyPatchInput,
  applyPatch,
  type PatchApplied,
  type PatchNeedsMembers,
  type PatchOptions,
  type PatchOutcome,
} from "./apply-patch";
export { DEFAULT_MEMBER_TYPE } from "./membership-delta";
export type { PatchErrorCode } from "./messages";
export {
  DEFAULT_MAX_OPERATIONS,
  type PatchOperation,
  type PatchOperationName,
  parsePatchRequest,
} from "./parse-patch-request";
