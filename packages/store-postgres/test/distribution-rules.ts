import type { PostgresClient, Queryable } from "../src";
import { ALL_TENANTS } from "../src/change-feed";
import { protocolStatements } from "./protocol-messages";

/**
 * The rules that keep the store's schema distributable by tenant (Citus), as
 * data the tests check the migrated catalog and the store's statements against.
 * The README's "Distributed PostgreSQL (Citus)" section says the same in prose.
 */

/** Tables sharded by `tenant`, all colocated with `resources`. */
export const DISTRIBUTED_TABLES = [
  "resources",
  "unique_keys",
  "memberships",
  "deleted_resources",
  "pending_changes",
  "changes",
  "change_heads",
  "feed_checkpoints",
  "dead_letters",
  "provisioning_log",
] as const;

/** Tables every node holds in full (Citus reference tables), each for a reason. */
export const REFERENCE_TABLES: Readonly<Record<string, string>> = {
  schema_migrations: "the store's own bookkeeping: one row per migration, for the whole database",
  tenants:
    "joined with a token in the one-query token lookup, which runs before the tenant is known; small and rarely written",
  tokens:
    "found by SHA-256 before the tenant is known, and the hash is unique over all tenants, which a sharded table cannot enforce",
  feed_leases:
    "keyed by consumer name: one active consumer across every instance and tenant holds a lease",
};

/**
 * Statements that read or maintain every tenant at once, by purpose. Each starts
 * with `ALL_TENANTS`; Citus runs them as multi-shard statements.
 */
export const ALL_TENANT_STATEMENTS: Readonly<Record<string, RegExp>> = {
  "feed.heads(): every tenant's last position": /FROM \S+\.change_heads h\s+FULL JOIN/,
  "feed.prune(): tenants with unnumbered changes older than the bound":
    /SELECT DISTINCT tenant FROM \S+\.pending_changes/,
  "feed.prune(): the oldest changes of any tenant": /DELETE FROM \S+\.changes c USING doomed/,
  "feed.checkpoints(consumer): a consumer's checkpoint in every tenant":
    /SELECT tenant, position FROM \S+\.feed_checkpoints WHERE consumer = \$1/,
  "feed.deadLetters(consumer): a consumer's dead letters of every tenant":
    /FROM \S+\.dead_letters WHERE consumer = \$1/,
  "purgeDeleted(): expired trash of every tenant":
    /DELETE FROM \S+\.deleted_resources WHERE purge_after/,
  "log.prune(): the oldest entries of any tenant":
    /DELETE FROM \S+\.provisioning_log entry USING doomed/,
  "migrate() to version 6: membership rows whose member is gone":
    /DELETE FROM \S+\.memberships m WHERE NOT EXISTS/,
  "log.append(): one batch may hold entries of several tenants":
    /INSERT INTO \S+\.provisioning_log .* FROM jsonb_to_recordset/s,
};

/** A statement the store sent, with the values it was first sent with. */
export interface RecordedStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** Wraps a client so every statement the store sends (in or out of transactions) is recorded once. */
export function recordingClient(
  client: PostgresClient,
  recorded: Map<string, RecordedStatement>,
): PostgresClient {
  const record = (text: unknown, values: unknown) => {
    const statement =
      typeof text === "string"
        ? { text, values: (values as unknown[] | undefined) ?? [] }
        : (text as { text: string; values?: unknown[] });
    if (!recorded.has(statement.text)) {
      recorded.set(statement.text, { text: statement.text, values: statement.values ?? [] });
    }
  };
  const decode = protocolStatements();
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (property === "query" && typeof value === "function") {
          return (text: unknown, values: unknown) => {
            record(text, values);
            return value.call(object, text, values);
          };
        }
        // PGlite's prepared statements (the store's default there) bypass `query`.
        if (property === "execProtocolStream" && typeof value === "function") {
          return (message: Uint8Array, options: unknown) => {
            for (const statement of decode(message)) record(statement.text, statement.values);
            return value.call(object, message, options);
          };
        }
        if (property === "connect" && typeof value === "function") {
          return async () => wrap(await value.apply(object));
        }
        if (property === "transaction" && typeof value === "function") {
          return (callback: (transaction: Queryable) => Promise<unknown>) =>
            value.call(object, (transaction: Queryable) => callback(wrap(transaction)));
        }
        return typeof value === "function" ? value.bind(object) : value;
      },
    });
  return wrap(client);
}

