import type { ScimObject } from "@scimkit/core";
import { afterAll, beforeEach, describe, expect } from "vitest";
import { ids } from "../data-set";
import { type ConformanceHarness, expectScimError, newTenant, userNameKey } from "../harness";

/** The "records" area of the store conformance suite. */
export function defineRecordsConformance(harness: ConformanceHarness): void {
  const { test, current, backdoor, prepare, finish } = harness;
  describe("records", () => {
    beforeEach(prepare);
    afterAll(finish);

    const input = (id: string, userName: string) => ({
      resourceType: "User",
      id,
      created: "2024-01-01T00:00:00.000Z",
      data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName, active: true },
      uniqueKeys: [userNameKey(userName)],
    });

    test("create persists version 1 with created = lastModified", async () => {
      const tenant = newTenant("create");
      const record = await current().create(tenant, input(ids.u1, "alice"));
      expect(record).toMatchObject({
        resourceType: "User",
        id: ids.u1,
        version: 1,
        created: "2024-01-01T00:00:00.000Z",
        lastModified: "2024-01-01T00:00:00.000Z",
        data: input(ids.u1, "alice").data,
      });
      const raw = await backdoor().readRecord(tenant, "User", ids.u1);
      expect(raw).toMatchObject({
        id: ids.u1,
        version: 1,
        created: "2024-01-01T00:00:00.000Z",
        lastModified: "2024-01-01T00:00:00.000Z",
        data: input(ids.u1, "alice").data,
      });
    });

    test("create keeps its own copy of the input", async () => {
      const tenant = newTenant("copy-in");
      const given = input(ids.u1, "alice");
      await current().create(tenant, given);
      (given.data as ScimObject).userName = "mallory";
      expect((await backdoor().readRecord(tenant, "User", ids.u1))?.data.userName).toBe("alice");
    });

    test("returned records are copies", async () => {
      const tenant = newTenant("copy-out");
      const created = await current().create(tenant, input(ids.u1, "alice"));
      (created.data as ScimObject).userName = "mallory";
      const fetched = await current().get(tenant, "User", ids.u1);
      (fetched?.data as ScimObject).active = false;
      const listed = await current().query(tenant, {
        resourceType: "User",
        page: { kind: "all" },
      });
      (listed.records[0]?.data as ScimObject).userName = "eve";
      const raw = await backdoor().readRecord(tenant, "User", ids.u1);
      expect(raw?.data).toMatchObject({ userName: "alice", active: true });
      expect((await current().get(tenant, "User", ids.u1))?.data).toMatchObject({
        userName: "alice",
        active: true,
      });
    });

    test("get returns undefined for a missing id or another resource type", async () => {
      const tenant = newTenant("get");
      await current().create(tenant, input(ids.u1, "alice"));
      expect(await current().get(tenant, "User", ids.u2)).toBeUndefined();
      expect(await current().get(tenant, "Group", ids.u1)).toBeUndefined();
      expect((await current().get(tenant, "User", ids.u1))?.data.userName).toBe("alice");
    });

    test("update replaces data, bumps the version and sets lastModified", async () => {
      const tenant = newTenant("update");
      await current().create(tenant, input(ids.u1, "alice"));
      const data = { userName: "alice2", active: false };
      const updated = await current().update(tenant, {
        resourceType: "User",
        id: ids.u1,
        lastModified: "2024-02-02T00:00:00.000Z",
        data,
        uniqueKeys: [userNameKey("alice2")],
      });
      expect(updated).toMatchObject({
        version: 2,
        lastModified: "2024-02-02T00:00:00.000Z",
        data,
      });
      expect(updated.created).toBe("2024-01-01T00:00:00.000Z");
      const raw = await backdoor().readRecord(tenant, "User", ids.u1);
      expect(raw).toMatchObject({ version: 2, lastModified: "2024-02-02T00:00:00.000Z" });
      expect(raw?.data).toEqual(data);
    });

    test("update of a missing record throws 404", async () => {
      const tenant = newTenant("update-missing");
      await expectScimError(
        current().update(tenant, {
          resourceType: "User",
          id: ids.u1,
          lastModified: "2024-02-02T00:00:00.000Z",
          data: { userName: "x" },
          uniqueKeys: [],
        }),
        404,
      );
    });

    test("delete removes the record and reports whether it existed", async () => {
      const tenant = newTenant("delete");
      await current().create(tenant, input(ids.u1, "alice"));
      expect(await current().delete(tenant, "Group", ids.u1)).toBe(false);
      expect(await current().delete(tenant, "User", ids.u1)).toBe(true);
      expect(await backdoor().readRecord(tenant, "User", ids.u1)).toBeUndefined();
      expect(await current().get(tenant, "User", ids.u1)).toBeUndefined();
      expect(await current().delete(tenant, "User", ids.u1)).toBe(false);
      expect((await current().resourceTypesOf(tenant, [ids.u1])).size).toBe(0);
    });

    test("resourceTypesOf reports exactly the ids that exist, with their types", async () => {
      const tenant = newTenant("types-of");
      await current().create(tenant, input(ids.u1, "alice"));
      await current().create(tenant, {
        resourceType: "Group",
        id: ids.g1,
        created: "2024-01-01T00:00:00.000Z",
        data: { displayName: "Admins" },
        uniqueKeys: [],
      });
      const found = await current().resourceTypesOf(tenant, [ids.u1, ids.g1, ids.u2, ids.u1]);
      expect(new Map([...found].map(([id, types]) => [id, [...types]]))).toEqual(
        new Map([
          [ids.u1, ["User"]],
          [ids.g1, ["Group"]],
        ]),
      );
    });
  });
}
