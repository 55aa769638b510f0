export * from "./create-scim-service";
export * from "./etag";
export * from "./events";
export type {
  AuthenticationScheme,
  ScimErrorContext,
  ScimServiceLimits,
} from "./options";
export { DEFAULT_AUTHENTICATION_SCHEME } from "./options";
export type * from "./types";
