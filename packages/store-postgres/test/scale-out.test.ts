import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS, postgresStore } from "../src";
import { DATABASE_URL, uniqueSchema } from "./drivers";

/**
 * The supported production shape: several stateless app instances on one
 * PostgreSQL. Three real child processes (each its own pg Pool, service, token
 * verifier and change consumer) serve HTTP on 127.0.0.1; the test is the load
 * balancer, spreading concurrent Entra-style traffic over them.
 */
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const workspace = fileURLToPath(new URL("../../", import.meta.url));
const ADMIN = randomBytes(16).toString("hex");
const TENANT = "acme";

/** Bundles the workspace packages from source, so the test needs no build. */
const fromSource: Plugin = {
  name: "workspace-sources",
  setup(builder) {
    const sources: Record<string, string> = {
      "@scimkit/core": "core/src/index.ts",
      "@scimkit/core/store": "core/src/store/index.ts",
      "@scimkit/express": "express/src/index.ts",
    };
    builder.onResolve({ filter: /^@scimkit\// }, (args) => {
      const source = sources[args.path];
      return source === undefined ? undefined : { path: join(workspace, source) };
    });
  },
};

interface Instance {
  readonly name: string;
  readonly base: string;
  readonly child: ChildProcess;
  alive: boolean;
}

interface Handled {
  readonly instance: string;
  readonly tenant: string;
  readonly position: number;
  readonly resourceType: string;
  readonly id: string;
}

