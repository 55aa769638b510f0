import { memoryStore } from "@scimkit/store-memory";
import { describe, expect, it } from "vitest";
import { ScimError } from "../src/errors";
import { createManagementService } from "../src/management/create-management-service";
import type { ManagementRequest } from "../src/management/types";
import { createTokenVerifier } from "../src/tenants/create-token-verifier";
import { issueToken, TOKEN_PREFIX, tokenSha256 } from "../src/tenants/tokens";

const admin = (store = memoryStore(), clock?: () => Date) => {
  const management = createManagementService({ store, ...(clock === undefined ? {} : { clock }) });
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string> = {},
  ) => {
    const request: ManagementRequest = { method, path, query, body };
    // biome-ignore lint/suspicious/noExplicitAny: tests read bodies field by field
    return (await management.handle(request)) as { status: number; body?: any };
  };
  return { store, call };
};

describe("tokens", () => {
  it("are 256 random bits behind a recognisable prefix, kept only as SHA-256", async () => {
    const one = await issueToken();
    const two = await issueToken();
    expect(one.token.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(one.token).toMatch(/^scimkit_[A-Za-z0-9_-]{43}$/);
    expect(one.token).not.toBe(two.token);
    expect(one.sha256).toBe(await tokenSha256(one.token));
    expect(one.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(one.hint).toBe(`scimkit_…${one.token.slice(-4)}`);
    expect(one.hint).not.toContain(one.token.slice(8, 20));
  });
});

describe("createTokenVerifier", () => {
  it("validates its options when it runs", () => {
    expect(() => createTokenVerifier({ store: { ...memoryStore(), tenants: undefined } })).toThrow(
      TypeError,
    );
    expect(() =>
      createTokenVerifier({ store: memoryStore(), staticTokens: [{ sha256: "zz" }] }),
    ).toThrow(TypeError);
  });

  it("accepts issued and static tokens, refuses unknown, revoked and expired ones", async () => {
    const { store, call } = admin();
    let now = new Date("2030-01-01T00:00:00.000Z");
    const staticToken = "static-secret-token";
    const verify = createTokenVerifier({
      store,
      staticTokens: [{ sha256: await tokenSha256(staticToken) }],
      clock: () => now,
    });
    await call("POST", "/tenants", { id: "acme", name: "Acme" });
    const issued = await call("POST", "/tenants/acme/tokens", { description: "Entra" });
    const expiring = await call("POST", "/tenants/acme/tokens", {
      description: "short",
      expiresAt: "2099-01-01T00:00:00.000Z",
    });
    expect(await verify(issued.body.token)).toEqual({ tenant: "acme", tokenId: issued.body.id });
    expect(await verify(staticToken)).toEqual({ tenant: "default" });
    expect(await verify("scimkit_nope")).toBeNull();
    expect(await verify("x".repeat(5000))).toBeNull();
    expect(await verify("with space")).toBeNull();
    expect(await verify(expiring.body.token)).toEqual({
      tenant: "acme",
      tokenId: expiring.body.id,
    });
    now = new Date("2099-01-01T00:00:00.000Z");
    expect(await verify(expiring.body.token)).toBeNull();
    expect((await call("DELETE", `/tenants/acme/tokens/${issued.body.id}`)).status).toBe(204);
    expect(await verify(issued.body.token)).toBeNull();
  });

  it("refuses every token of a disabled tenant with 403 and accepts them again once enabled", async () => {
    const { store, call } = admin();
    await call("POST", "/tenants", { id: "default", name: "Default" });
    await call("POST", "/tenants", { id: "acme", name: "Acme" });
    const staticToken = "static-secret-token";
    const verify = createTokenVerifier({
      store,
      staticTokens: [{ sha256: await tokenSha256(staticToken) }],
    });
    const issued = await call("POST", "/tenants/acme/tokens", {});
    await call("POST", "/tenants/acme/disable");
    const refused = await verify(issued.body.token).catch((error: unknown) => error);
    expect(ScimError.is(refused) && refused.status).toBe(403);
    expect(await verify(staticToken)).toEqual({ tenant: "default" });
    await call("POST", "/tenants/default/disable");
    await expect(verify(staticToken)).rejects.toMatchObject({ status: 403 });
    await call("POST", "/tenants/acme/enable");
    expect(await verify(issued.body.token)).toMatchObject({ tenant: "acme" });
  });

  it("records lastUsedAt on first use, then at most once a minute", async () => {
    const { store, call } = admin();
    let now = new Date("2030-01-01T00:00:00.000Z");
    const verify = createTokenVerifier({ store, clock: () => now });
    await call("POST", "/tenants", { id: "acme", name: "Acme" });
    const issued = await call("POST", "/tenants/acme/tokens", {});
    const lastUsed = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return (await call("GET", "/tenants/acme/tokens")).body.tokens[0].lastUsedAt;
    };
    expect(await lastUsed()).toBeUndefined();
    await verify(issued.body.token);
    expect(await lastUsed()).toBe("2030-01-01T00:00:00.000Z");
    now = new Date("2030-01-01T00:00:30.000Z");
    await verify(issued.body.token);
    expect(await lastUsed()).toBe("2030-01-01T00:00:00.000Z");
    now = new Date("2030-01-01T00:01:01.000Z");
    await verify(issued.body.token);
    expect(await lastUsed()).toBe("2030-01-01T00:01:01.000Z");
  });
});

describe("createManagementService", () => {
  it("creates, lists, reads, renames, disables and deletes tenants, with clear 4xx answers", async () => {
    const { call } = admin();
    expect((await call("POST", "/tenants", { id: "acme", name: "Acme" })).status).toBe(201);
    expect((await call("POST", "/tenants", { id: "acme", name: "Again" })).body.error.code).toBe(
      "tenant.exists",
    );
    for (const id of ["Acme", "a b", "", "x".repeat(65), 5]) {
      const bad = await call("POST", "/tenants", { id, name: "X" });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe("invalid_request");
    }
    expect((await call("POST", "/tenants", { id: "ok", name: "" })).status).toBe(400);
    expect((await call("POST", "/tenants", "not an object")).status).toBe(400);
    expect((await call("POST", "/tenants", { id: "beta", name: "Beta" })).status).toBe(201);
    expect(
      (await call("GET", "/tenants")).body.tenants.map((tenant: { id: string }) => tenant.id),
    ).toEqual(["acme", "beta"]);
    expect((await call("GET", "/tenants/acme")).body).toMatchObject({
      id: "acme",
      name: "Acme",
      disabled: false,
    });
    expect((await call("GET", "/tenants/nope")).status).toBe(404);
    expect((await call("PATCH", "/tenants/acme", { name: "Acme Corp" })).body.name).toBe(
      "Acme Corp",
    );
    expect((await call("POST", "/tenants/acme/disable")).body.disabled).toBe(true);
    expect((await call("POST", "/tenants/acme/enable")).body.disabled).toBe(false);
    expect((await call("DELETE", "/tenants/acme")).status).toBe(400);
    expect((await call("DELETE", "/tenants/acme", undefined, { confirm: "beta" })).status).toBe(
      400,
    );
    expect((await call("DELETE", "/tenants/acme", undefined, { confirm: "acme" })).status).toBe(
      204,
    );
    expect((await call("GET", "/tenants/acme")).status).toBe(404);
    expect((await call("PUT", "/tenants/beta")).status).toBe(405);
    expect((await call("GET", "/nothing")).status).toBe(404);
  });

  it("shows a token once, lists tokens without secrets, and revokes only within the tenant", async () => {
    const { call } = admin(memoryStore(), () => new Date("2030-01-01T00:00:00.000Z"));
    await call("POST", "/tenants", { id: "acme", name: "Acme" });
    await call("POST", "/tenants", { id: "beta", name: "Beta" });
    const issued = await call("POST", "/tenants/acme/tokens", { description: "Entra ID" });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({
      tenant: "acme",
      description: "Entra ID",
      createdAt: "2030-01-01T00:00:00.000Z",
    });
    expect(issued.body.token).toMatch(/^scimkit_/);
    const listed = await call("GET", "/tenants/acme/tokens");
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);
    expect(JSON.stringify(listed.body)).not.toContain(await tokenSha256(issued.body.token));
    expect(listed.body.tokens).toEqual([
      {
        id: issued.body.id,
        tenant: "acme",
        description: "Entra ID",
        hint: issued.body.hint,
        createdAt: "2030-01-01T00:00:00.000Z",
      },
    ]);
    expect((await call("POST", "/tenants/nope/tokens", {})).status).toBe(404);
    expect(
      (await call("POST", "/tenants/acme/tokens", { expiresAt: "2020-01-01T00:00:00Z" })).status,
    ).toBe(400);
    expect((await call("POST", "/tenants/acme/tokens", { expiresAt: "soon" })).status).toBe(400);
    expect(
      (await call("POST", "/tenants/acme/tokens", { description: "x".repeat(201) })).status,
    ).toBe(400);
    expect((await call("DELETE", `/tenants/beta/tokens/${issued.body.id}`)).status).toBe(404);
    expect((await call("DELETE", `/tenants/acme/tokens/${issued.body.id}`)).status).toBe(204);
    expect((await call("GET", "/tenants/acme/tokens")).body.tokens).toEqual([]);
  });

  it("answers a generic 500 when the store fails, and reports the error", async () => {
    const store = memoryStore();
    const errors: unknown[] = [];
    const broken = {
      ...store,
      tenants: { ...store.tenants!, list: () => Promise.reject(new Error("db down")) },
    };
    const management = createManagementService({
      store: broken,
      onError: (error) => errors.push(error),
    });
    const response = await management.handle({ method: "GET", path: "/tenants", query: {} });
    expect(response).toMatchObject({ status: 500, body: { error: { code: "internal" } } });
    expect(JSON.stringify(response.body)).not.toContain("db down");
    expect(errors).toHaveLength(1);
  });
});
