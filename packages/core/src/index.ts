/**
 * `@scimkit/core`: what applications rely on, by name. Store implementers find
 * the contract's helpers in `@scimkit/core/store`; everything else is internal.
 */

// Errors and results (RFC 7644 §3.12).
export {
  ERROR_SCHEMA,
  fail,
  ok,
  type Result,
  ScimError,
  type ScimErrorBody,
  type ScimErrorOptions,
  type ScimType,
  unwrap,
} from "./errors";
// The durable change feed: consumers that run at least once per committed change.
export {
  type ChangeConsumer,
  type ChangeConsumerOptions,
  type ConsumerReport,
  type ConsumerRetryOptions,
  createChangeConsumer,
  RetryLaterError,
} from "./feed/create-change-consumer";
export { type FeedChange, toFeedChange } from "./feed/feed-change";
export type {
  BoundFilter,
  ComparisonNode,
  ComparisonOperator,
  FilterNode,
  FilterValue,
  LogicalNode,
  NotNode,
  PresentNode,
  ValuePathNode,
} from "./filter/ast";
export { type BindFilterOptions, bindFilter } from "./filter/bind-filter";
export { compileFilter, evaluateFilter, type FilterPredicate } from "./filter/compile-filter";
export type { BindErrorCode, SyntaxErrorCode } from "./filter/messages";
export { type ParseFilterOptions, parseFilter } from "./filter/parser";
export { printFilter } from "./filter/printer";
// Tenants, tokens and the management API.
export {
  createManagementService,
  type ManagementService,
  type ManagementServiceOptions,
} from "./management/create-management-service";
export type {
  ManagementErrorBody,
  ManagementHandler,
  ManagementRequest,
  ManagementResponse,
} from "./management/types";
// PATCH, list queries and projection.
export {
  type ApplyPatchInput,
  applyPatch,
  type PatchApplied,
  type PatchNeedsMembers,
  type PatchOptions,
  type PatchOutcome,
} from "./patch/apply-patch";
export type { PatchErrorCode } from "./patch/messages";
export type { PatchOperation, PatchOperationName } from "./patch/parse-patch-request";
// Attribute paths and the filter language.
export type { AttributePath, PatchPath, ResolvedPath } from "./path/ast";
export { parseAttributePath } from "./path/parse-attribute-path";
export {
  type ListResponseBody,
  type ListResponseInput,
  listResponse,
} from "./query/list-response";
export type { QueryErrorCode } from "./query/messages";
export {
  type ListPage,
  type ListQuery,
  type ListQueryOptions,
  type ListQuerySource,
  parseListQuery,
} from "./query/parse-list-query";
export {
  type Projection,
  type ProjectionPath,
  projectResource,
  type SchemaSelector,
} from "./query/project-resource";
// Storage: the contract stores implement, and core's wrapper over it.
export {
  createRepository,
  type Repository,
  type RepositoryCreateInput,
  type RepositoryOptions,
  type RepositoryQuery,
  type RepositoryResourceOptions,
  type RepositorySchemas,
  type RepositoryUpdateInput,
} from "./repository/create-repository";
// Schemas as data.
export {
  createSchemaRegistry,
  type SchemaExtensionOption,
  type SchemaRegistry,
  type SchemaRegistryOptions,
} from "./schema/create-schema-registry";
export {
  type AttributeOptions,
  attribute,
  type BuiltAttribute,
  complex,
  defineSchema,
} from "./schema/define-schema";
export { enterpriseUserSchema } from "./schema/enterprise-user-schema";
export { groupSchema } from "./schema/group-schema";
export type {
  EnterpriseUser,
  InferResource,
  ScimGroup,
  ScimUser,
} from "./schema/infer-resource";
export { printPath, resolvePath } from "./schema/resolve-path";
export { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from "./schema/resource-types";
export type {
  AttributeDefinition,
  AttributeType,
  Mutability,
  ResourceSchema,
  ResourceTypeDefinition,
  Returned,
  SchemaDefinition,
  ScimObject,
  Uniqueness,
} from "./schema/types";
export {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  PATCH_OP_SCHEMA,
  USER_SCHEMA,
} from "./schema/urns";
export { userSchema } from "./schema/user-schema";
export { type ValidationOptions, validateResource } from "./schema/validate-resource";
// The protocol service.
export {
  createScimService,
  type PurgeExpiredOptions,
  type RestoreDeletedServiceOptions,
  type ScimService,
  type ScimServiceOptions,
} from "./service/create-scim-service";
export {
  type GroupMembersChangedEvent,
  type GroupRenamedEvent,
  type GroupResourceEvent,
  groupPolicyName,
  SCIM_EVENT_NAMES,
  type ScimDeletedEvent,
  type ScimEventBase,
  type ScimEventListener,
  type ScimEventMap,
  type ScimEventName,
  type ScimEvents,
  type ScimPurgedEvent,
  type ScimResourceEvent,
} from "./service/events";
export {
  type AuthenticationScheme,
  DEFAULT_AUTHENTICATION_SCHEME,
  type DeletionOptions,
  type ScimErrorContext,
  type ScimServiceLimits,
} from "./service/options";
export type { PruneResult } from "./service/provisioning-log";
export type { ScimHandler, ScimRequest, ScimResponse } from "./service/types";
export type * from "./store/contract";
export { STORE_SPECIFICATION_VERSION } from "./store/contract";
export {
  createTokenVerifier,
  type StaticTokenHash,
  type TokenVerifierOptions,
  type VerifiedToken,
} from "./tenants/create-token-verifier";
export {
  type IssuedToken,
  issueToken,
  TENANT_ID,
  TOKEN_PREFIX,
  tokenSha256,
} from "./tenants/tokens";
