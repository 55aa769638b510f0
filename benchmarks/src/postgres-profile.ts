/**
 * Where a request's time goes on the Postgres store: for each request type an
 * IdP sends, the statements the store issues (BEGIN/COMMIT included: each is one
 * round trip), the time spent waiting for PostgreSQL, and the rest (validation,
 * PATCH, JSON, projection in core; the driver's own work). Requests run one at a
 * time through core's service (no HTTP), on the HTTP benchmark's directory data
 * set plus a 20 000-member group.
 *
 * Run: `npm run bench:profile -w @scimkit/benchmarks` (builds nothing: run
 * `npm run build` first). PROFILE_STORE=pglite profiles a file-backed PGlite
 * instead of the server at DATABASE_URL; works in its own schema and drops it.
 * PROFILE_ROUNDS (default 200) requests per type; PROFILE_FEED=off turns the
 * change feed off.
 */

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createScimService, type ScimRequest, type ScimService } from "@scimkit/core";
import { type PostgresClient, postgresStore, type Queryable } from "@scimkit/store-postgres";
import pg from "pg";
import { protocolStatements } from "../../packages/store-postgres/test/protocol-messages";
import { loadPostgres, TENANT, USERS, userId, userName } from "./http-dataset";

const ROUNDS = Number(process.env.PROFILE_ROUNDS ?? 200);
const url = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `scimkit_profile_${randomBytes(4).toString("hex")}`;
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

interface Sample {
  readonly text: string;
  readonly ms: number;
}
let samples: Sample[] = [];

const decode = protocolStatements();

/** Records every statement's text and wall time, on the pool and on checked-out clients. */
function recording<T extends object>(target: T): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (property === "query" && typeof value === "function") {
        return async (...args: unknown[]) => {
          const first = args[0] as string | { text: string };
          const text = typeof first === "string" ? first : first.text;
          const start = performance.now();
          try {
            return await value.apply(object, args);
          } finally {
            samples.push({ text, ms: performance.now() - start });
          }
        };
      }
      // On PGlite the store's prepared statements go through the protocol: time
      // each exchange under the statement its Bind ran (or "(prepare)" for a Parse).
      if (property === "execProtocolStream" && typeof value === "function") {
        return async (message: Uint8Array, options: unknown) => {
          const ran = decode(message);
          const text = ran[0]?.text ?? "(prepare a statement)";
          const start = performance.now();
          try {
            return await value.call(object, message, options);
          } finally {
            samples.push({ text, ms: performance.now() - start });
          }
        };
      }
      if (property === "connect" && typeof value === "function") {
        return async () => recording(await value.apply(object));
      }
      if (property === "transaction" && typeof value === "function") {
        return (callback: (transaction: object) => Promise<unknown>) =>
          value.call(object, (transaction: object) => callback(recording(transaction)));
      }
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}

const shorten = (text: string) => text.replace(/\s+/g, " ").slice(0, 90);

const onPglite = process.env.PROFILE_STORE === "pglite";
const dataDir = onPglite ? mkdtempSync(join(tmpdir(), "scimkit-profile-")) : undefined;
const pool: Queryable & { end(): Promise<void> } =
  dataDir === undefined
    ? new pg.Pool({ connectionString: url, max: 4 })
    : await (async () => {
        const { PGlite } = await import("@electric-sql/pglite");
        const lite = await PGlite.create({ dataDir });
        return Object.assign(lite, { end: () => lite.close() });
      })();
