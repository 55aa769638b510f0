import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGroup, createUser, patch } from "./scim";
import { applyPolicy, expectAccess, policyFolder, type RunningApp, startApp } from "./start-app";

const policy = (nestedGroups: boolean) => ({
  domain: "example.com",
  nestedGroups,
  acls: [
    { action: "accept", src: ["group:engineering@example.com"], dst: ["tag:db:5432"] },
    { action: "accept", src: ["group:all employees@example.com"], dst: ["tag:web:*"] },
  ],
});

describe("nested groups (opt-in)", () => {
  let app: RunningApp;
  let folder: Awaited<ReturnType<typeof policyFolder>>;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    folder = await policyFolder(policy(false));
    app = await startApp({ POLICY_FILE: folder.file });
    ids.alice = await createUser(app, "alice@example.com");
    ids.bob = await createUser(app, "bob@example.com");
    // alice ∈ Frontend ∈ Engineering ∈ All Employees; bob ∈ Engineering directly.
    ids.frontend = await createGroup(app, "Frontend", [ids.alice]);
    ids.engineering = await createGroup(app, "Engineering", [ids.frontend, ids.bob]);
    ids.all = await createGroup(app, "All Employees", [ids.engineering]);
  });
  afterAll(async () => {
    await app?.stop();
    await folder?.remove();
  });

  it("off (Tailscale's behaviour): only direct members get a group's rules", async () => {
    await expectAccess(app, "bob@example.com", "tag:db:5432", true);
    await expectAccess(app, "alice@example.com", "tag:db:5432", false);
    await expectAccess(app, "alice@example.com", "tag:web:443", false);
    await expectAccess(app, "bob@example.com", "tag:web:443", false);
  });

  it("on: members of member groups get the parent's rules, transitively, with the path in via", async () => {
    await applyPolicy(app, folder, policy(true));
    const db = await expectAccess(app, "alice@example.com", "tag:db:5432", true);
    expect(db.via).toMatchObject([
      {
        src: "group:engineering@example.com",
        group: { id: ids.engineering },
        through: [{ id: ids.frontend, displayName: "Frontend" }],
      },
    ]);
    const web = await expectAccess(app, "alice@example.com", "tag:web:443", true);
    expect(web.via[0]!.through?.map((group) => group.id)).toEqual([ids.frontend, ids.engineering]);
    const direct = await expectAccess(app, "bob@example.com", "tag:db:5432", true);
    expect(direct.via[0]).not.toHaveProperty("through");
  });

  it("a membership cycle ends the walk instead of looping", async () => {
    // All Employees becomes a member of Frontend: Frontend -> Engineering -> All Employees -> Frontend.
    await patch(app, `/Groups/${ids.frontend}`, {
      op: "add",
      path: "members",
      value: [{ value: ids.all }],
    });
    await expect
      .poll(async () => {
        const answer = await (await app.admin(`/api/admin/groups/${ids.frontend}/members`)).json();
        return (answer as { total: number }).total;
      })
      .toBe(2);
    await expectAccess(app, "alice@example.com", "tag:web:443", true);
    await expectAccess(app, "bob@example.com", "tag:web:443", true);
    await expectAccess(app, "nobody@example.com", "tag:web:443", false);
  });

  it("removing the inner group from its parent takes the inherited access away", async () => {
    await patch(app, `/Groups/${ids.engineering}`, {
      op: "remove",
      path: `members[value eq "${ids.frontend}"]`,
    });
    await expectAccess(app, "alice@example.com", "tag:db:5432", false);
    await expectAccess(app, "bob@example.com", "tag:db:5432", true);
  });

  it("turning it off again applies at once", async () => {
    await applyPolicy(app, folder, policy(false));
    await expectAccess(app, "bob@example.com", "tag:web:443", false);
  });
});
