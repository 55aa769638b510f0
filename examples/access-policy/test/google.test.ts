import { googleWorkspace } from "@scimkit/idp-replay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { traceRunner } from "./replay";
import { createSession, type RunningApp, revokedWithin, startApp } from "./start-app";

/** Google Workspace's automated provisioning (application/json bodies), from @scimkit/idp-replay. */
describe("Google Workspace provisioning", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("a suspension revokes the session within a second; the delete leaves no user", async () => {
    const google = traceRunner(googleWorkspace, app);
    await google.through("probe again finds one user");
    const session = await createSession(app, "alex@example.com");
    const started = Date.now();
    await google.through("suspend with application/json");
    expect(await revokedWithin(app, session, started)).toBeLessThan(1000);
    await google.rest();
    await expect
      .poll(
        async () =>
          ((await (await app.admin("/api/admin/users")).json()) as { total: number }).total,
      )
      .toBe(0);
  });
});