let service: ScimService | undefined;
try {
  const client = recording(pool) as unknown as PostgresClient;
  const store = postgresStore({ client, schema });
  await store.migrate();
  await loadPostgres(pool, schema);
  // A 20 000-member group beside the data set's 100 000- and 10-member ones.
  await pool.query(
    `INSERT INTO "${schema}".resources (tenant, resource_type, id, version, created, last_modified, data)
     VALUES ($1, 'Group', 'group-20k', 1, now()::text, now()::text, '{"displayName":"Twenty thousand"}')`,
    [TENANT],
  );
  await pool.query(
    `INSERT INTO "${schema}".memberships (tenant, group_type, group_id, member_id, member_type)
     SELECT $1, 'Group', 'group-20k', '00000000-0000-4000-8000-' || lpad(n::text, 12, '0'), 'User'
     FROM generate_series(1, 20000) AS n`,
    [TENANT],
  );
  await pool.query(`ANALYZE "${schema}".memberships`);
  service = createScimService({
    store,
    ...(process.env.PROFILE_FEED === "off" ? { changeFeed: false } : {}),
  });
  const request = (overrides: Partial<ScimRequest>): ScimRequest => ({
    method: "GET",
    path: "/",
    query: {},
    headers: {},
    tenant: TENANT,
    baseUrl: "http://127.0.0.1/scim/v2",
    ...overrides,
  });

  let spare = USERS + 1;
  const created: string[] = [];
  const memberPatch = (op: object) => ({ schemas: [PATCH_OP], Operations: [op] });
  const removeQueue = new Map<string, string[]>();
  const cases: [string, (round: number) => ScimRequest, number][] = [
    [
      "GET /Users?filter=userName eq (miss)",
      (round) =>
        request({ path: "/Users", query: { filter: `userName eq "nobody${round}@example.com"` } }),
      200,
    ],
    [
      "POST /Users",
      (round) =>
        request({
          method: "POST",
          path: "/Users",
          body: {
            schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
            userName: `profile${round}@example.com`,
            externalId: `profile-${round}`,
            active: true,
            displayName: `Profile ${round}`,
            name: { givenName: "Profile", familyName: `${round}` },
            emails: [{ type: "work", value: `profile${round}@example.com`, primary: true }],
          },
        }),
      201,
    ],
    [
      "GET /Groups?excludedAttributes=members&filter=displayName eq (miss)",
      (round) =>
        request({
          path: "/Groups",
          query: { excludedAttributes: "members", filter: `displayName eq "nothing ${round}"` },
        }),
      200,
    ],
    [
      "POST /Groups (no members)",
      (round) =>
        request({
          method: "POST",
          path: "/Groups",
          body: { displayName: `Profile group ${round}`, externalId: `pg-${round}` },
        }),
      201,
    ],
    ...(["group-2", "group-20k", "group-1"] as const).flatMap(
      (group) =>
        [
          [
            `PATCH ${group} add 1 member`,
            () => {
              const member = userId(spare++);
              removeQueue.set(group, [...(removeQueue.get(group) ?? []), member]);
              return request({
                method: "PATCH",
                path: `/Groups/${group}`,
                body: memberPatch({ op: "Add", path: "members", value: [{ value: member }] }),
              });
            },
            204,
          ],
          [
            `PATCH ${group} remove members[value eq]`,
            () => {
              const member = removeQueue.get(group)!.shift()!;
              return request({
                method: "PATCH",
                path: `/Groups/${group}`,
                body: memberPatch({ op: "Remove", path: `members[value eq "${member}"]` }),
              });
            },
            204,
          ],
        ] as [string, (round: number) => ScimRequest, number][],
    ),
    [
      "PATCH /Users replace active false",
      (round) =>
        request({
          method: "PATCH",
          path: `/Users/${created[round]}`,
          body: memberPatch({ op: "Replace", path: "active", value: "False" }),
        }),
      200,
    ],
    [
      "PUT /Users",
      (round) =>
        request({
          method: "PUT",
          path: `/Users/${created[round]}`,
          body: {
            schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
            userName: `profile${round}@example.com`,
            active: true,
            displayName: `Profile ${round} (put)`,
          },
        }),
      200,
    ],
    ["GET /Users/{id}", (round) => request({ path: `/Users/${created[round]}` }), 200],
    [
      "GET /Users?filter=userName eq (hit)",
      (round) =>
        request({ path: "/Users", query: { filter: `userName eq "${userName(round + 1)}"` } }),
      200,
    ],
    [
      "DELETE /Users/{id}",
      (round) => request({ method: "DELETE", path: `/Users/${created[round]}` }),
      204,
    ],
  ];

  console.log(
    `change feed ${process.env.PROFILE_FEED === "off" ? "off" : "on"}, ${ROUNDS} requests per type, one at a time`,
  );
  for (const [label, make, status] of cases) {
    let total = 0;
    let database = 0;
    let statements = 0;
    const byText = new Map<string, { count: number; ms: number }>();
    for (let round = 0; round < ROUNDS; round += 1) {
      const next = make(round);
      samples = [];
      const start = performance.now();
      const response = await service.handle(next);
      total += performance.now() - start;
      if (response.status !== status) {
        throw new Error(`${label}: ${response.status} ${JSON.stringify(response.body)}`);
      }
      if (label === "POST /Users") created.push((response.body as { id: string }).id);
      statements += samples.length;
      for (const sample of samples) {
        database += sample.ms;
        const key = shorten(sample.text);
        const entry = byText.get(key) ?? { count: 0, ms: 0 };
        entry.count += 1;
        entry.ms += sample.ms;
        byText.set(key, entry);
      }
    }
    const mean = (value: number) => (value / ROUNDS).toFixed(3);
    console.log(
      `\n${label}: ${mean(total)} ms/request, ${(statements / ROUNDS).toFixed(1)} statements, waiting on PostgreSQL ${mean(database)} ms, the rest ${mean(total - database)} ms`,
    );
    for (const [text, entry] of byText) {
      console.log(
        `    ${(entry.count / ROUNDS).toFixed(1)} x ${(entry.ms / entry.count).toFixed(3)} ms  ${text}`,
      );
    }
  }
} finally {
  // The provisioning log writes in the background: let it finish before the pool ends.
  await service?.flush();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
}
