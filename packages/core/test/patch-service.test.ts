import { describe, expect, it } from "vitest";
import { patchOp, setup, USER_SCHEMA } from "./service-harness";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/** An extension value carrying the resource's `schemas` key, as some IdPs send it (issue 14). */
const withStraySchemas = { schemas: [ENTERPRISE], employeeNumber: "701985" };

describe("PATCH answers a stray schemas key inside an extension as PUT does (issue 14)", () => {
  const operations = [
    { op: "add", path: ENTERPRISE, value: withStraySchemas },
    { op: "replace", path: ENTERPRISE, value: withStraySchemas },
    { op: "replace", value: { [ENTERPRISE]: withStraySchemas } },
  ];

  it("lenient: PUT and PATCH both accept it and store the extension without it", async () => {
    const { call, createUser } = setup();
    const user = await createUser("bjensen");
    const put = await call("PUT", `/Users/${user.id}`, {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: "bjensen",
      [ENTERPRISE]: withStraySchemas,
    });
    expect(put.status).toBe(200);
    expect(put.body[ENTERPRISE]).toEqual({ employeeNumber: "701985" });

    for (const operation of operations) {
      const fresh = await createUser(`user-${operation.op}-${operation.path ?? "no-path"}`);
      const patch = await call("PATCH", `/Users/${fresh.id}`, patchOp(operation));
      expect(patch.status).toBe(200);
      const stored = await call("GET", `/Users/${fresh.id}`);
      expect(stored.body[ENTERPRISE]).toEqual({ employeeNumber: "701985" });
      expect(stored.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
    }
  });

  it("strict: PUT and PATCH both answer 400 invalidValue, and nothing is written", async () => {
    const { call, createUser } = setup({ strict: true });
    const user = await createUser("bjensen");
    const version = (await call("GET", `/Users/${user.id}`)).body.meta.version;
    const put = await call("PUT", `/Users/${user.id}`, {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: "bjensen",
      [ENTERPRISE]: withStraySchemas,
    });
    expect(put.status).toBe(400);
    expect(put.body.scimType).toBe("invalidValue");

    for (const operation of operations) {
      const patch = await call("PATCH", `/Users/${user.id}`, patchOp(operation));
      expect(patch.status).toBe(400);
      expect(patch.body.scimType).toBe("invalidValue");
    }
    const stored = await call("GET", `/Users/${user.id}`);
    expect(stored.body).not.toHaveProperty(ENTERPRISE);
    expect(stored.body.meta.version).toBe(version);
  });
});
