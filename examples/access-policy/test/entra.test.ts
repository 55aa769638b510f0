import { entraId } from "@scimkit/idp-replay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { traceRunner } from "./replay";
import {
  applyPolicy,
  createSession,
  expectAccess,
  policyErrors,
  policyFolder,
  type RunningApp,
  revokedWithin,
  sessionStatus,
  startApp,
} from "./start-app";

// The names and ids Entra's recorded trace provisions.
const USER = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@contoso.com";
const MANAGER = "Test_User_manager-4f0d@contoso.com";
const GROUP_OBJECT_ID = "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159";
const BY_NAME = "group:group1displayname@contoso.com";
const BY_OBJECT_ID = `group:${GROUP_OBJECT_ID}`;

const POLICY = {
  domain: "contoso.com",
  acls: [
    { action: "accept", src: [BY_NAME], dst: ["tag:db:5432"] },
    { action: "accept", src: [BY_OBJECT_ID], dst: ["tag:web:*"] },
  ],
};

/**
 * Entra ID's provisioning lifecycle, replayed request for request from
 * @scimkit/idp-replay's recorded trace (default job: capitalised ops, "True" and
 * "False" strings), with the app's decisions checked between the requests.
 */
describe("Entra ID provisioning drives access and sessions", () => {
  let app: RunningApp;
  let folder: Awaited<ReturnType<typeof policyFolder>>;
  let entra: ReturnType<typeof traceRunner>;
  beforeAll(async () => {
    folder = await policyFolder(POLICY);
    app = await startApp({ POLICY_FILE: folder.file });
    entra = traceRunner(entraId, app);
  });
  afterAll(async () => {
    await app?.stop();
    await folder?.remove();
  });

  let firstSession: string;
  it("a provisioned user gets a session, and no access without a group", async () => {
    await entra.through("create the user: current doc body");
    firstSession = await createSession(app, USER);
    expect(await sessionStatus(app, firstSession)).toBe(200);
    await expectAccess(app, USER, "tag:db:5432", false);
  });

  it('Entra\'s "False" revokes the session within a second, and a suspended user cannot log in', async () => {
    await entra.through("the updates are stored");
    const started = Date.now();
    await entra.through("disable sign-in: Replace active with the string False");
    expect(await revokedWithin(app, firstSession, started)).toBeLessThan(1000);
    const refused = await app.api("/sessions", {
      method: "POST",
      body: JSON.stringify({ userName: USER }),
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "user.suspended" } });
  });

  let secondSession: string;
  it('"True" restores the user without reviving the old session', async () => {
    await entra.through("restore: Replace active with the string True");
    secondSession = await createSession(app, USER);
    expect(await sessionStatus(app, firstSession)).toBe(401);
    expect(await sessionStatus(app, secondSession)).toBe(200);
  });

  it("membership grants by the lower-cased name and by Entra's object id", async () => {
    await entra.through("add the manager in a second PATCH");
    const byName = await expectAccess(app, USER, "tag:db:5432", true);
    expect(byName.via).toEqual([
      {
        rule: 0,
        src: BY_NAME,
        dst: "tag:db:5432",
        group: {
          id: entra.variables.groupId,
          displayName: "Group1DisplayName",
          externalId: GROUP_OBJECT_ID,
        },
      },
    ]);
    const byId = await expectAccess(app, USER, "tag:web:443", true);
    expect(byId.via).toMatchObject([{ rule: 1, src: BY_OBJECT_ID, dst: "tag:web:*" }]);
    await expectAccess(app, MANAGER, "tag:db:5432", true);
    // Ports and tags are matched exactly.
    await expectAccess(app, USER, "tag:db:5433", false);
    await expectAccess(app, USER, "tag:dbx:5432", false);
    expect(await policyErrors(app)).toEqual([]);
  });

  it("a reference by SCIM id works too, once the policy names it", async () => {
    await applyPolicy(app, folder, {
      ...POLICY,
      acls: [
        ...POLICY.acls,
        { action: "accept", src: [`group:${entra.variables.groupId}`], dst: ["tag:ssh:22"] },
      ],
    });
    await expectAccess(app, USER, "tag:ssh:22", true);
  });

  it("Entra's remove with a value array takes exactly that member's access away", async () => {
    await entra.through("remove the manager with a value array");
    await expectAccess(app, MANAGER, "tag:db:5432", false);
    await expectAccess(app, USER, "tag:db:5432", true);
  });

  it("a rename fails closed for the name reference and says so; id references are unaffected", async () => {
    await entra.through("rename the group");
    await expectAccess(app, USER, "tag:db:5432", false);
    await expectAccess(app, USER, "tag:web:443", true);
    await expectAccess(app, USER, "tag:ssh:22", true);
    const errors = await policyErrors(app);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.ref).toBe(BY_NAME);
    expect(errors[0]!.message).toContain('No group is named "group1displayname"');
    expect(errors[0]!.message).toContain(
      'renamed from "Group1DisplayName" to "Group1DisplayName Renamed"',
    );
  });

  it("renaming back clears the error and restores the name's grant", async () => {
    const rename = entra.step("rename the group");
    await entra.send({
      ...rename,
      request: {
        ...rename.request,
        body: {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "Replace", path: "displayName", value: "Group1DisplayName" }],
        },
      },
    });
    await expectAccess(app, USER, "tag:db:5432", true);
    expect(await policyErrors(app)).toEqual([]);
    // Back to the trace's name, so the rest of the trace finds the group by it.
    await entra.send(rename);
    await expectAccess(app, USER, "tag:db:5432", false);
  });

  it("Entra's soft delete (active False) revokes the new session within a second", async () => {
    await entra.through("the renamed group is found by its new name, without members");
    expect(await sessionStatus(app, secondSession)).toBe(200);
    const started = Date.now();
    await entra.through("soft delete in Entra: PATCH active False");
    expect(await revokedWithin(app, secondSession, started)).toBeLessThan(1000);
    await expectAccess(app, USER, "tag:web:443", false);
  });

  it("the hard delete leaves no access; a user re-created with the same name is a new user without the old memberships", async () => {
    await entra.through("the deleted user is no longer a member");
    await expectAccess(app, USER, "tag:web:443", false);
    const oldId = entra.variables.userId;
    await entra.send(entra.step("create the user: current doc body"));
    expect(entra.variables.userId).not.toBe(oldId);
    const session = await createSession(app, USER);
    expect(await sessionStatus(app, session)).toBe(200);
    await expectAccess(app, USER, "tag:web:443", false);
    await expectAccess(app, USER, "tag:ssh:22", false);
    const members = await (
      await app.admin(`/api/admin/groups/${entra.variables.groupId}/members`)
    ).json();
    expect(members).toEqual({ members: [], total: 0 });
  });

  it("after the group is deleted, id references grant nothing and are reported", async () => {
    await entra.rest();
    const errors = await policyErrors(app);
    expect(errors.map((error) => error.ref)).toEqual([
      BY_NAME,
      BY_OBJECT_ID,
      `group:${entra.variables.groupId}`,
    ]);
    expect(errors[1]!.message).toContain(`No group has the id or externalId "${GROUP_OBJECT_ID}"`);
  });
});
