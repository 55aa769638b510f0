import { memoryStore } from "@scimkit/store-memory";
import { createScimService, type ScimServiceOptions } from "../src/service/create-scim-service";
import type { ScimRequest } from "../src/service/types";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const BASE_URL = "https://sp.example.com/scim/v2";

/** The service over a fresh memory store, and a terse way to call it. */
export function setup(options: Partial<ScimServiceOptions> = {}) {
  const service = createScimService({ store: memoryStore(), ...options } as ScimServiceOptions);
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    extra: {
      query?: Record<string, string>;
      headers?: Record<string, string>;
      tenant?: string;
    } = {},
  ) => {
    const request: ScimRequest = {
      method,
      path,
      query: extra.query ?? {},
      headers: extra.headers ?? {},
      body,
      tenant: extra.tenant ?? "tenant-a",
      baseUrl: BASE_URL,
    };
    const response = await service.handle(request);
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field
    return response as { status: number; headers: Record<string, string>; body?: any };
  };
  const createUser = async (userName: string, extra: Record<string, unknown> = {}) => {
    const response = await call("POST", "/Users", { schemas: [USER_SCHEMA], userName, ...extra });
    if (response.status !== 201) throw new Error(JSON.stringify(response.body));
    return response.body as { id: string } & Record<string, unknown>;
  };
  const createGroup = async (displayName: string, members: string[] = []) => {
    const response = await call("POST", "/Groups", {
      schemas: [GROUP_SCHEMA],
      displayName,
      members: members.map((value) => ({ value })),
    });
    if (response.status !== 201) throw new Error(JSON.stringify(response.body));
    return response.body as { id: string } & Record<string, unknown>;
  };
  return { service, call, createUser, createGroup };
}

export const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_SCHEMA], Operations });
