export * from "./create-scim-service";
export * from "./etag";
export * from "./events";
export type {
  AuthenticationScheme,
  DeletionOptions,
  ScimErrorContext,
  ScimServiceLimits,
} from "./options";
export { DEFAULT_AUTHENTICATION_SCHEME } from "./options";
export type * from "./types";
