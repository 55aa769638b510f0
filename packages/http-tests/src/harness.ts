import { createScimService, type ScimServiceOptions } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import type { HttpAdapterUnderTest } from "./run-http-conformance";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export interface ScimReply {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected field by field
  readonly body: any;
}

export type ScimClient = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<ScimReply>;

/**
 * The real service over the memory store, served by the adapter at `/scim/v2` on
 * an ephemeral 127.0.0.1 port with one bearer token.
 */
export async function startScim(
  adapter: HttpAdapterUnderTest,
  options: Partial<ScimServiceOptions> = {},
  token = "e2e-token",
) {
  const service = createScimService({ store: memoryStore(), ...options } as ScimServiceOptions);
  const server = await adapter.start({
    options: { handler: service.handle, auth: { tokens: [{ token }] } },
    basePath: "/scim/v2",
  });
  const baseUrl = `${server.origin}/scim/v2`;
  const scim: ScimClient = async (method, path, body, headers = {}) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/scim+json" }),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === "" ? undefined : JSON.parse(text),
    };
  };
  return { service, baseUrl, scim, close: () => server.close() };
}

export const newUser = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [USER_SCHEMA],
  userName,
  active: true,
  ...extra,
});

export const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_SCHEMA], Operations });
