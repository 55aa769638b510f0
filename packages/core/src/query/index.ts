export { type ListResponseBody, type ListResponseInput, listResponse } from "./list-response";
export type { QueryErrorCode } from "./messages";
export {
  DEFAULT_MAX_COUNT,
  type ListPage,
  type ListQuery,
  type ListQueryOptions,
  type ListQuerySource,
  MAX_CURSOR_LENGTH,
  MAX_PROJECTION_PATHS,
  parseListQuery,
  parseProjection,
} from "./parse-list-query";
export {
  isAttributeReturned,
  needsMembers,
  type Projection,
  type ProjectionPath,
  projectResource,
  type SchemaSelector,
} from "./project-resource";
