export type * from "./ast";
export type { SyntaxErrorCode } from "./messages";
export {
  DEFAULT_FILTER_MAX_DEPTH,
  DEFAULT_FILTER_MAX_LENGTH,
  type ParseFilterOptions,
  parseFilter,
  parsePatchPath,
} from "./parser";
export { printFilter } from "./printer";
