import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGroup, createUser, patch, remove } from "./scim";
import {
  createSession,
  expectAccess,
  policyFolder,
  type RunningApp,
  revokedWithin,
  sessionStatus,
  startApp,
} from "./start-app";

const POLICY = {
  acls: [{ action: "accept", src: ["group:engineering@example.com"], dst: ["tag:db:5432"] }],
};

for (const mode of ["hard", "soft"] as const) {
  describe(`DELETE_MODE=${mode}: deleting a user`, () => {
    let app: RunningApp;
    let folder: Awaited<ReturnType<typeof policyFolder>>;
    beforeAll(async () => {
      folder = await policyFolder(POLICY);
      app = await startApp({ POLICY_FILE: folder.file, DELETE_MODE: mode });
    });
    afterAll(async () => {
      await app?.stop();
      await folder?.remove();
    });

    it("revokes all their sessions within a second and takes their access away", async () => {
      const id = await createUser(app, "carol@example.com");
      const group = await createGroup(app, "Engineering", [id]);
      await expectAccess(app, "carol@example.com", "tag:db:5432", true);
      const sessions = [
        await createSession(app, "carol@example.com"),
        await createSession(app, "carol@example.com"),
      ];
      const started = Date.now();
      await remove(app, `/Users/${id}`);
      for (const session of sessions) {
        expect(await revokedWithin(app, session, started)).toBeLessThan(1000);
      }
      await expectAccess(app, "carol@example.com", "tag:db:5432", false);
      const members = await (await app.admin(`/api/admin/groups/${group}/members`)).json();
      expect(members).toEqual({ members: [], total: 0 });
    });

    it("a user created again under the same name is a new user, without the old groups", async () => {
      const id = await createUser(app, "carol@example.com");
      const session = await createSession(app, "carol@example.com");
      expect(await sessionStatus(app, session)).toBe(200);
      await expectAccess(app, "carol@example.com", "tag:db:5432", false);
      const { users } = (await (await app.admin("/api/admin/users")).json()) as {
        users: { id: string; userName: string }[];
      };
      expect(users.filter((user) => user.userName === "carol@example.com")).toEqual([
        expect.objectContaining({ id, active: true }),
      ]);
    });
  });
}

describe("deactivating a user with a JSON boolean", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("revokes every session at once, shows the user suspended, and reactivation revives none", async () => {
    const id = await createUser(app, "dave@example.com");
    const sessions = await Promise.all([1, 2, 3].map(() => createSession(app, "dave@example.com")));
    const started = Date.now();
    await patch(app, `/Users/${id}`, { op: "replace", path: "active", value: false });
    for (const session of sessions) {
      expect(await revokedWithin(app, session, started)).toBeLessThan(1000);
    }
    const { users } = (await (await app.admin("/api/admin/users")).json()) as {
      users: { id: string; active: boolean }[];
    };
    expect(users).toEqual([expect.objectContaining({ id, active: false })]);
    await patch(app, `/Users/${id}`, { op: "replace", path: "active", value: true });
    const fresh = await createSession(app, "dave@example.com");
    expect(await sessionStatus(app, fresh)).toBe(200);
    for (const session of sessions) expect(await sessionStatus(app, session)).toBe(401);
  });
});
