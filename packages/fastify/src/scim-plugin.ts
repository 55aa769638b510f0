import type { ScimService } from "@scimkit/core";
import type { HandlerSource, ScimHttpOptions, StoreSource } from "@scimkit/http";
import {
  type AdapterRequest,
  createScimHttp,
  nodeRequestBody,
  type Pipeline,
} from "@scimkit/http/adapter";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";

const OWNER = { factory: "scimPlugin", packageName: "@scimkit/fastify" } as const;

/** Options of `scimPlugin`; `verify` and `onError` receive the Fastify request. */
export type ScimPluginOptions = (HandlerSource | StoreSource) & ScimHttpOptions<FastifyRequest>;

/**
 * A Fastify 5 plugin serving a SCIM 2.0 endpoint below the prefix it is registered with:
 *
 * ```ts
 * await app.register(scimPlugin({ handler: service.handle, auth: { tokens: [{ token }] } }), {
 *   prefix: "/scim/v2",
 * });
 * ```
 *
 * Inside its own encapsulated context it replaces Fastify's body parsers with
 * one that leaves the body to the SCIM layer (`@scimkit/http`), so SCIM bodies
 * get SCIM limits, content types and errors, and Fastify's JSON parser never
 * sees them; the rest of the app keeps its parsers. Every method and path below
 * the prefix reaches the handler (which answers 404 for unknown routes).
 *
 * @throws TypeError when the options are invalid, at once rather than on register.
 */
export function scimPlugin(
  options: HandlerSource & ScimHttpOptions<FastifyRequest>,
): FastifyPluginAsync;
/** With `store`, the plugin creates the service and exposes it as `service` (events). */
export function scimPlugin(
  options: StoreSource & ScimHttpOptions<FastifyRequest>,
): FastifyPluginAsync & { readonly service: ScimService };
export function scimPlugin(
  options: ScimPluginOptions,
): FastifyPluginAsync & { readonly service?: ScimService };
export function scimPlugin(
  options: ScimPluginOptions,
): FastifyPluginAsync & { readonly service?: ScimService } {
  const http = createScimHttp<FastifyRequest>(options, OWNER);
  const wrapped = fastifyPlugin(http.serve, options, "@scimkit/fastify");
  return http.service === undefined ? wrapped : Object.assign(wrapped, { service: http.service });
}

/**
 * A Fastify plugin over one pipeline of the shared layer (SCIM, management API):
 * its encapsulated scope parses no bodies, every method and path below the prefix
 * reaches `serve`.
 */
export function fastifyPlugin(
  serve: Pipeline<FastifyRequest>,
  options: unknown,
  name: string,
): FastifyPluginAsync {
  // Unset, Fastify's own `trustProxy` decides, through request.protocol and request.host.
  const fastifyDecidesProxy = (options as { trustProxy?: boolean }).trustProxy === undefined;

  const plugin: FastifyPluginAsync = async (scope) => {
    scope.removeAllContentTypeParsers();
    // Accept every body unread; the layer reads it with its own limit and checks.
    scope.addContentTypeParser("*", (_request, _payload, done) => done(null));
    const mountPath = scope.prefix.replace(/\/+$/, "");
    const adapt = (request: FastifyRequest): AdapterRequest<FastifyRequest> => {
      const rest = request.url.slice(mountPath.length);
      const encrypted = (request.raw.socket as { encrypted?: boolean }).encrypted === true;
      return {
        raw: request,
        method: request.method,
        target: rest[0] === "/" ? rest : `/${rest}`,
        mountPath,
        headers: request.headers,
        protocol: fastifyDecidesProxy ? request.protocol : encrypted ? "https" : "http",
        host: fastifyDecidesProxy ? request.host : request.headers.host,
        body: nodeRequestBody(request.raw, request.headers),
      };
    };
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const answer = await serve(adapt(request));
      if (answer === undefined) {
        // The client went away mid-body: nothing to answer.
        reply.hijack();
        request.raw.destroy();
        return;
      }
      const { headers } = answer;
      for (let index = 0; index < headers.length; index += 2) {
        reply.header(headers[index] as string, headers[index + 1]);
      }
      return reply.code(answer.status).send(answer.body);
    };
    scope.all("/", handler);
    scope.all("/*", handler);
  };
  return fp(plugin, { fastify: "5.x", name, encapsulate: true });
}
