import { groupPolicyName } from "@scimkit/core";
import type { PostgresClient, Queryable } from "@scimkit/store-postgres";
import type {
  Directory,
  DirectoryGroup,
  DirectoryGroupWithCount,
  DirectoryMember,
  DirectoryUser,
  Membership,
} from "./directory";

/** Options of `sqlDirectory`. */
export interface SqlDirectoryOptions {
  /** The store's own client: a `pg` Pool or a PGlite instance. The caller owns it. */
  readonly client: PostgresClient;
  /** Schema of the app's tables (letters, digits, `_`). @default "access_policy" */
  readonly schema?: string;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Runs `callback` in one transaction on a PGlite instance or a pool connection. */
async function transaction<T>(
  client: PostgresClient,
  callback: (connection: Queryable) => Promise<T>,
): Promise<T> {
  if ("transaction" in client && typeof client.transaction === "function") {
    return client.transaction(callback);
  }
  const connection = await (client as Extract<PostgresClient, { connect: unknown }>).connect();
  try {
    await connection.query("BEGIN");
    const result = await callback(connection);
    await connection.query("COMMIT");
    connection.release();
    return result;
  } catch (error) {
    await connection.query("ROLLBACK").then(
      () => connection.release(),
      () => connection.release(true),
    );
    throw error;
  }
}

const text = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value);
const instant = (value: unknown): string | undefined =>
  value === null || value === undefined
    ? undefined
    : value instanceof Date
      ? value.toISOString()
      : new Date(String(value)).toISOString();

const toUser = (row: Record<string, unknown>): DirectoryUser => ({
  id: String(row.id),
  userName: String(row.user_name),
  ...(row.display_name == null ? {} : { displayName: String(row.display_name) }),
  ...(row.external_id == null ? {} : { externalId: String(row.external_id) }),
  active: row.active === true,
});

const toGroup = (row: Record<string, unknown>): DirectoryGroup => ({
  id: String(row.id),
  displayName: String(row.display_name),
  policyName: String(row.policy_name),
  ...(row.external_id == null ? {} : { externalId: String(row.external_id) }),
  ...(row.previous_policy_name == null
    ? {}
    : {
        previousDisplayName: String(row.previous_display_name),
        previousPolicyName: String(row.previous_policy_name),
        renamedAt: instant(row.renamed_at)!,
      }),
});

/**
 * The directory in the store's PostgreSQL database (PGlite or a server), in its
 * own schema, so sessions and the app's view of users and groups survive
 * restarts beside the SCIM data. `migrate()` creates the tables (idempotent).
 */
