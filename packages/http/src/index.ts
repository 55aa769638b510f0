export {
  type FetchMountOptions,
  type ManagementFetchHandlerOptions,
  managementFetchHandler,
  type ScimFetchHandler,
  type ScimFetchHandlerOptions,
  scimFetchHandler,
} from "./fetch-handler";
export type { ManagementAuthOptions, ManagementHttpOptions } from "./management-endpoint";
export type {
  HandlerSource,
  NoAuth,
  ScimAuthOptions,
  ScimHandlerOptions,
  ScimHttpOptions,
  ServiceOptionsWithoutStore,
  StaticToken,
  StaticTokensAuth,
  StoreSource,
  TokenHash,
  TokenHashesAuth,
  VerifiedToken,
  VerifyAuth,
} from "./options";
export { generateToken, hashToken, TOKEN_PREFIX } from "./token";
