/**
 * The directory-scale data set of the HTTP benchmark, bulk-loaded through the
 * store's tables (Postgres) or the store contract (memory), not through HTTP:
 * `USERS` users plus `SPARE_USERS` users that belong to no group (the members the
 * PATCH cases add), and `GROUPS` groups: `group-1` holds users 1..`USERS`, every
 * other group holds 10 users.
 */

import { GROUP_SCHEMA, type ScimStore, USER_SCHEMA } from "@scimkit/core";

export const USERS = 100_000;
export const SPARE_USERS = 12_000;
export const GROUPS = 1_000;
export const TENANT = "default";
export const BIG_GROUP = "group-1";

/** The userName of user `n` (1-based). */
export const userName = (n: number) => `user${n}@example.com`;
/** The id of user `n` (1-based): a UUID-shaped string, like the ids the service assigns. */
export const userId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** Loads the data set into `schema` (already migrated) with set-based INSERT ... SELECT. */
export async function loadPostgres(client: Queryable, schema: string): Promise<void> {
  const resources = `"${schema}".resources`;
  const now = new Date().toISOString();
  await client.query(
    `INSERT INTO ${resources} (tenant, resource_type, id, version, created, last_modified, data)
     SELECT $1, 'User', '00000000-0000-4000-8000-' || lpad(n::text, 12, '0'), 1, $2, $2,
       jsonb_build_object(
         'schemas', jsonb_build_array($3::text),
         'userName', 'user' || n || '@example.com',
         'externalId', 'ext-' || n,
         'displayName', 'User ' || n,
         'name', jsonb_build_object('givenName', 'Given' || n, 'familyName', 'Family' || n),
         'emails', jsonb_build_array(jsonb_build_object('value', 'user' || n || '@example.com', 'type', 'work', 'primary', true)),
         'active', true)
     FROM generate_series(1, $4::int) AS n`,
    [TENANT, now, USER_SCHEMA, USERS + SPARE_USERS],
  );
  await client.query(
    `INSERT INTO "${schema}".unique_keys (tenant, resource_type, attribute, value, id)
     SELECT tenant, resource_type, 'userName', lower(data ->> 'userName'), id FROM ${resources}
     WHERE tenant = $1 AND resource_type = 'User'`,
    [TENANT],
  );
  await client.query(
    `INSERT INTO ${resources} (tenant, resource_type, id, version, created, last_modified, data)
     SELECT $1, 'Group', 'group-' || n, 1, $2, $2,
       jsonb_build_object('schemas', jsonb_build_array($3::text), 'displayName', 'Group ' || n)
     FROM generate_series(1, $4::int) AS n`,
    [TENANT, now, GROUP_SCHEMA, GROUPS],
  );
  await client.query(
    `INSERT INTO "${schema}".memberships (tenant, group_type, group_id, member_id, member_type)
     SELECT $1, 'Group', $2, '00000000-0000-4000-8000-' || lpad(n::text, 12, '0'), 'User'
     FROM generate_series(1, $3::int) AS n`,
    [TENANT, BIG_GROUP, USERS],
  );
  await client.query(
    `INSERT INTO "${schema}".memberships (tenant, group_type, group_id, member_id, member_type)
     SELECT $1, 'Group', 'group-' || g, '00000000-0000-4000-8000-' || lpad((g * 10 + m)::text, 12, '0'), 'User'
     FROM generate_series(2, $2::int) AS g, generate_series(1, 10) AS m`,
    [TENANT, GROUPS],
  );
  await client.query(`ANALYZE ${resources}`);
  await client.query(`ANALYZE "${schema}".memberships`);
  await client.query(`ANALYZE "${schema}".unique_keys`);
}

/** Loads users 1..`count` (no groups) through the store contract. */
export async function loadUsers(store: ScimStore, count: number): Promise<void> {
  const created = new Date().toISOString();
  for (let n = 1; n <= count; n += 1) {
    await store.create(TENANT, {
      resourceType: "User",
      id: userId(n),
      created,
      data: {
        schemas: [USER_SCHEMA],
        userName: userName(n),
        externalId: `ext-${n}`,
        displayName: `User ${n}`,
        name: { givenName: `Given${n}`, familyName: `Family${n}` },
        emails: [{ value: userName(n), type: "work", primary: true }],
        active: true,
      },
      uniqueKeys: [{ attribute: "userName", value: userName(n) }],
    });
  }
}

/** Loads the same data set through the store contract (for the memory store). */
export async function loadStore(store: ScimStore): Promise<void> {
  const created = new Date().toISOString();
  await loadUsers(store, USERS + SPARE_USERS);
  for (let g = 1; g <= GROUPS; g += 1) {
    const memberNumbers =
      g === 1
        ? Array.from({ length: USERS }, (_, index) => index + 1)
        : Array.from({ length: 10 }, (_, index) => g * 10 + index + 1);
    await store.create(TENANT, {
      resourceType: "Group",
      id: `group-${g}`,
      created,
      data: { schemas: [GROUP_SCHEMA], displayName: `Group ${g}` },
      uniqueKeys: [],
      members: memberNumbers.map((n) => ({ value: userId(n), type: "User" })),
    });
  }
}
