import { oktaCustomApp, oktaOin } from "@scimkit/idp-replay";
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

const ISABELLA = "isabella.jones@example.com";
const NOAH = "noah.smith@example.com";
// Okta's pushed group is "Test SCIMv2": its policy name keeps the space and is lower-cased.
const BY_NAME = "group:test scimv2@example.com";

/**
 * Okta's OIN lifecycle (no-path PATCH deactivation, Group Push with the read-only
 * `id` inside a rename, full and empty pushes) replayed from @scimkit/idp-replay,
 * and the AIW app's PUT-based deactivation, with the app's decisions in between.
 */
describe("Okta provisioning drives access and sessions", () => {
  let app: RunningApp;
  let folder: Awaited<ReturnType<typeof policyFolder>>;
  let okta: ReturnType<typeof traceRunner>;
  beforeAll(async () => {
    folder = await policyFolder({
      domain: "example.com",
      acls: [{ action: "accept", src: [BY_NAME], dst: ["tag:db:5432"] }],
    });
    app = await startApp({ POLICY_FILE: folder.file });
    okta = traceRunner(oktaOin, app);
  });
  afterAll(async () => {
    await app?.stop();
    await folder?.remove();
  });

  let session: string;
  it("deactivation (no-path replace active:false) revokes within a second; reactivation revives nothing", async () => {
    await okta.through("create with password and groups: []");
    session = await createSession(app, ISABELLA);
    await okta.through("profile update: PUT the whole object with id, meta and groups");
    const started = Date.now();
    await okta.through("deactivate: no-path replace {active:false}");
    expect(await revokedWithin(app, session, started)).toBeLessThan(1000);
    await okta.through("reactivate: no-path replace {active:true}");
    session = await createSession(app, ISABELLA);
    expect(await sessionStatus(app, session)).toBe(200);
  });

  it("Group Push grants by the lower-cased name with its space", async () => {
    await okta.through("group push: create with members []");
    await applyPolicy(app, folder, {
      domain: "example.com",
      acls: [
        { action: "accept", src: [BY_NAME], dst: ["tag:db:5432"] },
        { action: "accept", src: [`group:${okta.variables.groupId}`], dst: ["tag:web:443"] },
      ],
    });
    await okta.through("group push: add a member without type, with display");
    const answer = await expectAccess(app, ISABELLA, "tag:db:5432", true);
    expect(answer.via).toMatchObject([{ src: BY_NAME, group: { displayName: "Test SCIMv2" } }]);
    await expectAccess(app, NOAH, "tag:db:5432", false);
  });

  it("a remove by filter and an add in one PATCH move the grant from one user to the other", async () => {
    await okta.through("group push: remove by filter and add in one request");
    await expectAccess(app, ISABELLA, "tag:db:5432", false);
    await expectAccess(app, NOAH, "tag:db:5432", true);
  });

  it("Okta's rename (id inside the value) fails the name closed; the SCIM id keeps working", async () => {
    await okta.through("rename with the read-only id inside the replace value");
    await expectAccess(app, NOAH, "tag:db:5432", false);
    await expectAccess(app, NOAH, "tag:web:443", true);
    const errors = await policyErrors(app);
    expect(errors).toMatchObject([{ ref: BY_NAME }]);
    expect(errors[0]!.message).toContain('renamed from "Test SCIMv2" to "Test SCIMv2 Renamed"');
  });

  it("a full push grants both, an empty push grants nobody", async () => {
    await okta.through("full push: replace members");
    await expectAccess(app, ISABELLA, "tag:web:443", true);
    await expectAccess(app, NOAH, "tag:web:443", true);
    await okta.through("push now of an emptied group: replace members []");
    await expectAccess(app, ISABELLA, "tag:web:443", false);
    await expectAccess(app, NOAH, "tag:web:443", false);
    await okta.through("replace value {members, id, displayName} in one no-path operation");
    await expectAccess(app, ISABELLA, "tag:web:443", true);
  });

  it("an unlinked group grants nothing; unassigning (Okta never deletes) revokes the session", async () => {
    expect(await sessionStatus(app, session)).toBe(200);
    await okta.through("unlink the pushed group and delete it in the app");
    await expectAccess(app, ISABELLA, "tag:web:443", false);
    const started = Date.now();
    await okta.rest();
    expect(await revokedWithin(app, session, started)).toBeLessThan(1000);
    expect((await policyErrors(app)).map((error) => error.ref)).toEqual([
      BY_NAME,
      `group:${okta.variables.groupId}`,
    ]);
  });
});

describe("Okta custom (AIW) app: deactivation by PUT", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("a PUT with active:false revokes the session within a second", async () => {
    const okta = traceRunner(oktaCustomApp, app);
    await okta.through("update by PUT with id, meta, groups");
    const session = await createSession(app, "mia.chen@example.com");
    const started = Date.now();
    await okta.through("deactivate by PUT active:false");
    expect(await revokedWithin(app, session, started)).toBeLessThan(1000);
    await okta.through("reactivate by PUT active:true");
    expect(await sessionStatus(app, session)).toBe(401);
  });
});