interface PlanNode {
  readonly "Node Type": string;
  readonly "Relation Name"?: string;
  readonly Plans?: readonly PlanNode[];
  readonly [key: string]: unknown;
}

const QUAL_KEYS = ["Index Cond", "Recheck Cond", "Filter", "TID Cond"] as const;
const JOIN_KEYS = ["Hash Cond", "Merge Cond", "Join Filter"] as const;
const SCAN = /Scan$/;
const TENANT_CONDITION = /(^|[^a-z_])tenant = /;
const TENANT_JOIN = /tenant = (\w+\.)?tenant\b/;

/** The distributed tables a plan scans without a tenant condition. */
function unscopedScans(node: PlanNode, distributed: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const relation = node["Relation Name"];
  if (SCAN.test(node["Node Type"]) && relation !== undefined && distributed.has(relation)) {
    const quals = QUAL_KEYS.map((key) => node[key]).filter((qual) => typeof qual === "string");
    if (!quals.some((qual) => TENANT_CONDITION.test(qual as string))) found.push(relation);
  }
  for (const child of node.Plans ?? []) found.push(...unscopedScans(child, distributed));
  return found;
}

/** Joins of two distributed subtrees whose condition does not equate their tenants. */
function joinsOffTenant(node: PlanNode, distributed: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const touches = (plan: PlanNode): boolean =>
    (plan["Relation Name"] !== undefined && distributed.has(plan["Relation Name"])) ||
    (plan.Plans ?? []).some(touches);
  const children = node.Plans ?? [];
  if (/Join|Nested Loop/.test(node["Node Type"]) && children.length === 2) {
    if (children.every(touches)) {
      const conditions = [
        ...JOIN_KEYS.map((key) => node[key]),
        ...QUAL_KEYS.map((key) => children[1]?.[key]),
      ].filter((qual): qual is string => typeof qual === "string");
      if (!conditions.some((condition) => TENANT_JOIN.test(condition))) {
        found.push(node["Node Type"]);
      }
    }
  }
  for (const child of children) found.push(...joinsOffTenant(child, distributed));
  return found;
}

/** What one statement does wrong, or nothing. */
export async function checkStatement(
  client: Queryable,
  statement: RecordedStatement,
): Promise<string[]> {
  const distributed = new Set<string>(DISTRIBUTED_TABLES);
  const { rows } = await client.query(`EXPLAIN (FORMAT JSON, VERBOSE) ${statement.text}`, [
    ...statement.values,
  ]);
  const raw = Object.values(rows[0] ?? {})[0];
  const plan = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  const root = plan[0]!.Plan;
  const problems: string[] = [];
  if (!statement.text.startsWith(ALL_TENANTS)) {
    for (const table of unscopedScans(root, distributed)) {
      problems.push(`scans ${table} without a tenant condition`);
    }
    return problems;
  }
  if (!Object.values(ALL_TENANT_STATEMENTS).some((pattern) => pattern.test(statement.text))) {
    problems.push("is marked for all tenants but is none of the listed all-tenant statements");
  }
  // Across tenants, rows may only meet rows of their own tenant (colocated joins).
  for (const join of joinsOffTenant(root, distributed)) {
    problems.push(`joins distributed tables (${join}) on something other than the tenant`);
  }
  return problems;
}

/** Statements worth planning: data statements on the store's tables (not DDL, ANALYZE or bookkeeping). */
export function isDataStatement(text: string, schema: string): boolean {
  return (
    text.includes(`"${schema}".`) &&
    !/^\s*(CREATE|ALTER|DROP|ANALYZE)\b/i.test(text) &&
    !text.includes(".schema_migrations")
  );
}
