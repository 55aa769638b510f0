import type * as Http from "@scimkit/http";
import type { Request } from "express";

export type {
  HandlerSource,
  NoAuth,
  ServiceOptionsWithoutStore,
  StaticToken,
  StaticTokensAuth,
  StoreSource,
  TokenHash,
  TokenHashesAuth,
  VerifiedToken,
} from "@scimkit/http";

/** Your own token check; `request` is the Express request. See `@scimkit/http`'s `VerifyAuth`. */
export type VerifyAuth = Http.VerifyAuth<Request>;
/** How requests are authenticated; exactly one form. */
export type ScimAuthOptions = Http.ScimAuthOptions<Request>;
/** Options for HTTP concerns; `onError` receives the Express request. */
export type ScimHttpOptions = Http.ScimHttpOptions<Request>;
export type ScimRouterOptions = Http.ScimHandlerOptions<Request>;
