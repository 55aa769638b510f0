import type { ManagementHttpOptions } from "@scimkit/http";
import { createManagementHttp } from "@scimkit/http/adapter";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { fastifyPlugin } from "./scim-plugin";

const OWNER = { factory: "managementPlugin", packageName: "@scimkit/fastify" } as const;

/** Options of `managementPlugin`; `authorize` and `onError` receive the Fastify request. */
export type ManagementPluginOptions = ManagementHttpOptions<FastifyRequest>;

/**
 * A Fastify 5 plugin serving the management API (tenants, tokens, the
 * provisioning log) below its prefix, guarded by an admin token or `authorize`:
 *
 * ```ts
 * await app.register(managementPlugin({ store, auth: { token } }), { prefix: "/admin/api" });
 * ```
 *
 * @throws TypeError when the options are invalid, at once rather than on register.
 */
export function managementPlugin(options: ManagementPluginOptions): FastifyPluginAsync {
  const http = createManagementHttp<FastifyRequest>(options, OWNER);
  return fastifyPlugin(http.serve, options, "@scimkit/fastify/management");
}
