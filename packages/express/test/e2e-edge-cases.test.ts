import { memoryStore } from "@scimkit/store-memory";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ERROR_SCHEMA, newUser, patchOp, startScim } from "./e2e-harness";

describe("edge cases over HTTP", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it("/Me serves the user the resolver names, for GET and PATCH", async () => {
    let me: string | undefined;
    const started = await startScim({ me: () => me });
    close = started.close;
    const { scim } = started;
    expect((await scim("GET", "/Me")).status).toBe(404);
    me = (await scim("POST", "/Users", newUser("me@example.com"))).body.id;
    const read = await scim("GET", "/Me?attributes=userName");
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: me, userName: "me@example.com" });
    expect(read.headers.get("etag")).toBe('W/"1"');
    const patched = await scim(
      "PATCH",
      "/Me",
      patchOp({ op: "replace", path: "displayName", value: "Me" }),
    );
    expect(patched.body.displayName).toBe("Me");
  });

  it("an unexpected store failure answers a generic SCIM 500 and reaches onError", async () => {
    const onError = vi.fn();
    const store = memoryStore();
    const started = await startScim({
      store: { ...store, query: () => Promise.reject(new Error("secret connection string")) },
      onError,
    });
    close = started.close;
    const reply = await started.scim("GET", "/Users?filter=userName%20eq%20%22x%22");
    expect(reply.status).toBe(500);
    expect(reply.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    expect(reply.body).toEqual({
      schemas: [ERROR_SCHEMA],
      status: "500",
      detail: "An internal error occurred.",
    });
    expect(onError).toHaveBeenCalledOnce();
  });

  it("patchResponse noContent answers PATCH with 204, no body and the new ETag", async () => {
    const started = await startScim({ patchResponse: "noContent" });
    close = started.close;
    const { scim } = started;
    const id = (await scim("POST", "/Users", newUser("quiet@example.com"))).body.id;
    const reply = await scim(
      "PATCH",
      `/Users/${id}`,
      patchOp({ op: "replace", path: "title", value: "x" }),
    );
    expect(reply.status).toBe(204);
    expect(reply.body).toBeUndefined();
    expect(reply.headers.get("etag")).toBe('W/"2"');
  });

  it("a strict service refuses what lenient mode tolerates", async () => {
    const started = await startScim({ strict: true });
    close = started.close;
    const reply = await started.scim(
      "GET",
      `/Users?filter=${encodeURIComponent("userName eq bjensen")}`,
    );
    expect(reply.status).toBe(400);
    expect(reply.body.scimType).toBe("invalidFilter");
  });
});
