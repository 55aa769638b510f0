import type { ScimStore, TokenInput } from "@scimkit/core";
import { afterAll, beforeEach, describe, expect } from "vitest";
import { type ConformanceHarness, expectScimError, newTenant, userNameKey } from "../harness";

const CREATED = "2024-06-01T00:00:00.000Z";
const LATER = "2024-06-02T00:00:00.000Z";
const tenantsOf = (store: ScimStore) => {
  if (store.tenants === undefined) throw new Error("conformance: the store has no tenants");
  return store.tenants;
};
/** A fake, unique SHA-256 (64 hex characters). */
const hash = (seed: string) => {
  let hex = "";
  for (const character of `${seed}:${Math.random()}`) hex += character.charCodeAt(0).toString(16);
  return hex.padEnd(64, "0").slice(-64);
};
const token = (tenant: string, id: string, extra: Partial<TokenInput> = {}): TokenInput => ({
  id,
  tenant,
  description: `token ${id}`,
  hint: "…abcd",
  createdAt: CREATED,
  sha256: hash(`${tenant}/${id}`),
  ...extra,
});

/** Tenants and their tokens (`store.tenants`). */
export function defineTenantsConformance(harness: ConformanceHarness): void {
  const { current } = harness;
  const test = (name: string, body: () => Promise<void>) => harness.test(name, body, ["tenants"]);

  describe("tenant records and tokens", () => {
    beforeEach(harness.prepare);
    afterAll(harness.finish);

    test("creates, reads, lists in id order, renames and disables tenants", async () => {
      const tenants = tenantsOf(current());
      const [a, b] = [newTenant("rec"), newTenant("rec")].sort();
      expect(await tenants.create({ id: b!, name: "Bee", createdAt: CREATED })).toEqual({
        id: b,
        name: "Bee",
        disabled: false,
        createdAt: CREATED,
        updatedAt: CREATED,
      });
      await tenants.create({ id: a!, name: "Ay", createdAt: CREATED });
      await expectScimError(tenants.create({ id: a!, name: "again", createdAt: CREATED }), 409, {
        scimType: "uniqueness",
      });
      expect((await tenants.get(a!))?.name).toBe("Ay");
      expect(await tenants.get(newTenant("none"))).toBeUndefined();
      const listed = (await tenants.list({ limit: 10_000 })).map((tenant) => tenant.id);
      expect(listed.indexOf(a!)).toBeLessThan(listed.indexOf(b!));
      expect(listed).toEqual([...listed].sort());
      expect(
        (await tenants.list({ after: a!, limit: 10_000 })).map((tenant) => tenant.id),
      ).not.toContain(a);
      expect(await tenants.list({ limit: 1 })).toHaveLength(1);
      expect(await tenants.update(a!, { name: "Ay Corp", updatedAt: LATER })).toMatchObject({
        name: "Ay Corp",
        disabled: false,
        updatedAt: LATER,
        createdAt: CREATED,
      });
      expect(await tenants.update(a!, { disabled: true, updatedAt: LATER })).toMatchObject({
        name: "Ay Corp",
        disabled: true,
      });
      expect(
        await tenants.update(newTenant("none"), { name: "x", updatedAt: LATER }),
      ).toBeUndefined();
    });

    test("finds a token by its hash only, with its tenant, and never returns the hash", async () => {
      const tenants = tenantsOf(current());
      const tenant = newTenant("tok");
      await tenants.create({ id: tenant, name: "Tok", createdAt: CREATED });
      const first = token(tenant, "t1", { expiresAt: "2030-01-01T00:00:00.000Z" });
      const stored = await tenants.createToken(first);
      expect(stored).toEqual({
        id: "t1",
        tenant,
        description: "token t1",
        hint: "…abcd",
        createdAt: CREATED,
        expiresAt: "2030-01-01T00:00:00.000Z",
      });
      const found = await tenants.findToken(first.sha256);
      expect(found?.token).toEqual(stored);
      expect(found?.tenant).toMatchObject({ id: tenant, disabled: false });
      expect(await tenants.findToken(hash("nobody"))).toBeUndefined();
      await expectScimError(
        tenants.createToken({ ...token(tenant, "t2"), sha256: first.sha256 }),
        409,
      );
      await expectScimError(tenants.createToken(token(tenant, "t1")), 409);
      await tenants.createToken(token(tenant, "t2"));
      const listed = await tenants.listTokens(tenant);
      expect(listed.map((entry) => entry.id)).toEqual(["t1", "t2"]);
      expect(listed.every((entry) => !("sha256" in entry))).toBe(true);
      // A token of a tenant without a record still resolves (static tenants have none).
      const loose = token(newTenant("loose"), "t9");
      await tenants.createToken(loose);
      expect(await tenants.findToken(loose.sha256)).toEqual({
        token: expect.objectContaining({ id: "t9" }),
      });
    });

    test("revokes a token at once, only within its own tenant, and records its last use", async () => {
      const tenants = tenantsOf(current());
      const owner = newTenant("rev");
      const other = newTenant("rev-other");
      const input = token(owner, "r1");
      await tenants.createToken(input);
      await tenants.touchToken(owner, "r1", LATER);
      expect((await tenants.findToken(input.sha256))?.token.lastUsedAt).toBe(LATER);
      expect(await tenants.revokeToken(other, "r1")).toBe(false);
      expect(await tenants.findToken(input.sha256)).toBeDefined();
      expect(await tenants.revokeToken(owner, "r1")).toBe(true);
      expect(await tenants.findToken(input.sha256)).toBeUndefined();
      expect(await tenants.revokeToken(owner, "r1")).toBe(false);
      expect(await tenants.listTokens(owner)).toEqual([]);
    });

    test("deleting a tenant deletes all its data and nothing of other tenants", async () => {
      const store = current();
      const tenants = tenantsOf(store);
      const doomed = newTenant("doomed");
      const kept = newTenant("kept");
      for (const tenant of [doomed, kept]) {
        await tenants.create({ id: tenant, name: tenant, createdAt: CREATED });
        await store.create(tenant, {
          resourceType: "User",
          id: "u-1",
          created: CREATED,
          data: { userName: "same" },
          uniqueKeys: [userNameKey("same")],
          changes: [{ type: "user.created", data: {} }],
        });
        await store.create(tenant, {
          resourceType: "Group",
          id: "g-1",
          created: CREATED,
          data: { displayName: "G" },
          uniqueKeys: [],
          members: [{ value: "u-1", type: "User" }],
        });
        await tenants.createToken(token(tenant, "t1"));
        await store.log?.append([
          {
            id: `${tenant}-log`,
            tenant,
            time: CREATED,
            method: "GET",
            path: "/Users",
            status: 200,
            durationMs: 1,
          },
        ]);
      }
      const doomedToken = (await tenants.listTokens(doomed))[0]!;
      expect(doomedToken).toBeDefined();
      expect(await tenants.delete(doomed)).toBe(true);
      expect(await tenants.delete(doomed)).toBe(false);
      expect(await tenants.get(doomed)).toBeUndefined();
      expect(await store.get(doomed, "User", "u-1")).toBeUndefined();
      expect(await harness.backdoor().readRecord(doomed, "Group", "g-1")).toBeUndefined();
      expect(await harness.backdoor().readMembers(doomed, "g-1")).toEqual([]);
      expect(await tenants.listTokens(doomed)).toEqual([]);
      expect(await store.feed?.read(doomed, { after: 0, limit: 10 })).toEqual(
        store.feed === undefined ? undefined : [],
      );
      expect(await store.log?.query(doomed, { limit: 10 })).toEqual(
        store.log === undefined ? undefined : [],
      );
      // The same userName can be created again in the deleted tenant.
      await store.create(doomed, {
        resourceType: "User",
        id: "u-2",
        created: CREATED,
        data: { userName: "same" },
        uniqueKeys: [userNameKey("same")],
      });
      expect((await store.get(kept, "User", "u-1"))?.data.userName).toBe("same");
      expect(await harness.backdoor().readMembers(kept, "g-1")).toEqual(["u-1"]);
      expect(await tenants.listTokens(kept)).toHaveLength(1);
      expect((await store.feed?.read(kept, { after: 0, limit: 10 }))?.length).toBe(
        store.feed === undefined ? undefined : 1,
      );
    });
  });
}
