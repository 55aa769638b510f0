import type { GroupRef, MemberRef } from "@scimkit/core";
import { isUnresolvedMembers } from "@scimkit/core/store";
import { afterAll, beforeEach, describe, expect } from "vitest";
import { type ConformanceHarness, newTenant, RELATION_NAMES, sorted } from "../harness";

/** The "membership" area of the store conformance suite. */
export function defineMembershipConformance(harness: ConformanceHarness): void {
  const { test, current, backdoor, repositoryOf, prepare, finish, bound } = harness;
  describe("membership", () => {
    beforeEach(prepare);
    afterAll(finish);

    const member = (id: string): MemberRef => ({ value: id, type: "User" });
    const createUsers = async (tenant: string, count: number) => {
      const repository = repositoryOf();
      const created: string[] = [];
      for (let index = 0; index < count; index += 1) {
        const record = await repository.create(tenant, {
          resourceType: "User",
          data: { userName: `member-${index}` },
        });
        created.push(record.id);
      }
      return created;
    };
    const createGroup = async (tenant: string, members: readonly string[]) =>
      repositoryOf().create(tenant, {
        resourceType: "Group",
        data: { displayName: "Team" },
        members: members.map(member),
      });
    const membersOf = async (tenant: string, groupId: string) =>
      sorted(await backdoor().readMembers(tenant, groupId));

    test("members load only when asked, in insertion order", async () => {
      const tenant = newTenant("members-load");
      const [a, b, c] = await createUsers(tenant, 3);
      const group = await createGroup(tenant, [c!, a!, b!]);
      const plain = await current().get(tenant, "Group", group.id);
      expect(plain?.members).toBeUndefined();
      const listed = await current().query(tenant, {
        resourceType: "Group",
        page: { kind: "all" },
      });
      expect(listed.records[0]?.members).toBeUndefined();
      const full = await current().get(tenant, "Group", group.id, { includeMembers: true });
      expect(full?.members?.map((entry) => entry.value)).toEqual([c, a, b]);
      expect(full?.members?.[0]).toMatchObject({ value: c, type: "User" });
      const listedFull = await current().query(tenant, {
        resourceType: "Group",
        page: { kind: "all" },
        includeMembers: true,
      });
      expect(listedFull.records[0]?.members?.map((entry) => entry.value)).toEqual([c, a, b]);
    });

    test("add, remove and replaceAll apply as set operations and report real changes", async () => {
      const tenant = newTenant("members-delta");
      const [a, b, c, d] = (await createUsers(tenant, 4)) as [string, string, string, string];
      const group = await createGroup(tenant, [a, b]);
      const repository = repositoryOf();
      const update = (delta: { replaceAll?: boolean; add?: string[]; remove?: string[] }) =>
        repository.update(tenant, {
          resourceType: "Group",
          id: group.id,
          members: {
            ...(delta.replaceAll === undefined ? {} : { replaceAll: delta.replaceAll }),
            add: (delta.add ?? []).map(member),
            remove: delta.remove ?? [],
          },
        });

      const added = await update({ add: [c] });
      expect(added.membership).toEqual({ added: [c], removed: [] });
      expect(added.version).toBe(2);
      expect(await membersOf(tenant, group.id)).toEqual(sorted([a, b, c]));

      const removed = await update({ remove: [a, d] });
      expect(removed.membership).toEqual({ added: [], removed: [a] });
      expect(await membersOf(tenant, group.id)).toEqual(sorted([b, c]));

      const noop = await update({ add: [b], remove: [d] });
      expect(noop.membership).toEqual({ added: [], removed: [] });
      expect(noop.version).toBe(removed.version);

      const replaced = await update({ replaceAll: true, add: [d, b] });
      expect(sorted(replaced.membership?.added ?? [])).toEqual([d]);
      expect(sorted(replaced.membership?.removed ?? [])).toEqual([c]);
      expect(await membersOf(tenant, group.id)).toEqual(sorted([b, d]));
      expect(await current().memberOf(tenant, c)).toEqual([]);

      const emptied = await update({ replaceAll: true });
      expect(sorted(emptied.membership?.removed ?? [])).toEqual(sorted([b, d]));
      expect(await membersOf(tenant, group.id)).toEqual([]);
      expect(await current().memberOf(tenant, b)).toEqual([]);
    });

    test("20 concurrent add-member updates on one group lose nothing", async () => {
      const tenant = newTenant("members-concurrent");
      const users = await createUsers(tenant, 20);
      const group = await createGroup(tenant, []);
      const repository = repositoryOf();
      await Promise.all(
        users.map((id) =>
          repository.update(tenant, {
            resourceType: "Group",
            id: group.id,
            members: { add: [member(id)], remove: [] },
          }),
        ),
      );
      expect(await membersOf(tenant, group.id)).toEqual(sorted(users));
      expect((await backdoor().readRecord(tenant, "Group", group.id))?.version).toBe(21);
      await Promise.all(
        users.slice(0, 10).map((id) =>
          repository.update(tenant, {
            resourceType: "Group",
            id: group.id,
            members: { add: [], remove: [id] },
          }),
        ),
      );
      expect(await membersOf(tenant, group.id)).toEqual(sorted(users.slice(10)));
    });

    /** Admins holds `a`; Staff holds `a`, `b` and Admins: a user in two groups, a group in one. */
    const createAdminsAndStaff = async (tenant: string, a: string, b: string) => {
      const repository = repositoryOf();
      const admins = await repository.create(tenant, {
        resourceType: "Group",
        data: { displayName: "Admins" },
        members: [member(a)],
      });
      const staff = await repository.create(tenant, {
        resourceType: "Group",
        data: { displayName: "Staff" },
        members: [member(a), member(b), { value: admins.id, type: "Group" }],
      });
      return { admins, staff };
    };
    /** Groups in id order, for comparing answers given in no particular order. */
    const byId = (groups: readonly GroupRef[] | undefined) =>
      groups === undefined ? undefined : [...groups].sort((l, r) => (l.id < r.id ? -1 : 1));

    test("memberOf lists a member's direct groups with their displayName", async () => {
      const tenant = newTenant("member-of");
      const [a, b] = (await createUsers(tenant, 2)) as [string, string];
      const { admins, staff } = await createAdminsAndStaff(tenant, a, b);
      expect(byId(await current().memberOf(tenant, a, RELATION_NAMES))).toEqual(
        byId([
          { resourceType: "Group", id: admins.id, display: "Admins" },
          { resourceType: "Group", id: staff.id, display: "Staff" },
        ]),
      );
      expect(await current().memberOf(tenant, admins.id, RELATION_NAMES)).toEqual([
        { resourceType: "Group", id: staff.id, display: "Staff" },
      ]);
      // Stores know no attribute names: without display names, groups carry no display.
      expect(await current().memberOf(tenant, admins.id)).toEqual([
        { resourceType: "Group", id: staff.id },
      ]);
      expect(await current().memberOf(tenant, "00000000-0000-4000-8000-999999999999")).toEqual([]);
    });

    test("a read that asks for memberOf carries exactly the member's groups", async () => {
      const tenant = newTenant("read-member-of");
      const [a, b, c] = (await createUsers(tenant, 3)) as [string, string, string];
      const { admins, staff } = await createAdminsAndStaff(tenant, a, b);
      /** What a read attached is what memberOf() answers, `[]` included. */
      const agrees = async (id: string, attached: readonly GroupRef[] | undefined) => {
        expect(attached, `memberOf of ${id}`).toBeDefined();
        expect(byId(attached)).toEqual(byId(await current().memberOf(tenant, id, RELATION_NAMES)));
      };
      const asked = { includeMemberOf: true, ...RELATION_NAMES };
      for (const [type, id] of [
        ["User", a],
        ["User", b],
        ["User", c],
        ["Group", admins.id],
        ["Group", staff.id],
      ] as const) {
        const record = await current().get(tenant, type, id, asked);
        expect(record?.id).toBe(id);
        await agrees(id, record?.memberOf);
        // Never attached unasked: a record's groups are read only when a response shows them.
        expect((await current().get(tenant, type, id))?.memberOf).toBeUndefined();
      }
      const page = await current().query(tenant, {
        resourceType: "User",
        page: { kind: "index", startIndex: 1, count: 10 },
        includeMemberOf: true,
        memberOfAttribute: "groups",
        ...RELATION_NAMES,
      });
      expect(sorted(page.records.map((record) => record.id))).toEqual(sorted([a, b, c]));
      for (const record of page.records) await agrees(record.id, record.memberOf);
      const lookup = await current().query(tenant, {
        resourceType: "User",
        filter: bound("User", 'userName eq "member-0"'),
        page: { kind: "index", startIndex: 1, count: 10 },
        includeMemberOf: true,
        memberOfAttribute: "groups",
        ...RELATION_NAMES,
      });
      expect(lookup.records.map((record) => record.id)).toEqual([a]);
      await agrees(a, lookup.records[0]?.memberOf);
      const unasked = await current().query(tenant, {
        resourceType: "User",
        page: { kind: "index", startIndex: 1, count: 10 },
      });
      expect(unasked.records.every((record) => record.memberOf === undefined)).toBe(true);
    }, ["capabilities.readsMemberOf"]);

    test("deleting a user removes it from every group", async () => {
      const tenant = newTenant("delete-member");
      const [a, b] = (await createUsers(tenant, 2)) as [string, string];
      const one = await createGroup(tenant, [a, b]);
      const two = await createGroup(tenant, [a]);
      expect(await current().delete(tenant, "User", a)).toBe(true);
      expect(await current().memberOf(tenant, a)).toEqual([]);
      expect(await membersOf(tenant, one.id)).toEqual([b]);
      expect(await membersOf(tenant, two.id)).toEqual([]);
      const read = await current().get(tenant, "Group", one.id, { includeMembers: true });
      expect(read?.members?.map((entry) => entry.value)).toEqual([b]);
      const filtered = await repositoryOf().query(tenant, {
        resourceType: "Group",
        filter: bound("Group", `members.value eq "${a}"`),
        page: { kind: "all" },
      });
      expect(filtered.totalResults).toBe(0);
    });

    test("members that are not live records are skipped, on create and on update", async () => {
      const tenant = newTenant("members-live");
      const [a, b, c] = (await createUsers(tenant, 3)) as [string, string, string];
      // b is deleted after a caller checked it (core does), before the writes add it.
      expect(await current().delete(tenant, "User", b)).toBe(true);
      const created = await createGroup(tenant, [a, b, "no-such-user"]);
      expect(await membersOf(tenant, created.id)).toEqual([a]);
      const group = await createGroup(tenant, []);
      const updated = await repositoryOf().update(tenant, {
        resourceType: "Group",
        id: group.id,
        members: { add: [member(b), member(c), member("no-such-user")], remove: [] },
      });
      expect(updated.membership).toEqual({ added: [c], removed: [] });
      expect(updated.version).toBe(2);
      const onlyGone = await repositoryOf().update(tenant, {
        resourceType: "Group",
        id: group.id,
        members: { add: [member(b)], remove: [] },
      });
      expect(onlyGone.membership).toEqual({ added: [], removed: [] });
      expect(onlyGone.version).toBe(2);
      expect(await membersOf(tenant, group.id)).toEqual([c]);
      expect(await current().memberOf(tenant, b)).toEqual([]);
    });

    test("the repository gives each added member the type it really has", async () => {
      const tenant = newTenant("members-resolved");
      const [a, b] = (await createUsers(tenant, 2)) as [string, string];
      const nested = await createGroup(tenant, []);
      const group = await createGroup(tenant, [a]);
      const repository = repositoryOf();
      // Entra names members without a type; core claims "User" for each.
      const updated = await repository.update(tenant, {
        resourceType: "Group",
        id: group.id,
        members: { add: [member(b), member(nested.id), member(b)], remove: [] },
        checkMembers: true,
      });
      expect(sorted(updated.membership?.added ?? [])).toEqual(sorted([b, nested.id]));
      expect(updated.version).toBe(2);
      const stored = await current().get(tenant, "Group", group.id, { includeMembers: true });
      expect(
        Object.fromEntries((stored?.members ?? []).map((entry) => [entry.value, entry.type])),
      ).toEqual({ [a]: "User", [b]: "User", [nested.id]: "Group" });
      expect((await current().memberOf(tenant, nested.id)).map((entry) => entry.id)).toEqual([
        group.id,
      ]);

      const refused = repository.update(tenant, {
        resourceType: "Group",
        id: group.id,
        members: { add: [member(a), member("no-such-user")], remove: [b] },
        checkMembers: true,
      });
      await expect(refused).rejects.toMatchObject({
        status: 400,
        scimType: "invalidValue",
        code: "members.not_found",
      });
      expect(await membersOf(tenant, group.id)).toEqual(sorted([a, b, nested.id]));
      expect((await backdoor().readRecord(tenant, "Group", group.id))?.version).toBe(2);
    });

    test("checkMembers: a member that is no record of the type given fails the whole write", async () => {
      const tenant = newTenant("members-checked");
      const [a, b, c] = (await createUsers(tenant, 3)) as [string, string, string];
      const other = await createGroup(tenant, []);
      const group = await createGroup(tenant, [a]);
      const store = current();
      const write = (add: MemberRef[], remove: string[] = []) =>
        store.update(tenant, {
          resourceType: "Group",
          id: group.id,
          lastModified: "2026-01-02T00:00:00.000Z",
          members: { add, remove },
          checkMembers: true,
        });
      for (const wrong of [member(other.id), member("no-such-user"), { value: b, type: "Group" }]) {
        const refused = write([member(c), wrong], [a]);
        await expect(refused).rejects.toSatisfy(isUnresolvedMembers);
        expect(await membersOf(tenant, group.id)).toEqual([a]);
        expect((await backdoor().readRecord(tenant, "Group", group.id))?.version).toBe(1);
      }
      const written = await write([member(c), { value: other.id, type: "Group" }], [a]);
      expect(written.membership).toEqual({ added: [c, other.id], removed: [a] });
      expect(written.version).toBe(2);
      expect(await membersOf(tenant, group.id)).toEqual(sorted([c, other.id]));
    }, ["capabilities.checksMembers"]);

    test("checkMembers: concurrent updates of one group each answer for their own members", async () => {
      const tenant = newTenant("members-checked-concurrent");
      const users = await createUsers(tenant, 12);
      const group = await createGroup(tenant, []);
      const store = current();
      const results = await Promise.allSettled(
        [...users.map((id) => member(id)), member("gone-1"), member("gone-2")].map((entry) =>
          store.update(tenant, {
            resourceType: "Group",
            id: group.id,
            lastModified: "2026-01-02T00:00:00.000Z",
            members: { add: [entry], remove: [] },
            checkMembers: true,
          }),
        ),
      );
      const refused = results.filter((result) => result.status === "rejected");
      expect(refused).toHaveLength(2);
      for (const result of refused) expect(isUnresolvedMembers(result.reason)).toBe(true);
      expect(await membersOf(tenant, group.id)).toEqual(sorted(users));
      expect((await backdoor().readRecord(tenant, "Group", group.id))?.version).toBe(13);
    }, ["capabilities.checksMembers"]);

    test("deleting a group removes it from its members' groups", async () => {
      const tenant = newTenant("delete-group");
      const [a] = (await createUsers(tenant, 1)) as [string];
      const one = await createGroup(tenant, [a]);
      const two = await createGroup(tenant, [a]);
      expect(await current().delete(tenant, "Group", one.id)).toBe(true);
      expect((await current().memberOf(tenant, a)).map((group) => group.id)).toEqual([two.id]);
      expect(await membersOf(tenant, one.id)).toEqual([]);
    });
  });
}