export function sqlDirectory(
  options: SqlDirectoryOptions,
): Directory & { migrate(): Promise<void> } {
  const { client } = options;
  const schema = options.schema ?? "access_policy";
  if (!SCHEMA_NAME.test(schema)) {
    throw new TypeError("sqlDirectory: `schema` must be letters, digits and underscores.");
  }
  const users = `"${schema}".users`;
  const groups = `"${schema}".groups`;
  const memberships = `"${schema}".memberships`;
  const sessions = `"${schema}".sessions`;

  const revoke = (db: Queryable, tenant: string, userId: string, reason: string, now: string) =>
    db.query(
      `UPDATE ${sessions} SET revoked_at = $3, revoked_reason = $4
       WHERE tenant = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING 1`,
      [tenant, userId, now, reason],
    );

  return {
    async migrate() {
      await transaction(client, async (db) => {
        // Serialises concurrent start-ups of several instances on one database.
        await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${schema}.migrate`]);
        await db.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        await db.query(`CREATE TABLE IF NOT EXISTS ${users} (
          tenant text NOT NULL, id text NOT NULL,
          user_name text NOT NULL, display_name text, external_id text,
          active boolean NOT NULL,
          PRIMARY KEY (tenant, id))`);
        await db.query(
          `CREATE INDEX IF NOT EXISTS users_by_name ON ${users} (tenant, lower(user_name), id)`,
        );
        await db.query(`CREATE TABLE IF NOT EXISTS ${groups} (
          tenant text NOT NULL, id text NOT NULL,
          display_name text NOT NULL, policy_name text NOT NULL, external_id text,
          previous_display_name text, previous_policy_name text, renamed_at timestamptz,
          PRIMARY KEY (tenant, id))`);
        await db.query(
          `CREATE INDEX IF NOT EXISTS groups_by_policy_name ON ${groups} (tenant, policy_name, id)`,
        );
        await db.query(
          `CREATE INDEX IF NOT EXISTS groups_by_external_id ON ${groups} (tenant, external_id)`,
        );
        await db.query(`CREATE TABLE IF NOT EXISTS ${memberships} (
          tenant text NOT NULL, group_id text NOT NULL, member_id text NOT NULL,
          PRIMARY KEY (tenant, group_id, member_id))`);
        await db.query(
          `CREATE INDEX IF NOT EXISTS memberships_by_member ON ${memberships} (tenant, member_id)`,
        );
        await db.query(`CREATE TABLE IF NOT EXISTS ${sessions} (
          tenant text NOT NULL, id_sha256 text NOT NULL, user_id text NOT NULL,
          created_at timestamptz NOT NULL, revoked_at timestamptz, revoked_reason text,
          PRIMARY KEY (tenant, id_sha256))`);
        await db.query(
          `CREATE INDEX IF NOT EXISTS sessions_live_by_user ON ${sessions} (tenant, user_id) WHERE revoked_at IS NULL`,
        );
      });
    },

    async putUser(tenant, user, now) {
      await transaction(client, async (db) => {
        await db.query(
          `INSERT INTO ${users} (tenant, id, user_name, display_name, external_id, active)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (tenant, id) DO UPDATE SET user_name = $3, display_name = $4,
             external_id = $5, active = $6`,
          [
            tenant,
            user.id,
            user.userName,
            user.displayName ?? null,
            user.externalId ?? null,
            user.active,
          ],
        );
        if (!user.active) await revoke(db, tenant, user.id, "deactivated", now);
      });
    },
    async revokeSessions(tenant, userId, reason, now) {
      return (await revoke(client, tenant, userId, reason, now)).rows.length;
    },
    async removeUser(tenant, id, now) {
      await transaction(client, async (db) => {
        await revoke(db, tenant, id, "deleted", now);
        await db.query(`DELETE FROM ${memberships} WHERE tenant = $1 AND member_id = $2`, [
          tenant,
          id,
        ]);
        await db.query(`DELETE FROM ${users} WHERE tenant = $1 AND id = $2`, [tenant, id]);
      });
    },
    async putGroup(tenant, group, now, rename) {
      const policyName = groupPolicyName(group.displayName) ?? "";
      const previousPolicyName =
        rename === undefined ? undefined : groupPolicyName(rename.previousDisplayName);
      const renamed = previousPolicyName !== undefined && previousPolicyName !== policyName;
      // A rename that only changes case keeps the policy name, and the record of an older rename.
      await client.query(
        `INSERT INTO ${groups} (tenant, id, display_name, policy_name, external_id,
           previous_display_name, previous_policy_name, renamed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant, id) DO UPDATE SET display_name = $3, policy_name = $4, external_id = $5,
           previous_display_name = CASE WHEN $9 THEN $6 ELSE ${groups}.previous_display_name END,
           previous_policy_name = CASE WHEN $9 THEN $7 ELSE ${groups}.previous_policy_name END,
           renamed_at = CASE WHEN $9 THEN $8::timestamptz ELSE ${groups}.renamed_at END`,
        [
          tenant,
          group.id,
          group.displayName,
          policyName,
          group.externalId ?? null,
          renamed ? rename!.previousDisplayName : null,
          renamed ? previousPolicyName : null,
          renamed ? now : null,
          renamed,
        ],
      );
    },
    async setMembers(tenant, groupId, memberIds) {
      await transaction(client, async (db) => {
        await db.query(
          `DELETE FROM ${memberships} WHERE tenant = $1 AND group_id = $2 AND NOT (member_id = ANY($3::text[]))`,
          [tenant, groupId, [...memberIds]],
        );
        await db.query(
          `INSERT INTO ${memberships} (tenant, group_id, member_id)
           SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`,
          [tenant, groupId, [...memberIds]],
        );
      });
    },
    async changeMembers(tenant, groupId, added, removed) {
      await transaction(client, async (db) => {
        if (removed.length > 0) {
          await db.query(
            `DELETE FROM ${memberships} WHERE tenant = $1 AND group_id = $2 AND member_id = ANY($3::text[])`,
            [tenant, groupId, [...removed]],
          );
        }
        if (added.length > 0) {
          await db.query(
            `INSERT INTO ${memberships} (tenant, group_id, member_id)
             SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`,
            [tenant, groupId, [...added]],
          );
        }
      });
    },
    async removeGroup(tenant, id) {
      await transaction(client, async (db) => {
        await db.query(
          `DELETE FROM ${memberships} WHERE tenant = $1 AND (group_id = $2 OR member_id = $2)`,
          [tenant, id],
        );
        await db.query(`DELETE FROM ${groups} WHERE tenant = $1 AND id = $2`, [tenant, id]);
      });
    },

    async usersByName(tenant, userName) {
      const result = await client.query(
        `SELECT * FROM ${users} WHERE tenant = $1 AND lower(user_name) = lower($2) ORDER BY id`,
        [tenant, userName],
      );
      return result.rows.map(toUser);
    },
    async groupsContaining(tenant, memberIds): Promise<Membership[]> {
      if (memberIds.length === 0) return [];
      const result = await client.query(
        `SELECT group_id, member_id FROM ${memberships} WHERE tenant = $1 AND member_id = ANY($2::text[])`,
        [tenant, [...new Set(memberIds)]],
      );
      return result.rows.map((row) => ({
        groupId: String(row.group_id),
        memberId: String(row.member_id),
      }));
    },
    async groupsForReferences(tenant, names, ids) {
      if (names.length === 0 && ids.length === 0) return [];
      const result = await client.query(
        `SELECT * FROM ${groups} WHERE tenant = $1 AND (policy_name = ANY($2::text[])
           OR previous_policy_name = ANY($2::text[]) OR id = ANY($3::text[])
           OR external_id = ANY($3::text[]))`,
        [tenant, [...names], [...ids]],
      );
      return result.rows.map(toGroup);
    },

    async listUsers(tenant, page) {
      const [rows, count] = await Promise.all([
        client.query(
          `SELECT * FROM ${users} WHERE tenant = $1 ORDER BY lower(user_name) COLLATE "C", id COLLATE "C" LIMIT $2 OFFSET $3`,
          [tenant, page.limit, page.offset],
        ),
        client.query(`SELECT count(*)::int AS n FROM ${users} WHERE tenant = $1`, [tenant]),
      ]);
      return { users: rows.rows.map(toUser), total: Number(count.rows[0]?.n ?? 0) };
    },
    async listGroups(tenant, page) {
      const [rows, count] = await Promise.all([
        client.query(
          `SELECT g.*, (SELECT count(*)::int FROM ${memberships} m
              WHERE m.tenant = g.tenant AND m.group_id = g.id) AS member_count
           FROM ${groups} g WHERE g.tenant = $1 ORDER BY g.policy_name COLLATE "C", g.id COLLATE "C" LIMIT $2 OFFSET $3`,
          [tenant, page.limit, page.offset],
        ),
        client.query(`SELECT count(*)::int AS n FROM ${groups} WHERE tenant = $1`, [tenant]),
      ]);
      return {
        groups: rows.rows.map(
          (row): DirectoryGroupWithCount => ({
            ...toGroup(row),
            memberCount: Number(row.member_count),
          }),
        ),
        total: Number(count.rows[0]?.n ?? 0),
      };
    },
    async groupMembers(tenant, groupId, page) {
      const exists = await client.query(`SELECT 1 FROM ${groups} WHERE tenant = $1 AND id = $2`, [
        tenant,
        groupId,
      ]);
      if (exists.rows.length === 0) return undefined;
      const [rows, count] = await Promise.all([
        client.query(
          `SELECT m.member_id, u.user_name, u.active, g.display_name,
              CASE WHEN u.id IS NOT NULL THEN 'User' WHEN g.id IS NOT NULL THEN 'Group' ELSE 'Unknown' END AS type
           FROM ${memberships} m
           LEFT JOIN ${users} u ON u.tenant = m.tenant AND u.id = m.member_id
           LEFT JOIN ${groups} g ON g.tenant = m.tenant AND g.id = m.member_id
           WHERE m.tenant = $1 AND m.group_id = $2
           ORDER BY CASE WHEN g.id IS NOT NULL THEN 0 WHEN u.id IS NOT NULL THEN 1 ELSE 2 END,
             lower(coalesce(u.user_name, g.display_name, '')) COLLATE "C", m.member_id COLLATE "C"
           LIMIT $3 OFFSET $4`,
          [tenant, groupId, page.limit, page.offset],
        ),
        client.query(
          `SELECT count(*)::int AS n FROM ${memberships} WHERE tenant = $1 AND group_id = $2`,
          [tenant, groupId],
        ),
      ]);
      return {
        members: rows.rows.map((row): DirectoryMember => {
          const type = String(row.type) as DirectoryMember["type"];
          const id = String(row.member_id);
          if (type === "User") {
            return { id, type, name: String(row.user_name), active: row.active === true };
          }
          if (type === "Group") return { id, type, name: String(row.display_name) };
          return { id, type };
        }),
        total: Number(count.rows[0]?.n ?? 0),
      };
    },

    async createSession(tenant, userId, sessionSha256, now) {
      return transaction(client, async (db) => {
        // FOR SHARE: a concurrent suspension (an UPDATE of this row) waits for this
        // transaction, then revokes the session it inserts; or this one waits and sees it.
        const user = await db.query(
          `SELECT active FROM ${users} WHERE tenant = $1 AND id = $2 FOR SHARE`,
          [tenant, userId],
        );
        const row = user.rows[0];
        if (row === undefined) return "unknown" as const;
        if (row.active !== true) return "inactive" as const;
        await db.query(
          `INSERT INTO ${sessions} (tenant, id_sha256, user_id, created_at) VALUES ($1, $2, $3, $4)`,
          [tenant, sessionSha256, userId, now],
        );
        return "created" as const;
      });
    },
    async getSession(tenant, sessionSha256) {
      const result = await client.query(
        `SELECT s.user_id, s.created_at, s.revoked_at, s.revoked_reason, u.user_name, u.active
         FROM ${sessions} s LEFT JOIN ${users} u ON u.tenant = s.tenant AND u.id = s.user_id
         WHERE s.tenant = $1 AND s.id_sha256 = $2`,
        [tenant, sessionSha256],
      );
      const row = result.rows[0];
      if (row === undefined) return undefined;
      const userName = text(row.user_name);
      const revokedAt = instant(row.revoked_at);
      return {
        userId: String(row.user_id),
        ...(userName === undefined ? {} : { userName }),
        userActive: row.active === true,
        createdAt: instant(row.created_at)!,
        ...(revokedAt === undefined
          ? {}
          : { revokedAt, revokedReason: text(row.revoked_reason) ?? "revoked" }),
      };
    },
    async close() {
      // The client belongs to the store's owner, who ends it.
    },
  };
}