describe.skipIf(DATABASE_URL === undefined)("three app instances on one PostgreSQL", () => {
  let buildDir: string;
  let script: string;
  const schema = uniqueSchema("scimkit_scale_out");
  const instances: Instance[] = [];
  const handled: Handled[] = [];
  let pool: pg.Pool;
  let token: string;

  const start = (name: string): Promise<Instance> =>
    new Promise((resolve, reject) => {
      const child = fork(script, [DATABASE_URL!, schema, name, ADMIN], {
        cwd: packageDir,
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      child.on("message", (message: { kind: string; port?: number } & Handled) => {
        if (message.kind === "handled") handled.push(message);
        if (message.kind === "ready") {
          const instance = { name, base: `http://127.0.0.1:${message.port}`, child, alive: true };
          resolve(instance);
        }
      });
      child.once("exit", (code, signal) => {
        const instance = instances.find((entry) => entry.child === child);
        if (instance !== undefined) instance.alive = false;
        else reject(new Error(`${name} exited (${code ?? signal}) before it was ready`));
      });
    });

  beforeAll(async () => {
    buildDir = await mkdtemp(join(packageDir, ".scale-out-"));
    script = join(buildDir, "instance.mjs");
    await build({
      entryPoints: [join(packageDir, "test/fixtures/instance.ts")],
      outfile: script,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      external: ["pg", "express", "@electric-sql/pglite"],
      plugins: [fromSource],
      logLevel: "silent",
    });
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
    // All three start, and migrate, at the same moment.
    instances.push(...(await Promise.all(["a", "b", "c"].map(start))));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      instances
        .filter((instance) => instance.alive)
        .map(
          (instance) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => instance.child.kill("SIGKILL"), 10_000);
              instance.child.once("exit", () => {
                clearTimeout(timer);
                resolve();
              });
              instance.child.send("stop");
            }),
        ),
    );
    await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool?.end();
    if (buildDir !== undefined) await rm(buildDir, { recursive: true, force: true });
  });

  let turn = 0;
  /** The load balancer: the next live instance, round robin. */
  const next = (): Instance => {
    const live = instances.filter((instance) => instance.alive);
    return live[turn++ % live.length]!;
  };

  const send = async (
    instance: Instance,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    bearer = token,
  ) => {
    const response = await fetch(`${instance.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        accept: "application/scim+json",
        ...(body === undefined ? {} : { "content-type": "application/scim+json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      etag: response.headers.get("etag"),
      body: (text === "" ? undefined : JSON.parse(text)) as Record<string, unknown> | undefined,
    };
  };
  const scim = (instance: Instance, method: string, path: string, body?: unknown, headers = {}) =>
    send(instance, method, `/scim/v2${path}`, body, headers);
  const manage = (instance: Instance, method: string, path: string, body?: unknown) =>
    fetch(`${instance.base}/manage${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const patchOp = (...operations: object[]) => ({
    schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    Operations: operations,
  });

  /** Runs `task` over `items`, `limit` at a time. */
  async function inParallel<T>(
    items: readonly T[],
    limit: number,
    task: (item: T) => Promise<void>,
  ) {
    let index = 0;
    await Promise.all(
      Array.from({ length: limit }, async () => {
        while (index < items.length) await task(items[index++]!);
      }),
    );
  }

  const userIds: string[] = [];
  const groupIds: string[] = [];

  it("starts three instances at once on one schema, and a token issued on one works on all", async () => {
    const { rows } = await pool.query(`SELECT version FROM "${schema}".schema_migrations`);
    expect(rows).toHaveLength(MIGRATIONS.length);
    expect(
      (await manage(instances[0]!, "POST", "/tenants", { id: TENANT, name: "Acme" })).status,
    ).toBe(201);
    const issued = await manage(instances[1]!, "POST", `/tenants/${TENANT}/tokens`, {
      description: "Entra",
    });
    expect(issued.status).toBe(201);
    token = ((await issued.json()) as { token: string }).token;
    for (const instance of instances) {
      expect((await scim(instance, "GET", "/Users")).status).toBe(200);
    }
  });

  it("loses nothing of concurrent Entra traffic spread over the instances, and gives each race one winner", async () => {
    const users = Array.from({ length: 90 }, (_, index) => index);
    await inParallel(users, 12, async (index) => {
      const userName = `user${index}@acme.example`;
      const lookup = await scim(
        next(),
        "GET",
        `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
      );
      expect(lookup.body?.totalResults).toBe(0);
      const created = await scim(next(), "POST", "/Users", {
        userName,
        active: true,
        displayName: `User ${index}`,
      });
      expect(created.status).toBe(201);
      userIds[index] = created.body?.id as string;
    });
    for (let round = 0; round < 5; round += 1) {
      const racers = await Promise.all(
        instances.map((instance) =>
          scim(instance, "POST", "/Users", { userName: `Racer${round}@acme.example` }),
        ),
      );
      expect(racers.map((racer) => racer.status).sort()).toEqual([201, 409, 409]);
      expect(
        racers.filter((racer) => racer.status === 409).map((racer) => racer.body?.scimType),
      ).toEqual(["uniqueness", "uniqueness"]);
    }
    for (let index = 0; index < 3; index += 1) {
      const group = await scim(next(), "POST", "/Groups", { displayName: `Team ${index}` });
      expect(group.status).toBe(201);
      groupIds.push(group.body?.id as string);
    }
    // Every user joins a team, one PATCH each, many at once on the same groups.
    await inParallel(users, 12, async (index) => {
      const added = await scim(
        next(),
        "PATCH",
        `/Groups/${groupIds[index % 3]}`,
        patchOp({ op: "Add", path: "members", value: [{ value: userIds[index] }] }),
      );
      expect(added.status).toBe(204);
    });
    // Then a third of them leave, again spread over the instances.
    const leaving = users.filter((index) => index % 3 === 0);
    await inParallel(leaving, 12, async (index) => {
      const removed = await scim(
        next(),
        "PATCH",
        `/Groups/${groupIds[index % 3]}`,
        patchOp({ op: "Remove", path: `members[value eq "${userIds[index]}"]` }),
      );
      expect(removed.status).toBe(204);
    });
    for (const [team, groupId] of groupIds.entries()) {
      const expected = users
        .filter((index) => index % 3 === team && !leaving.includes(index))
        .map((index) => userIds[index])
        .sort();
      for (const instance of instances) {
        const group = await scim(instance, "GET", `/Groups/${groupId}?attributes=members`);
        const members = ((group.body?.members as { value: string }[] | undefined) ?? []).map(
          (member) => member.value,
        );
        expect(members.sort()).toEqual(expected);
      }
    }
    for (const instance of instances) {
      const listed = await scim(instance, "GET", "/Users?count=1");
      expect(listed.body?.totalResults).toBe(users.length + 5);
    }
  });

  it("honours ETags across instances: of three writes with the same If-Match one wins", async () => {
    const id = userIds[1]!;
    for (let round = 0; round < 3; round += 1) {
      const current = await scim(next(), "GET", `/Users/${id}`);
      expect(current.etag).toMatch(/^W\/"\d+"$/);
      const writes = await Promise.all(
        instances.map((instance) =>
          scim(
            instance,
            "PATCH",
            `/Users/${id}`,
            patchOp({
              op: "Replace",
              path: "displayName",
              value: `Written by ${instance.name} in round ${round}`,
            }),
            { "if-match": current.etag! },
          ),
        ),
      );
      expect(writes.map((write) => write.status).sort()).toEqual([200, 412, 412]);
      const winner = writes.find((write) => write.status === 200)!;
      for (const instance of instances) {
        const read = await scim(instance, "GET", `/Users/${id}`);
        expect(read.etag).toBe(winner.etag);
        expect(read.body?.displayName).toBe(winner.body?.displayName);
        // The old version is refused everywhere.
        const stale = await scim(
          instance,
          "PATCH",
          `/Users/${id}`,
          patchOp({ op: "Replace", path: "title", value: "x" }),
          {
            "if-match": current.etag!,
          },
        );
        expect(stale.status).toBe(412);
      }
    }
  });

  it("refuses a token revoked on one instance on every instance, from the next request", async () => {
    const issued = await manage(instances[0]!, "POST", `/tenants/${TENANT}/tokens`, {
      description: "rotated out",
    });
    const doomed = (await issued.json()) as { id: string; token: string };
    for (const instance of instances) {
      expect(
        (await send(instance, "GET", "/scim/v2/Users?count=1", undefined, {}, doomed.token)).status,
      ).toBe(200);
    }
    const revoked = await manage(instances[2]!, "DELETE", `/tenants/${TENANT}/tokens/${doomed.id}`);
    expect(revoked.status).toBe(204);
    for (const instance of instances) {
      expect(
        (await send(instance, "GET", "/scim/v2/Users?count=1", undefined, {}, doomed.token)).status,
      ).toBe(401);
      expect((await scim(instance, "GET", "/Users?count=1")).status).toBe(200);
    }
  });

  it("hands every change to one active consumer at least once, in order per resource, also when that instance is killed", async () => {
    const store = postgresStore({ client: pool, schema });
    const allHandled = async (timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const head = (await store.feed!.heads()).find((entry) => entry.tenant === TENANT)!.position;
        const seen = new Set(handled.map((entry) => entry.position));
        const missing = Array.from({ length: head }, (_, index) => index + 1).filter(
          (position) => !seen.has(position),
        );
        if (missing.length === 0) return head;
        if (Date.now() > deadline)
          throw new Error(`changes never handled: ${missing.slice(0, 20)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await allHandled(30_000);
    const { rows } = await pool.query(
      `SELECT holder FROM "${schema}".feed_leases WHERE name = 'audit'`,
    );
    expect(rows).toHaveLength(1);
    const states = await Promise.all(
      instances.map(
        async (instance) =>
          ((await (await fetch(`${instance.base}/consumer`)).json()) as { active: boolean }).active,
      ),
    );
    expect(states.filter(Boolean)).toHaveLength(1);
    const active = instances[states.indexOf(true)]!;

    // The active instance dies mid-stream; the survivors keep serving and one takes over.
    // (The load balancer sends it nothing more, so no request is cut off.)
    active.alive = false;
    const deactivate = (ids: readonly string[]) =>
      inParallel(ids, 6, async (id) => {
        const deactivated = await scim(
          next(),
          "PATCH",
          `/Users/${id}`,
          patchOp({ op: "Replace", path: "active", value: "False" }),
        );
        expect(deactivated.status).toBe(200);
      });
    // Killed while changes stream in, and more arrive after it died.
    const during = deactivate(userIds.slice(0, 40));
    await new Promise((resolve) => setTimeout(resolve, 100));
    active.child.kill("SIGKILL");
    const killedAt = handled.length;
    await during;
    await deactivate(userIds.slice(40, 70));
    const head = await allHandled(60_000);
    const afterKill = handled.slice(killedAt).filter((entry) => entry.instance !== active.name);
    expect(afterKill.length).toBeGreaterThan(0);
    // Each instance handled each resource's changes in position order.
    for (const instance of instances) {
      const byResource = new Map<string, number[]>();
      for (const entry of handled.filter((item) => item.instance === instance.name)) {
        const list = byResource.get(entry.id) ?? [];
        list.push(entry.position);
        byResource.set(entry.id, list);
      }
      for (const [id, positions] of byResource) {
        expect(positions, `${instance.name} ${id}`).toEqual([...positions].sort((x, y) => x - y));
      }
    }
    // At least once: nothing missing, and repeats only around the takeover (one batch or so).
    const repeats = handled.length - new Set(handled.map((entry) => entry.position)).size;
    expect(handled.filter((entry) => entry.tenant === TENANT).length).toBeGreaterThanOrEqual(head);
    expect(repeats).toBeLessThanOrEqual(60);
  }, 120_000);
});
