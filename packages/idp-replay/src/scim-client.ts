import { type RawResponse, sendRawRequest } from "./send-raw-request";
import type { ScimTestServer } from "./start-scim-server";

/** A tiny SCIM client for hand-written HTTP tests: raw paths, JSON bodies, the server's token. */
export interface ScimClient {
  /** Sends `method path` (relative to the tenant URL, put on the wire as written). */
  send(
    method: string,
    path: string,
    body?: unknown,
    headers?: Readonly<Record<string, string>>,
  ): Promise<RawResponse>;
  /** `POST /Users`; fails the test unless 201. Returns the created resource. */
  createUser(attributes: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>>;
  /** `POST /Groups`; fails the test unless 201. Returns the created resource. */
  createGroup(attributes: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>>;
  /** `PATCH` with a PatchOp body built from the operations. */
  patch(path: string, ...operations: unknown[]): Promise<RawResponse>;
  /** `GET` that must answer 200; returns the body. */
  read(path: string): Promise<Record<string, unknown>>;
}

export function scimClient(server: ScimTestServer): ScimClient {
  const send: ScimClient["send"] = (method, path, body, headers = {}) => {
    const hasContentType = Object.keys(headers).some(
      (name) => name.toLowerCase() === "content-type",
    );
    return sendRawRequest(server.port, {
      method,
      target: `${server.basePath}${path}`,
      headers: {
        Authorization: `Bearer ${server.token}`,
        ...(body === undefined || hasContentType
          ? {}
          : { "Content-Type": "application/scim+json" }),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
  };
  const created = async (path: string, body: unknown) => {
    const response = await send("POST", path, body);
    if (response.status !== 201) {
      throw new Error(`POST ${path} answered ${response.status}: ${response.text}`);
    }
    return response.body as Record<string, unknown>;
  };
  return {
    send,
    createUser: (attributes) =>
      created("/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], ...attributes }),
    createGroup: (attributes) =>
      created("/Groups", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        ...attributes,
      }),
    patch: (path, ...operations) =>
      send("PATCH", path, {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: operations,
      }),
    async read(path) {
      const response = await send("GET", path);
      if (response.status !== 200) {
        throw new Error(`GET ${path} answered ${response.status}: ${response.text}`);
      }
      return response.body as Record<string, unknown>;
    },
  };
}
