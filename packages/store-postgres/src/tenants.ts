import {
  type TenantRecord,
  type TenantStore,
  type TokenRecord,
  uniquenessError,
} from "@scimkit/core/store";
import type { Queryable } from "./client";
import { clientError, isoInstant, type Tables } from "./rows";

const TENANT_COLUMNS = `tenant, name, disabled, ${isoInstant("created_at")} AS created_at, ${isoInstant("updated_at")} AS updated_at`;
const TOKEN_COLUMNS = (alias: string) =>
  [
    `${alias}.id`,
    `${alias}.tenant`,
    `${alias}.description`,
    `${alias}.hint`,
    `${isoInstant(`${alias}.created_at`)} AS created_at`,
    `${isoInstant(`${alias}.last_used_at`)} AS last_used_at`,
    `${isoInstant(`${alias}.expires_at`)} AS expires_at`,
  ].join(", ");

const toTenant = (row: Record<string, unknown>): TenantRecord => ({
  id: row.tenant as string,
  name: row.name as string,
  disabled: row.disabled === true,
  createdAt: row.created_at as string,
  updatedAt: row.updated_at as string,
});

const toToken = (row: Record<string, unknown>): TokenRecord => ({
  id: row.id as string,
  tenant: row.tenant as string,
  description: row.description as string,
  hint: row.hint as string,
  createdAt: row.created_at as string,
  ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at as string }),
  ...(row.expires_at === null ? {} : { expiresAt: row.expires_at as string }),
});

/** A taken id or hash is 409 `uniqueness`; anything else passes through. */
const conflict = (error: unknown): unknown => {
  const mapped = clientError(error, []);
  return mapped === error ? error : uniquenessError([], error);
};

/**
 * Tenants and their tokens (migration 3). A token is stored as its SHA-256 only
 * and found by it in one statement joined with its tenant; a revoked token is
 * deleted, so the next lookup, from any instance, misses.
 */
export function tenantStore(
  db: Queryable,
  transact: <T>(callback: (transaction: Queryable) => Promise<T>) => Promise<T>,
  tables: Tables,
): TenantStore {
  return {
    async create(input) {
      try {
        const { rows } = await db.query(
          `INSERT INTO ${tables.tenants} (tenant, name, disabled, created_at, updated_at)
           VALUES ($1, $2, false, $3::timestamptz, $3::timestamptz)
           RETURNING ${TENANT_COLUMNS}`,
          [input.id, input.name, input.createdAt],
        );
        return toTenant(rows[0]!);
      } catch (error) {
        throw conflict(error);
      }
    },

    async get(id) {
      const { rows } = await db.query(
        `SELECT ${TENANT_COLUMNS} FROM ${tables.tenants} WHERE tenant = $1`,
        [id],
      );
      return rows[0] === undefined ? undefined : toTenant(rows[0]);
    },

    async list({ after, limit }) {
      const { rows } = await db.query(
        `SELECT ${TENANT_COLUMNS} FROM ${tables.tenants}
         WHERE $1::text IS NULL OR tenant > $1::text COLLATE "C"
         ORDER BY tenant LIMIT $2`,
        [after ?? null, Math.max(0, Math.floor(limit))],
      );
      return rows.map(toTenant);
    },

    async update(id, changes) {
      const { rows } = await db.query(
        `UPDATE ${tables.tenants} SET name = COALESCE($2, name),
           disabled = COALESCE($3, disabled), updated_at = $4::timestamptz
         WHERE tenant = $1
         RETURNING ${TENANT_COLUMNS}`,
        [id, changes.name ?? null, changes.disabled ?? null, changes.updatedAt],
      );
      return rows[0] === undefined ? undefined : toTenant(rows[0]);
    },

    async delete(id) {
      // One transaction: the tenant's data in every table, then its record.
      return transact(async (transaction) => {
        for (const table of [
          tables.resources,
          tables.uniqueKeys,
          tables.memberships,
          tables.deletedResources,
          tables.pendingChanges,
          tables.changes,
          tables.changeHeads,
          tables.feedCheckpoints,
          tables.deadLetters,
          tables.tokens,
          tables.provisioningLog,
        ]) {
          await transaction.query(`DELETE FROM ${table} WHERE tenant = $1`, [id]);
        }
        const { rows } = await transaction.query(
          `DELETE FROM ${tables.tenants} WHERE tenant = $1 RETURNING tenant`,
          [id],
        );
        return rows.length > 0;
      });
    },

    async createToken(input) {
      try {
        const { rows } = await db.query(
          `INSERT INTO ${tables.tokens} AS token (tenant, id, sha256, description, hint, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz)
           RETURNING ${TOKEN_COLUMNS("token")}`,
          [
            input.tenant,
            input.id,
            input.sha256,
            input.description,
            input.hint,
            input.createdAt,
            input.expiresAt ?? null,
          ],
        );
        return toToken(rows[0]!);
      } catch (error) {
        throw conflict(error);
      }
    },

    async listTokens(tenant) {
      const { rows } = await db.query(
        `SELECT ${TOKEN_COLUMNS("token")} FROM ${tables.tokens} token
         WHERE token.tenant = $1 ORDER BY token.created_at, token.id`,
        [tenant],
      );
      return rows.map(toToken);
    },

    async findToken(sha256) {
      const { rows } = await db.query(
        `SELECT ${TOKEN_COLUMNS("token")}, owner.tenant AS owner, owner.name,
           owner.disabled, ${isoInstant("owner.created_at")} AS owner_created_at,
           ${isoInstant("owner.updated_at")} AS owner_updated_at
         FROM ${tables.tokens} token
         LEFT JOIN ${tables.tenants} owner ON owner.tenant = token.tenant
         WHERE token.sha256 = $1`,
        [sha256],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      return {
        token: toToken(row),
        ...(row.owner === null
          ? {}
          : {
              tenant: toTenant({
                tenant: row.owner,
                name: row.name,
                disabled: row.disabled,
                created_at: row.owner_created_at,
                updated_at: row.owner_updated_at,
              }),
            }),
      };
    },

    async revokeToken(tenant, id) {
      const { rows } = await db.query(
        `DELETE FROM ${tables.tokens} WHERE tenant = $1 AND id = $2 RETURNING id`,
        [tenant, id],
      );
      return rows.length > 0;
    },

    async touchToken(tenant, id, lastUsedAt) {
      await db.query(
        `UPDATE ${tables.tokens} SET last_used_at = $3::timestamptz WHERE tenant = $1 AND id = $2`,
        [tenant, id, lastUsedAt],
      );
    },
  };
}
