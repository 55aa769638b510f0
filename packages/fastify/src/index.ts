export type {
  HandlerSource,
  NoAuth,
  StaticToken,
  StaticTokensAuth,
  StoreSource,
  TokenHash,
  TokenHashesAuth,
  VerifiedToken,
} from "@scimkit/http";
export { generateToken, hashToken, TOKEN_PREFIX } from "@scimkit/http";
export { type ManagementPluginOptions, managementPlugin } from "./management-plugin";
export { type ScimPluginOptions, scimPlugin } from "./scim-plugin";
