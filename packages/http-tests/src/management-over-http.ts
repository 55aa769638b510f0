import type { ScimStore } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "./helpers";
import type { StartedServer } from "./run-http-conformance";

/** One adapter of the management API under test. */
export interface ManagementAdapterUnderTest {
  readonly name: string;
  /** Starts the adapter on 127.0.0.1 serving the management API at `basePath`. */
  start(input: {
    readonly options: Record<string, unknown>;
    readonly basePath: string;
  }): Promise<StartedServer>;
}

const ADMIN = "admin-token-for-the-conformance-suite";
const BASE = "/admin/api";
const JSON_TYPE = "application/json";

/**
 * The management API over HTTP, the same for every adapter: admin-token and
 * `authorize` authorisation, JSON bodies and limits, the management error body,
 * and the tenant/token routes end to end.
 */
export function runManagementConformance(adapter: ManagementAdapterUnderTest): void {
  describe(`management API on ${adapter.name}`, () => {
    let store: ScimStore;
    let server: StartedServer;
    let guarded: StartedServer;
    let allow = false;

    const send = (
      target: StartedServer,
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` },
    ) =>
      rawRequest(target.port, {
        method,
        path: `${BASE}${path}`,
        headers: {
          ...headers,
          ...(body === undefined ? {} : { "content-type": JSON_TYPE }),
        },
        ...(body === undefined
          ? {}
          : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      });
    // biome-ignore lint/suspicious/noExplicitAny: tests read bodies field by field
    const json = (text: string) => JSON.parse(text) as Record<string, any>;

    beforeAll(async () => {
      store = memoryStore();
      server = await adapter.start({ options: { store, auth: { token: ADMIN } }, basePath: BASE });
      guarded = await adapter.start({
        options: { store, auth: { authorize: () => allow } },
        basePath: BASE,
      });
    });
    afterAll(async () => {
      await server.close();
      await guarded.close();
    });

    it("refuses a missing or wrong admin token with 401, a challenge and the management error body", async () => {
      const attempts: Record<string, string>[] = [
        {},
        { authorization: "Bearer wrong-token-but-long-enough" },
        { authorization: "Basic eDp5" },
      ];
      for (const headers of attempts) {
        const response = await send(server, "GET", "/tenants", undefined, headers);
        expect(response.status).toBe(401);
        expect(response.headers["www-authenticate"]).toBe('Bearer realm="scimkit-admin"');
        expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
        expect(json(response.text)).toEqual({
          error: { status: 401, code: "unauthorized", message: expect.any(String) },
        });
        expect(response.text).not.toContain(ADMIN);
      }
    });

    it("asks authorize(request) when it is given", async () => {
      allow = false;
      expect((await send(guarded, "GET", "/tenants", undefined, {})).status).toBe(401);
      allow = true;
      expect((await send(guarded, "GET", "/tenants", undefined, {})).status).toBe(200);
    });

    it("creates a tenant, issues a token shown once, lists it without secrets and revokes it", async () => {
      const created = await send(server, "POST", "/tenants", { id: "acme", name: "Acme" });
      expect(created.status).toBe(201);
      expect(created.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(json(created.text)).toMatchObject({ id: "acme", name: "Acme", disabled: false });
      expect((await send(server, "POST", "/tenants", { id: "acme", name: "Again" })).status).toBe(
        409,
      );
      expect((await send(server, "POST", "/tenants", { id: "Not Valid", name: "X" })).status).toBe(
        400,
      );
      const issued = await send(server, "POST", "/tenants/acme/tokens", { description: "Entra" });
      expect(issued.status).toBe(201);
      const token = json(issued.text).token as string;
      expect(token).toMatch(/^scimkit_/);
      const listed = await send(server, "GET", "/tenants/acme/tokens");
      expect(listed.status).toBe(200);
      expect(listed.text).not.toContain(token);
      const id = json(issued.text).id as string;
      expect((await send(server, "DELETE", `/tenants/acme/tokens/${id}`)).status).toBe(204);
      expect((await send(server, "GET", "/tenants/acme/tokens")).text).toBe('{"tokens":[]}');
      expect((await send(server, "POST", "/tenants/acme/disable")).status).toBe(200);
      expect(json((await send(server, "GET", "/tenants/acme")).text).disabled).toBe(true);
      expect((await send(server, "GET", "/tenants/acme/log")).status).toBe(200);
    });

    it("answers bad bodies as the SCIM layer does, in the management error body", async () => {
      const broken = await send(server, "POST", "/tenants", "{not json");
      expect(broken.status).toBe(400);
      expect(json(broken.text).error).toMatchObject({ status: 400 });
      const text = await rawRequest(server.port, {
        method: "POST",
        path: `${BASE}/tenants`,
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "text/plain" },
        body: "hello",
      });
      expect(text.status).toBe(415);
      const big = await send(server, "POST", "/tenants", { id: "big", name: "x".repeat(70_000) });
      expect(big.status).toBe(413);
      expect((await send(server, "GET", "/nothing")).status).toBe(404);
    });
  });
}
