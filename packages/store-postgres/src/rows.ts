import {
  type MemberRef,
  ScimError,
  type ScimObject,
  type StoredRecord,
  type UniqueKey,
  uniquenessError,
} from "@scimkit/core/store";
import { identifier } from "./sql-parameters";

/** The quoted names of the store's tables in one PostgreSQL schema. */
export interface Tables {
  /** The quoted schema name. */
  readonly schema: string;
  readonly resources: string;
  readonly memberships: string;
  readonly uniqueKeys: string;
  readonly deletedResources: string;
  readonly pendingChanges: string;
  readonly changes: string;
  readonly changeHeads: string;
  readonly feedLeases: string;
  readonly feedCheckpoints: string;
  readonly deadLetters: string;
  readonly tenants: string;
  readonly tokens: string;
  readonly provisioningLog: string;
}

export function tablesIn(schemaName: string): Tables {
  const schema = identifier(schemaName);
  return {
    schema,
    resources: `${schema}.resources`,
    memberships: `${schema}.memberships`,
    uniqueKeys: `${schema}.unique_keys`,
    deletedResources: `${schema}.deleted_resources`,
    pendingChanges: `${schema}.pending_changes`,
    changes: `${schema}.changes`,
    changeHeads: `${schema}.change_heads`,
    feedLeases: `${schema}.feed_leases`,
    feedCheckpoints: `${schema}.feed_checkpoints`,
    deadLetters: `${schema}.dead_letters`,
    tenants: `${schema}.tenants`,
    tokens: `${schema}.tokens`,
    provisioningLog: `${schema}.provisioning_log`,
  };
}

/** A `resources` row as the store selects it. */
export interface ResourceRow {
  readonly id: string;
  readonly version: number | string;
  readonly created: string;
  readonly last_modified: string;
  readonly data: ScimObject | string;
  readonly sort_key?: string | null;
  /** The record's groups (`memberOfJson`), when the read asked for them. */
  readonly member_of?: unknown;
}

/** The columns every read of a record selects, in `ResourceRow`'s names. */
export const RECORD_COLUMNS = "id, version, created, last_modified, data";

/** jsonb arrives parsed from `pg` and from PGlite, but as text from some poolers. */
export const parseJson = (value: unknown): unknown =>
  typeof value === "string" ? JSON.parse(value) : value;

export const toRecord = (resourceType: string, row: ResourceRow): StoredRecord => ({
  resourceType,
  id: row.id,
  version: Number(row.version),
  created: row.created,
  lastModified: row.last_modified,
  data: parseJson(row.data) as ScimObject,
});

export const memberRef = (row: Record<string, unknown>): MemberRef => ({
  value: row.member_id as string,
  type: row.member_type as string,
  ...(row.display === null || row.display === undefined ? {} : { display: row.display as string }),
});

export const json = (value: unknown) => JSON.stringify(value);

/** An ISO-8601 instant as core writes it (`toISOString`), from a timestamptz. */
export const isoInstant = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const isInstant = (value: unknown): value is string =>
  typeof value === "string" && !Number.isNaN(Date.parse(value));

/**
 * The condition that the member of type `type` and id `id` (SQL expressions) is a
 * live record of the tenant in the statement's snapshot. A write that adds members
 * uses it only when it runs again after the membership's foreign key found one gone
 * (`isVanishedMember`); the first run leaves the check to the key, since core
 * checked every member just before.
 */
export const liveMember = (resources: string, tenant: string, type: string, id: string) =>
  `EXISTS (SELECT 1 FROM ${resources} live WHERE live.tenant = ${tenant}
     AND live.resource_type = ${type} AND live.id = ${id})`;

/** PostgreSQL text and jsonb cannot hold U+0000, so no stored id or value contains it. */
export const hasNul = (text: string) => text.includes("\u0000");

const errorCode = (error: unknown): unknown =>
  typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;

const UNIQUE_VIOLATION = "23505";
const FOREIGN_KEY_VIOLATION = "23503";

/** The foreign key from a membership row to its member's record (migration 6). */
export const MEMBER_REFERENCE = "memberships_member_fkey";

/**
 * Whether a write failed because a member it adds was deleted after the write's
 * snapshot was taken, or was never there (the membership's foreign key found no
 * member row). Run again adding only `liveMember`s, it succeeds without that member.
 */
export const isVanishedMember = (error: unknown): boolean =>
  errorCode(error) === FOREIGN_KEY_VIOLATION &&
  (error as { constraint?: unknown }).constraint === MEMBER_REFERENCE;

// 22P05: jsonb rejects \u0000; 22021: text rejects a NUL byte.
const UNSTORABLE = new Set(["22P05", "22021"]);

/**
 * The ScimError for a write PostgreSQL refused because of the client's input
 * (a taken unique key, a NUL character), or `error` itself for anything else.
 */
export function clientError(error: unknown, keys: readonly UniqueKey[]): unknown {
  const code = errorCode(error);
  if (code === UNIQUE_VIOLATION) return uniquenessError(keys, error);
  if (typeof code === "string" && UNSTORABLE.has(code)) {
    return new ScimError({
      status: 400,
      scimType: "invalidValue",
      detail: "Values must not contain the NUL character (U+0000).",
      code: "value.nul_character",
      cause: error,
    });
  }
  return error;
}
