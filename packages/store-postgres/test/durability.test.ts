import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresClient, postgresStore } from "../src";
import { DATABASE_URL, type Driver, openPglite, openPostgres, uniqueSchema } from "./drivers";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
let childScript: string;
let buildDir: string;

beforeAll(async () => {
  // The child runs the store's TypeScript sources; bundle them (drivers stay external).
  buildDir = await mkdtemp(join(packageDir, ".durability-"));
  childScript = join(buildDir, "stream-writes.mjs");
  await build({
    entryPoints: [join(packageDir, "test/fixtures/stream-writes.ts")],
    outfile: childScript,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["pg", "@electric-sql/pglite"],
    tsconfig: join(packageDir, "tsconfig.json"),
    logLevel: "silent",
  });
}, 60_000);

afterAll(async () => {
  await rm(buildDir, { recursive: true, force: true });
});

/** Runs the child until it has acknowledged `writes` lines, then SIGKILLs it. */
function streamThenKill(args: string[], writes: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, ...args], {
      cwd: packageDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acknowledged: string[] = [];
    let buffer = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) if (line !== "ready") acknowledged.push(line);
      if (acknowledged.length >= writes && !child.killed) child.kill("SIGKILL");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`child exited without being killed: ${stderr}`));
      else resolve(acknowledged);
    });
  });
}

/** Every acknowledged write is there, and nothing is half-written. */
async function assertDurable(client: PostgresClient, schema: string, acknowledged: string[]) {
  const store = postgresStore({ client, schema });
  const tenant = "durability";
  const created = acknowledged
    .filter((line) => line.startsWith("created "))
    .map((line) => line.slice(8));
  const joined = acknowledged
    .filter((line) => line.startsWith("member "))
    .map((line) => line.slice(7));
  expect(created.length).toBeGreaterThan(10);
  for (const [index, id] of created.entries()) {
    const record = await store.get(tenant, "User", id);
    expect(record, `acknowledged create ${id}`).toMatchObject({
      version: 1,
      data: { userName: `user${index}` },
    });
  }
  const group = await store.get(tenant, "Group", "group", { includeMembers: true });
  const members = new Set(group?.members?.map((member) => member.value));
  for (const id of joined) expect(members.has(id), `acknowledged member ${id}`).toBe(true);
  // At most the one write in flight at the kill may have committed unacknowledged.
  expect(members.size - joined.length).toBeLessThanOrEqual(1);
  expect(group?.version).toBe(1 + members.size);
  // A resource row is never without its unique key, nor a member without its resource.
  const { rows } = await client.query(
    `SELECT
       (SELECT count(*)::int FROM "${schema}".resources r WHERE r.resource_type = 'User'
          AND NOT EXISTS (SELECT 1 FROM "${schema}".unique_keys k WHERE k.tenant = r.tenant AND k.id = r.id)) AS without_key,
       (SELECT count(*)::int FROM "${schema}".memberships m
          WHERE NOT EXISTS (SELECT 1 FROM "${schema}".resources r WHERE r.tenant = m.tenant AND r.id = m.member_id)) AS dangling,
       (SELECT count(*)::int FROM "${schema}".resources WHERE resource_type = 'User') AS users`,
  );
  expect(rows[0]).toMatchObject({ without_key: 0, dangling: 0 });
  expect((rows[0]?.users as number) - created.length).toBeLessThanOrEqual(1);

  // Every committed write's change is in the feed, once, at gapless positions
  // (numbered before the kill or by this read), and no change without its write.
  const changes = [];
  for (let after = 0; ; ) {
    const page = await store.feed!.read(tenant, { after, limit: 500 });
    if (page.length === 0) break;
    changes.push(...page);
    after = page.at(-1)!.position;
  }
  expect(changes.map((change) => change.position)).toEqual(
    Array.from({ length: changes.length }, (_, index) => index + 1),
  );
  const userChanges = changes.filter((change) => change.type === "user.created");
  const memberChanges = changes.filter((change) => change.type === "group.membersChanged");
  const { rows: users } = await client.query(
    `SELECT id FROM "${schema}".resources WHERE tenant = $1 AND resource_type = 'User'`,
    [tenant],
  );
  expect(new Set(userChanges.map((change) => change.id))).toEqual(
    new Set(users.map((row) => row.id as string)),
  );
  expect(userChanges).toHaveLength(users.length);
  expect(memberChanges.flatMap((change) => change.data.added as string[]).sort()).toEqual(
    [...members].sort(),
  );
  for (const id of created) {
    expect(
      userChanges.some((change) => change.id === id),
      `change of ${id}`,
    ).toBe(true);
  }
}

describe("durability under kill -9 (records and their changes)", () => {
  it("keeps every acknowledged write in a PGlite data directory", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "scimkit-pglite-"));
    let driver: Driver | undefined;
    try {
      const acknowledged = await streamThenKill(["pglite", dataDir, "scimkit"], 120);
      driver = await openPglite(dataDir);
      await assertDurable(driver.client, "scimkit", acknowledged);
    } finally {
      await driver?.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it.skipIf(DATABASE_URL === undefined)(
    "keeps every acknowledged write on PostgreSQL (DATABASE_URL)",
    async () => {
      const schema = uniqueSchema("scimkit_durability");
      const driver = openPostgres(DATABASE_URL!);
      try {
        const acknowledged = await streamThenKill(["postgres", DATABASE_URL!, schema], 400);
        await assertDurable(driver.client, schema, acknowledged);
      } finally {
        await driver.dropSchema(schema);
        await driver.close();
      }
    },
    120_000,
  );
});
