/**
 * `@scimkit/core/store`: what a store implementer builds with. The contract
 * (`ScimStore` and its types), the errors it names, and core's own building
 * blocks a store may reuse: the in-memory evaluator of list queries and the
 * cursor codec, and the types the contract is written in, so an implementer
 * needs one import. Applications never need this entry point.
 */

export { badRequest, fail, notFound, ok, type Result, ScimError, unwrap } from "../errors";
export type { BoundFilter, FilterValue } from "../filter/ast";
export type { ResolvedPath } from "../path/ast";
export { type CursorPosition, decodeCursor, encodeCursor } from "../repository/cursor";
export {
  filterReferences,
  type QueryInMemoryOptions,
  queryInMemory,
} from "../repository/query-in-memory";
export { printPath } from "../schema/resolve-path";
export type { AttributeDefinition, ScimObject } from "../schema/types";
export { committedData } from "./change-drafts";
export * from "./contract";
export * from "./store-errors";
