export type * from "./ast";
export { type BindFilterOptions, bindFilter, OPERATORS_BY_TYPE } from "./bind-filter";
export { compareValues } from "./compare-values";
export {
  compileFilter,
  evaluateFilter,
  type FilterPredicate,
  readValues,
} from "./compile-filter";
export { parseDateTime } from "./date-time";
export type { BindErrorCode, SyntaxErrorCode } from "./messages";
export {
  DEFAULT_FILTER_MAX_DEPTH,
  DEFAULT_FILTER_MAX_LENGTH,
  type ParseFilterOptions,
  parseFilter,
  parsePatchPath,
} from "./parser";
export { printFilter } from "./printer";
