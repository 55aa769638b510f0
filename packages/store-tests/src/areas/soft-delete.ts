import { type MemberRef, ScimError } from "@scimkit/core";
import { afterAll, beforeEach, describe, expect } from "vitest";
import { type ConformanceHarness, newTenant, sorted } from "../harness";

const FAR_FUTURE = "2999-01-01T00:00:00.000Z";
const member = (id: string): MemberRef => ({ value: id, type: "User" });

async function expectUniqueness(promise: Promise<unknown>): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(ScimError.is(caught), `expected a 409 ScimError, got ${String(caught)}`).toBe(true);
  expect((caught as ScimError).status).toBe(409);
  expect((caught as ScimError).scimType).toBe("uniqueness");
}

/**
 * The conformance tests of the optional trash methods (`softDelete`,
 * `purgeDeleted`, `restoreDeleted`). `purgeDeleted` spans every tenant, so the
 * tests only assert on the entries of their own tenants.
 */
export function defineSoftDeleteConformance(harness: ConformanceHarness): void {
  describe("soft delete", () => {
    beforeEach(harness.prepare);
    afterAll(harness.finish);
    const { current, bound } = harness;
    const repositoryOf = () => harness.repositoryOf();
    type TrashMethod = "softDelete" | "purgeDeleted" | "restoreDeleted";
    const test = (name: string, needs: readonly TrashMethod[], body: () => Promise<void>) =>
      harness.test(name, body, needs);

    const createUser = async (tenant: string, userName: string) =>
      (await repositoryOf().create(tenant, { resourceType: "User", data: { userName } })).id;
    const createGroup = async (tenant: string, displayName: string, members: readonly string[]) =>
      (
        await repositoryOf().create(tenant, {
          resourceType: "Group",
          data: { displayName },
          members: members.map(member),
        })
      ).id;
    const membersOf = async (tenant: string, groupId: string) =>
      sorted(await harness.backdoor().readMembers(tenant, groupId));
    /** Only called where `hasTrashReader()`. */
    const readDeleted = async (tenant: string, resourceType: string, id: string) =>
      harness.backdoor().readDeleted?.(tenant, resourceType, id);
    const hasTrashReader = () => harness.backdoor().readDeleted !== undefined;
    const purgedIn = async (tenants: readonly string[], before: string) =>
      (await current().purgeDeleted!(before))
        .filter((entry) => tenants.includes(entry.tenant))
        .map((entry) => `${entry.tenant}/${entry.resourceType}/${entry.id}@${entry.purgeAfter}`)
        .sort();

    test(
      "softDelete hides the record from get, query, resourceTypesOf, memberOf and members, and frees its unique keys",
      ["softDelete"],
      async () => {
        const tenant = newTenant("soft-delete");
        const store = current();
        const gone = await createUser(tenant, "Gone@example.com");
        const kept = await createUser(tenant, "kept@example.com");
        const team = await createGroup(tenant, "Team", [gone, kept]);
        const admins = await createGroup(tenant, "Admins", [gone]);
        const teamVersion = (await store.get(tenant, "Group", team))?.version;

        expect(await store.softDelete!(tenant, "Group", gone, { purgeAfter: FAR_FUTURE })).toBe(
          false,
        );
        expect(await store.softDelete!(tenant, "User", gone, { purgeAfter: FAR_FUTURE })).toBe(
          true,
        );
        expect(await store.softDelete!(tenant, "User", gone, { purgeAfter: FAR_FUTURE })).toBe(
          false,
        );

        expect(await store.get(tenant, "User", gone)).toBeUndefined();
        expect(await harness.backdoor().readRecord(tenant, "User", gone)).toBeUndefined();
        const listed = await repositoryOf().query(tenant, {
          resourceType: "User",
          page: { kind: "all" },
        });
        expect(listed.records.map((record) => record.id)).toEqual([kept]);
        const byName = await repositoryOf().query(tenant, {
          resourceType: "User",
          filter: bound("User", 'userName eq "gone@example.com"'),
          page: { kind: "index", startIndex: 1, count: 10 },
        });
        expect(byName.totalResults).toBe(0);
        expect(sorted((await store.resourceTypesOf(tenant, [gone, kept])).keys())).toEqual([kept]);
        expect(await store.memberOf(tenant, gone)).toEqual([]);
        expect(await membersOf(tenant, team)).toEqual([kept]);
        expect(await membersOf(tenant, admins)).toEqual([]);
        const read = await store.get(tenant, "Group", team, { includeMembers: true });
        expect(read?.members?.map((entry) => entry.value)).toEqual([kept]);
        expect(read?.version).toBe(teamVersion);
        const withMember = await repositoryOf().query(tenant, {
          resourceType: "Group",
          filter: bound("Group", `members.value eq "${gone}"`),
          page: { kind: "all" },
        });
        expect(withMember.totalResults).toBe(0);

        // The IdP re-creates the user: a new record, with the same (differently cased) name.
        const again = await createUser(tenant, "GONE@example.com");
        expect(again).not.toBe(gone);

        if (hasTrashReader()) {
          const trashed = await readDeleted(tenant, "User", gone);
          expect(trashed).toBeDefined();
          expect(trashed?.data.userName).toBe("Gone@example.com");
          expect(Date.parse(trashed?.purgeAfter ?? "")).toBe(Date.parse(FAR_FUTURE));
          expect(sorted(trashed?.memberOf ?? [])).toEqual(sorted([team, admins]));
        }
      },
    );

    test(
      "softDelete of a group trashes its member rows; its members keep their other groups",
      ["softDelete"],
      async () => {
        const tenant = newTenant("soft-delete-group");
        const store = current();
        const alice = await createUser(tenant, "alice");
        const bob = await createUser(tenant, "bob");
        const one = await createGroup(tenant, "One", [alice, bob]);
        const two = await createGroup(tenant, "Two", [alice]);
        const parent = await createGroup(tenant, "Parent", []);
        await repositoryOf().update(tenant, {
          resourceType: "Group",
          id: parent,
          members: { add: [{ value: one, type: "Group" }], remove: [] },
        });

        expect(await store.softDelete!(tenant, "Group", one, { purgeAfter: FAR_FUTURE })).toBe(
          true,
        );
        expect(await store.get(tenant, "Group", one)).toBeUndefined();
        expect((await store.memberOf(tenant, alice)).map((group) => group.id)).toEqual([two]);
        expect(await store.memberOf(tenant, bob)).toEqual([]);
        expect(await membersOf(tenant, one)).toEqual([]);
        expect(await membersOf(tenant, parent)).toEqual([]);
        expect(await store.get(tenant, "User", alice)).toBeDefined();
        const named = await repositoryOf().query(tenant, {
          resourceType: "Group",
          filter: bound("Group", 'displayName eq "One"'),
          page: { kind: "all" },
        });
        expect(named.totalResults).toBe(0);
        if (hasTrashReader()) {
          const trashed = await readDeleted(tenant, "Group", one);
          expect(sorted(trashed?.members ?? [])).toEqual(sorted([alice, bob]));
          expect(trashed?.memberOf).toEqual([parent]);
        }
      },
    );

    test(
      "purgeDeleted removes only expired entries, only once, across tenants, and reports them",
      ["softDelete", "purgeDeleted"],
      async () => {
        const tenantA = newTenant("purge-a");
        const tenantB = newTenant("purge-b");
        const tenants = [tenantA, tenantB];
        const store = current();
        const early = "2001-01-01T00:00:00.000Z";
        const middle = "2001-01-02T00:00:00.000Z";
        const late = "2001-01-03T00:00:00.000Z";
        const a1 = await createUser(tenantA, "a1");
        const a2 = await createUser(tenantA, "a2");
        const live = await createUser(tenantA, "live");
        const b1 = await createUser(tenantB, "b1");
        const bGroup = await createGroup(tenantB, "B", [b1]);
        await store.softDelete!(tenantA, "User", a1, { purgeAfter: early });
        await store.softDelete!(tenantA, "User", a2, { purgeAfter: late });
        await store.softDelete!(tenantB, "User", b1, { purgeAfter: middle });

        expect(await purgedIn(tenants, "2000-12-31T23:59:59.999Z")).toEqual([]);
        // Inclusive bound, compared as instants: `middle` itself has expired.
        expect(await purgedIn(tenants, middle)).toEqual(
          sorted([`${tenantA}/User/${a1}@${early}`, `${tenantB}/User/${b1}@${middle}`]),
        );
        expect(await purgedIn(tenants, middle)).toEqual([]);
        const concurrent = await Promise.all([
          purgedIn(tenants, late),
          purgedIn(tenants, late),
          purgedIn(tenants, late),
        ]);
        expect(concurrent.flat()).toEqual([`${tenantA}/User/${a2}@${late}`]);

        expect(await store.get(tenantA, "User", live)).toBeDefined();
        expect(await store.get(tenantB, "Group", bGroup)).toBeDefined();
        expect(await membersOf(tenantB, bGroup)).toEqual([]);
        if (hasTrashReader()) {
          expect(await readDeleted(tenantA, "User", a1)).toBeUndefined();
          expect(await readDeleted(tenantA, "User", a2)).toBeUndefined();
        }
        if (store.restoreDeleted !== undefined) {
          const restored = await store.restoreDeleted(tenantA, "User", a1, {
            lastModified: "2001-02-01T00:00:00.000Z",
          });
          expect(restored).toBeUndefined();
        }
      },
    );

    test(
      "restoreDeleted brings the record back with its live memberships, or 409 when a key was taken",
      ["softDelete", "restoreDeleted"],
      async () => {
        const tenant = newTenant("restore");
        const store = current();
        const alice = await createUser(tenant, "alice");
        const bob = await createUser(tenant, "bob");
        const carol = await createUser(tenant, "carol");
        const team = await createGroup(tenant, "Team", [alice, bob]);
        const other = await createGroup(tenant, "Other", [alice]);
        const before = await store.get(tenant, "User", alice);

        await store.softDelete!(tenant, "User", alice, { purgeAfter: FAR_FUTURE });
        await store.softDelete!(tenant, "Group", other, { purgeAfter: FAR_FUTURE });
        const restored = await store.restoreDeleted!(tenant, "User", alice, {
          lastModified: "2030-01-01T00:00:00.000Z",
        });
        expect(restored).toMatchObject({
          resourceType: "User",
          id: alice,
          version: (before?.version ?? 0) + 1,
          created: before?.created,
          lastModified: "2030-01-01T00:00:00.000Z",
          data: before?.data,
        });
        expect(await store.get(tenant, "User", alice)).toMatchObject({ id: alice });
        // Back in the live group, not in the one that is itself still trashed.
        expect((await store.memberOf(tenant, alice)).map((group) => group.id)).toEqual([team]);
        expect(await membersOf(tenant, team)).toEqual(sorted([alice, bob]));
        expect(sorted((await store.resourceTypesOf(tenant, [alice])).keys())).toEqual([alice]);
        expect(
          await store.restoreDeleted!(tenant, "User", alice, { lastModified: FAR_FUTURE }),
        ).toBeUndefined();

        // A group comes back with the members that still exist.
        await store.softDelete!(tenant, "Group", team, { purgeAfter: FAR_FUTURE });
        await store.delete(tenant, "User", bob);
        await store.restoreDeleted!(tenant, "Group", team, { lastModified: FAR_FUTURE });
        expect(await membersOf(tenant, team)).toEqual([alice]);

        // The IdP re-created carol meanwhile: the old carol cannot come back.
        await store.softDelete!(tenant, "User", carol, { purgeAfter: FAR_FUTURE });
        const newCarol = await createUser(tenant, "CAROL");
        await expectUniqueness(
          store.restoreDeleted!(tenant, "User", carol, { lastModified: FAR_FUTURE }),
        );
        expect(await store.get(tenant, "User", carol)).toBeUndefined();
        await store.delete(tenant, "User", newCarol);
        expect(
          await store.restoreDeleted!(tenant, "User", carol, { lastModified: FAR_FUTURE }),
        ).toMatchObject({ id: carol, data: { userName: "carol" } });
      },
    );

    test(
      "soft delete, purge and restore never cross tenants",
      ["softDelete", "purgeDeleted"],
      async () => {
        const tenantA = newTenant("soft-a");
        const tenantB = newTenant("soft-b");
        const store = current();
        const onlyA = await createUser(tenantA, "shared");
        const onlyB = await createUser(tenantB, "shared");
        const groupB = await createGroup(tenantB, "B", [onlyB]);

        expect(await store.softDelete!(tenantB, "User", onlyA, { purgeAfter: FAR_FUTURE })).toBe(
          false,
        );
        expect(await store.softDelete!(tenantA, "User", onlyA, { purgeAfter: FAR_FUTURE })).toBe(
          true,
        );
        expect(await store.get(tenantB, "User", onlyB)).toBeDefined();
        expect(await membersOf(tenantB, groupB)).toEqual([onlyB]);
        // Tenant B's key "shared" was never affected; tenant A's is free again.
        await expectUniqueness(createUser(tenantB, "shared"));
        await createUser(tenantA, "shared");
        if (store.restoreDeleted !== undefined) {
          expect(
            await store.restoreDeleted(tenantB, "User", onlyA, { lastModified: FAR_FUTURE }),
          ).toBeUndefined();
        }
        expect(await purgedIn([tenantA, tenantB], "2000-01-01T00:00:00.000Z")).toEqual([]);
        if (hasTrashReader()) {
          expect(await readDeleted(tenantB, "User", onlyA)).toBeUndefined();
          expect(await readDeleted(tenantA, "User", onlyA)).toBeDefined();
        }
      },
    );
  });
}
