export { generateToken, hashToken, TOKEN_PREFIX } from "./hash-token";
export { type ManagementRouterOptions, managementRouter } from "./management-router";
export type {
  HandlerSource,
  NoAuth,
  ScimAuthOptions,
  ScimHttpOptions,
  ScimRouterOptions,
  ServiceOptionsWithoutStore,
  StaticToken,
  StaticTokensAuth,
  StoreSource,
  TokenHash,
  TokenHashesAuth,
  VerifiedToken,
  VerifyAuth,
} from "./options";
export { scimRouter } from "./scim-router";
