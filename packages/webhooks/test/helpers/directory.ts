import {
  createScimService,
  type ScimService,
  type ScimServiceOptions,
  type ScimStore,
} from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** A SCIM service over a store, and terse IdP-style writes. */
export function directory(options: Partial<ScimServiceOptions> & { store?: ScimStore } = {}) {
  const store = options.store ?? memoryStore();
  const service: ScimService = createScimService({ ...options, store } as ScimServiceOptions);
  const call = async (method: string, path: string, body?: unknown, tenant = "acme") => {
    const response = await service.handle({
      method,
      path,
      query: {},
      headers: {},
      body,
      tenant,
      baseUrl: "https://sp.example.com/scim/v2",
    });
    if (response.status >= 400)
      throw new Error(`${method} ${path}: ${JSON.stringify(response.body)}`);
    return response.body as { id: string } & Record<string, unknown>;
  };
  const user = (userName: string, extra: Record<string, unknown> = {}, tenant = "acme") =>
    call("POST", "/Users", { schemas: [USER_SCHEMA], userName, ...extra }, tenant);
  const group = (displayName: string, members: string[] = [], tenant = "acme") =>
    call(
      "POST",
      "/Groups",
      { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) },
      tenant,
    );
  const patch = (path: string, operations: unknown[], tenant = "acme") =>
    call("PATCH", path, { schemas: [PATCH_SCHEMA], Operations: operations }, tenant);
  return { store, service, call, user, group, patch };
}
