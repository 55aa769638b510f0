import { PGlite } from "@electric-sql/pglite";
import { createScimService, type ScimObject, toFeedChange } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyChange } from "../src/directory/apply-change";
import type { Directory } from "../src/directory/directory";
import { memoryDirectory } from "../src/directory/memory-directory";
import { sqlDirectory } from "../src/directory/sql-directory";
import { checkAccess, policyErrors } from "../src/policy/check-access";
import { parsePolicy } from "../src/policy/parse-policy";

const T = "default";
const NOW = "2026-01-01T00:00:00.000Z";
const LATER = "2026-01-02T00:00:00.000Z";
const PAGE = { offset: 0, limit: 100 };

/** Every implementation of the directory, on the same tests. */
const implementations: {
  name: string;
  open: () => Promise<{ directory: Directory; close: () => Promise<void> }>;
}[] = [
  {
    name: "memory",
    open: async () => {
      const directory = memoryDirectory();
      return { directory, close: () => directory.close() };
    },
  },
  {
    name: "PGlite",
    open: async () => {
      const client = await PGlite.create();
      const directory = sqlDirectory({ client });
      await directory.migrate();
      await directory.migrate(); // idempotent
      return { directory, close: () => client.close() };
    },
  },
];
const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl !== undefined && databaseUrl !== "") {
  implementations.push({
    name: "PostgreSQL",
    open: async () => {
      const { default: pg } = await import("pg");
      const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
      const schema = `access_test_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
      const directory = sqlDirectory({ client: pool, schema });
      await directory.migrate();
      return {
        directory,
        close: async () => {
          await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
          await pool.end();
        },
      };
    },
  });
} else {
  console.log("directory tests: DATABASE_URL is unset, so they run on memory and PGlite only.");
}

const user = (id: string, userName: string, active = true) => ({ id, userName, active });

for (const implementation of implementations) {
  describe(`the app's directory on ${implementation.name}`, () => {
    let directory: Directory;
    let close: () => Promise<void>;
    let tenant: string;
    let counter = 0;
    beforeAll(async () => {
      ({ directory, close } = await implementation.open());
    });
    afterAll(async () => {
      await close?.();
    });
    // Each test in its own tenant, so they share one database without seeing each other.
    const fresh = () => {
      counter += 1;
      tenant = `t${counter}`;
      return tenant;
    };

    it("revokes a user's sessions when the user is stored inactive, and never revives them", async () => {
      fresh();
      await directory.putUser(tenant, user("u1", "Alice@Example.com"), NOW);
      expect(await directory.createSession(tenant, "u1", "s1", NOW)).toBe("created");
      expect(await directory.createSession(tenant, "u1", "s2", NOW)).toBe("created");
      expect(await directory.getSession(tenant, "s1")).toEqual({
        userId: "u1",
        userName: "Alice@Example.com",
        userActive: true,
        createdAt: NOW,
      });
      await directory.putUser(tenant, user("u1", "Alice@Example.com", false), LATER);
      expect(await directory.getSession(tenant, "s1")).toMatchObject({
        revokedAt: LATER,
        revokedReason: "deactivated",
        userActive: false,
      });
      expect(await directory.createSession(tenant, "u1", "s3", LATER)).toBe("inactive");
      expect(await directory.createSession(tenant, "nobody", "s4", LATER)).toBe("unknown");
      await directory.putUser(tenant, user("u1", "Alice@Example.com"), LATER);
      expect(await directory.getSession(tenant, "s2")).toMatchObject({
        revokedAt: LATER,
        userActive: true,
      });
      expect(await directory.revokeSessions(tenant, "u1", "deactivated", LATER)).toBe(0);
    });

    it("finds users by userName case-insensitively, and lists them in name order", async () => {
      fresh();
      await directory.putUser(tenant, user("b", "bob@example.com"), NOW);
      await directory.putUser(
        tenant,
        { ...user("a", "Alice@example.com"), displayName: "Alice", externalId: "e-a" },
        NOW,
      );
      expect(await directory.usersByName(tenant, "ALICE@EXAMPLE.COM")).toEqual([
        {
          id: "a",
          userName: "Alice@example.com",
          displayName: "Alice",
          externalId: "e-a",
          active: true,
        },
      ]);
      expect(await directory.usersByName(tenant, "carol@example.com")).toEqual([]);
      const page = await directory.listUsers(tenant, { offset: 1, limit: 1 });
      expect(page).toEqual({ users: [user("b", "bob@example.com")], total: 2 });
      expect(await directory.usersByName(`${tenant}-other`, "bob@example.com")).toEqual([]);
    });

    it("keeps memberships as a set, and removes a deleted user from every group", async () => {
      fresh();
      await directory.putUser(tenant, user("u1", "one@example.com"), NOW);
      await directory.putUser(tenant, user("u2", "two@example.com"), NOW);
      await directory.putGroup(tenant, { id: "g1", displayName: "Engineering" }, NOW);
      await directory.putGroup(tenant, { id: "g2", displayName: "Ops", externalId: "x2" }, NOW);
      await directory.setMembers(tenant, "g1", ["u1", "u2", "g2"]);
      await directory.changeMembers(tenant, "g1", ["u1"], []); // already there
      await directory.changeMembers(tenant, "g2", ["u1", "ghost"], ["u2"]);
      expect(
        (await directory.groupsContaining(tenant, ["u1", "g2"]))
          .map((row) => `${row.groupId}<${row.memberId}`)
          .sort(),
      ).toEqual(["g1<g2", "g1<u1", "g2<u1"]);
      expect(await directory.groupMembers(tenant, "g2", PAGE)).toEqual({
        members: [
          { id: "u1", type: "User", name: "one@example.com", active: true },
          { id: "ghost", type: "Unknown" },
        ],
        total: 2,
      });
      await directory.setMembers(tenant, "g1", ["u2"]);
      await directory.removeUser(tenant, "u1", LATER);
      expect(await directory.groupsContaining(tenant, ["u1"])).toEqual([]);
      const { groups } = await directory.listGroups(tenant, PAGE);
      expect(groups.map((group) => [group.id, group.memberCount])).toEqual([
        ["g1", 1],
        ["g2", 1],
      ]);
      await directory.removeGroup(tenant, "g2");
      expect(await directory.groupsContaining(tenant, ["g2", "ghost"])).toEqual([]);
      expect(await directory.groupMembers(tenant, "g2", PAGE)).toBeUndefined();
    });

    it("records the last rename that changed the policy name", async () => {
      fresh();
      await directory.putGroup(tenant, { id: "g", displayName: "Engineering" }, NOW);
      await directory.putGroup(tenant, { id: "g", displayName: "ENGINEERING" }, NOW, {
        previousDisplayName: "Engineering",
      });
      let [group] = await directory.groupsForReferences(tenant, ["engineering"], []);
      expect(group).toEqual({ id: "g", displayName: "ENGINEERING", policyName: "engineering" });
      await directory.putGroup(
        tenant,
        { id: "g", displayName: "Platform", externalId: "obj" },
        LATER,
        {
          previousDisplayName: "ENGINEERING",
        },
      );
      await directory.putGroup(
        tenant,
        { id: "g", displayName: "Platform", externalId: "obj" },
        LATER,
      );
      [group] = await directory.groupsForReferences(tenant, ["engineering"], []);
      expect(group).toEqual({
        id: "g",
        displayName: "Platform",
        policyName: "platform",
        externalId: "obj",
        previousDisplayName: "ENGINEERING",
        previousPolicyName: "engineering",
        renamedAt: LATER,
      });
      expect(await directory.groupsForReferences(tenant, [], ["obj"])).toHaveLength(1);
      expect(await directory.groupsForReferences(tenant, [], ["g"])).toHaveLength(1);
      expect(await directory.groupsForReferences(tenant, ["nothing"], ["none"])).toEqual([]);
    });

    it("fails closed on ambiguous references and explains each error", async () => {
      fresh();
      await directory.putUser(tenant, user("u", "u@example.com"), NOW);
      await directory.putGroup(tenant, { id: "s1", displayName: "Sales" }, NOW);
      await directory.putGroup(tenant, { id: "s2", displayName: "sales " }, NOW);
      await directory.putGroup(tenant, { id: "a", displayName: "A", externalId: "dup" }, NOW);
      await directory.putGroup(tenant, { id: "dup", displayName: "B" }, NOW);
      await directory.putGroup(tenant, { id: "eng", displayName: "engineering" }, NOW);
      for (const group of ["s1", "s2", "a", "dup", "eng"])
        await directory.setMembers(tenant, group, ["u"]);
      const parsed = parsePolicy(
        JSON.stringify({
          acls: [
            { action: "accept", src: ["group:sales@example.com"], dst: ["tag:crm:443"] },
            { action: "accept", src: ["group:dup"], dst: ["tag:crm:443"] },
            { action: "accept", src: ["group:engineering"], dst: ["tag:crm:443"] },
            { action: "accept", src: ["group:engineering@anything.org"], dst: ["tag:db:5432"] },
          ],
        }),
      );
      if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
      const decision = await checkAccess(directory, tenant, parsed.policy, "u", {
        text: "tag:crm:443",
        tag: "crm",
        port: 443,
      });
      expect(decision).toEqual({ allowed: false, via: [] });
      const errors = await policyErrors(directory, tenant, parsed.policy);
      expect(errors.map((error) => error.ref)).toEqual([
        "group:sales@example.com",
        "group:dup",
        "group:engineering",
      ]);
      expect(errors[0]!.message).toMatch(/^2 groups are named "sales"/);
      expect(errors[1]!.message).toMatch(/^2 groups have the id or externalId "dup"/);
      expect(errors[2]!.message).toContain("write group:engineering@<domain>");
      // Without a "domain" in the policy, any domain matches.
      const db = await checkAccess(directory, tenant, parsed.policy, "u", {
        text: "tag:db:5432",
        tag: "db",
        port: 5432,
      });
      expect(db.allowed).toBe(true);
    });
  });
}

describe("the change consumer's handler", () => {
  let service: ReturnType<typeof createScimService>;
  let store: ReturnType<typeof memoryStore>;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await service.handle({
      method,
      path,
      query: {},
      headers: {},
      body,
      tenant: T,
      baseUrl: "http://scim.test/scim/v2",
    });
    expect(response.status).toBeLessThan(300);
    return response.body as ScimObject;
  };
  beforeAll(async () => {
    store = memoryStore();
    service = createScimService({ store });
    const alice = await call("POST", "/Users", { userName: "alice@example.com" });
    const bob = await call("POST", "/Users", { userName: "bob@example.com", active: false });
    const group = await call("POST", "/Groups", {
      displayName: "Engineering",
      externalId: "obj-1",
      members: [{ value: alice.id }],
    });
    await call("PATCH", `/Groups/${group.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "add", path: "members", value: [{ value: bob.id }] },
        { op: "replace", path: "displayName", value: "Platform" },
      ],
    });
    await call("DELETE", `/Users/${alice.id}`);
  });

  it("gives the same directory when every change is delivered twice, and when the whole feed is replayed", async () => {
    const changes = (await store.feed!.read(T, { after: 0, limit: 100 })).map(toFeedChange);
    expect(changes.map((change) => change.type)).toEqual([
      "user.created",
      "user.created",
      "group.created",
      "group.updated",
      "group.renamed",
      "group.membersChanged",
      "user.deleted",
    ]);
    const once = memoryDirectory();
    const twice = memoryDirectory();
    for (const change of changes) await applyChange(once, () => new Date(NOW))(change);
    for (const change of changes) {
      await applyChange(twice, () => new Date(NOW))(change);
      await applyChange(twice, () => new Date(NOW))(change);
    }
    for (const change of changes) await applyChange(twice, () => new Date(NOW))(change);
    const snapshot = async (directory: Directory) => ({
      users: await directory.listUsers(T, PAGE),
      groups: await directory.listGroups(T, PAGE),
    });
    expect(await snapshot(twice)).toEqual(await snapshot(once));
    expect(await snapshot(once)).toMatchObject({
      users: { users: [{ userName: "bob@example.com", active: false }], total: 1 },
      groups: {
        groups: [{ displayName: "Platform", previousDisplayName: "Engineering", memberCount: 1 }],
        total: 1,
      },
    });
  });
});
