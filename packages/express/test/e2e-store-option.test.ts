import type { AddressInfo } from "node:net";
import { memoryStore } from "@scimkit/store-memory";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { scimRouter } from "../src/index";

const newUser = (userName: string) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
});

describe("scimRouter({ store, auth }): the router creates the service", () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  it("serves SCIM over the store and exposes the service for events", async () => {
    const router = scimRouter({
      store: memoryStore(),
      service: { patchResponse: "noContent" },
      auth: { tokens: [{ token: "store-token", tenant: "acme" }] },
    });
    const created: string[] = [];
    router.service.on("user.created", ({ tenant, id }) => void created.push(`${tenant}/${id}`));
    const app = express();
    app.use("/scim/v2", router);
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    close = () => {
      server.closeAllConnections();
      server.close();
    };
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
    const headers = {
      authorization: "Bearer store-token",
      "content-type": "application/scim+json",
    };
    const response = await fetch(`${origin}/Users`, {
      method: "POST",
      headers,
      body: JSON.stringify(newUser("router@example.com")),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    expect(created).toEqual([`acme/${id}`]);
    const patched = await fetch(`${origin}/Users/${id}`, {
      method: "PATCH",
      headers,
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", path: "title", value: "x" }],
      }),
    });
    expect(patched.status).toBe(204);
  });

  it("validates the service options when the router is created", () => {
    const auth = { none: true as const };
    expect(() =>
      scimRouter({ store: memoryStore(), service: { strict: "yes" as never }, auth }),
    ).toThrow(/`strict` must be a boolean/);
    expect(() =>
      scimRouter({
        store: memoryStore(),
        handler: async () => ({ status: 200, headers: {} }),
        auth,
      } as never),
    ).toThrow(/either options.handler or options.store/);
    expect(() => scimRouter({ service: {}, auth } as never)).toThrow(
      /options.service needs options.store/,
    );
  });
});
