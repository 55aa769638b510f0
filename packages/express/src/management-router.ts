import type { ManagementHttpOptions } from "@scimkit/http";
import { createManagementHttp } from "@scimkit/http/adapter";
import type { Request, RequestHandler } from "express";
import { expressHandler } from "./scim-router";

const OWNER = { factory: "managementRouter", packageName: "@scimkit/express" } as const;

/** Options of `managementRouter`; `authorize` and `onError` receive the Express request. */
export type ManagementRouterOptions = ManagementHttpOptions<Request>;

/**
 * Express middleware serving the management API (tenants, their tokens, the
 * provisioning log; see `createManagementService` in `@scimkit/core`) below any
 * path, guarded by an admin bearer token or your own `authorize(request)`:
 *
 * ```ts
 * app.use("/admin/api", managementRouter({ store, auth: { token: process.env.ADMIN_TOKEN! } }));
 * ```
 *
 * Never mount it behind the SCIM tokens: an IdP's token must not manage tenants.
 *
 * @throws TypeError when the options are invalid, at once rather than on the first request.
 */
export function managementRouter(options: ManagementRouterOptions): RequestHandler {
  return expressHandler(createManagementHttp<Request>(options, OWNER).serve);
}
