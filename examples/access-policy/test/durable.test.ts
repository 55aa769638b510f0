import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, patch } from "./scim";
import {
  createSession,
  type RunningApp,
  revokedWithin,
  sessionStatus,
  startApp,
} from "./start-app";

const databaseUrl = process.env.DATABASE_URL || undefined;
/** The durable stores: the default (PGlite in DATA_DIR), and PostgreSQL when DATABASE_URL is set. */
const STORES = [
  { label: "pglite (the default store)", env: () => ({ STORE: "" }) },
  ...(databaseUrl === undefined
    ? []
    : [
        {
          label: "postgres",
          env: () => ({
            STORE: "postgres",
            DATABASE_URL: databaseUrl,
            DATABASE_SCHEMA: `access_${process.pid}_${Math.floor(Math.random() * 1e6)}`,
          }),
        },
      ]),
];

for (const { label, env: storeEnv } of STORES) {
  describe(`on ${label}`, () => {
    let dataDir: string;
    let env: Record<string, string>;
    const running: RunningApp[] = [];
    const start = async (extra: Record<string, string> = {}) => {
      const app = await startApp({ ...env, ...extra });
      running.push(app);
      return app;
    };
    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), "access-policy-durable-"));
      env = { ...storeEnv(), DATA_DIR: path.join(dataDir, "data") };
    });
    afterAll(async () => {
      for (const app of running) await app.stop();
      await rm(dataDir, { recursive: true, force: true });
      if (env?.DATABASE_SCHEMA !== undefined) {
        const { default: pg } = await import("pg");
        const pool = new pg.Pool({ connectionString: env.DATABASE_URL });
        await pool.query(`DROP SCHEMA IF EXISTS "${env.DATABASE_SCHEMA}" CASCADE`);
        await pool.query(`DROP SCHEMA IF EXISTS "${env.DATABASE_SCHEMA}_access" CASCADE`);
        await pool.end();
      }
    });

    it("sessions and revocations survive restarts", async () => {
      const first = await start();
      expect(first.output()).not.toContain("STORE=memory keeps");
      await createUser(first, "erin@example.com");
      const kept = await createSession(first, "erin@example.com");
      await first.stop();

      const second = await start();
      expect(await sessionStatus(second, kept)).toBe(200);
      const { users } = (await (await second.admin("/api/admin/users")).json()) as {
        users: { id: string }[];
      };
      const started = Date.now();
      await patch(second, `/Users/${users[0]!.id}`, {
        op: "replace",
        path: "active",
        value: false,
      });
      expect(await revokedWithin(second, kept, started)).toBeLessThan(1000);
      await second.stop();

      const third = await start();
      expect(await sessionStatus(third, kept)).toBe(401);
      await third.stop();
    }, 300_000);

    it("kill -9 after the SCIM write committed, before the revocation ran: revoked right after the restart", async () => {
      const holdFile = path.join(dataDir, "hold-consumer");
      const first = await start({ TEST_HOLD_CONSUMER_FILE: holdFile });
      const id = await createUser(first, "frank@example.com");
      const session = await createSession(first, "frank@example.com");

      // Hold the consumer, then suspend the user the way Entra does.
      await writeFile(holdFile, "");
      await patch(first, `/Users/${id}`, { op: "Replace", path: "active", value: "False" });
      await first.waitFor(/consumer holding change user\.updated #\d+/);
      // The write committed (SCIM answers it inactive), the revocation has not run.
      const read = await first.scim(`/Users/${id}`);
      expect(await read.json()).toMatchObject({ active: false });
      expect(await sessionStatus(first, session)).toBe(200);
      await first.kill();

      await rm(holdFile);
      // Resolves once the new instance's consumer holds the lease (the dead one's lapsed).
      const second = await start();
      const consumerRunning = Date.now();
      expect(await revokedWithin(second, session, consumerRunning)).toBeLessThan(1000);
      const refused = await second.api("/sessions", {
        method: "POST",
        body: JSON.stringify({ userName: "frank@example.com" }),
      });
      expect(refused.status).toBe(403);
    }, 300_000);
  });
}
