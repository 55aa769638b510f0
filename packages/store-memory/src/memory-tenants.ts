import {
  type LogEntry,
  type ProvisioningLogStore,
  type TenantRecord,
  type TenantStore,
  type TokenRecord,
  uniquenessError,
} from "@scimkit/core/store";

interface StoredToken {
  readonly record: TokenRecord;
  readonly sha256: string;
}

/**
 * Tenants and their tokens in memory. Tokens are found by hash only; revoking
 * deletes the entry, so the very next lookup misses.
 */
export function memoryTenants(dropTenantData: (tenant: string) => void): TenantStore {
  const tenants = new Map<string, TenantRecord>();
  const tokensByHash = new Map<string, StoredToken>();
  const tokenIds = new Map<string, string>(); // `${tenant}\n${id}` -> sha256
  const tokenKey = (tenant: string, id: string) => `${tenant}\n${id}`;

  return {
    async create(input) {
      if (tenants.has(input.id)) throw uniquenessError([]);
      const record: TenantRecord = {
        id: input.id,
        name: input.name,
        disabled: false,
        createdAt: input.createdAt,
        updatedAt: input.createdAt,
      };
      tenants.set(record.id, record);
      return Object.assign({}, record);
    },
    async get(id) {
      const record = tenants.get(id);
      return record === undefined ? undefined : Object.assign({}, record);
    },
    async list({ after, limit }) {
      return [...tenants.values()]
        .filter((record) => after === undefined || record.id > after)
        .sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0))
        .slice(0, Math.max(0, limit))
        .map((record) => Object.assign({}, record));
    },
    async update(id, changes) {
      const record = tenants.get(id);
      if (record === undefined) return undefined;
      const next: TenantRecord = Object.assign(
        {},
        record,
        changes.name === undefined ? {} : { name: changes.name },
        changes.disabled === undefined ? {} : { disabled: changes.disabled },
        { updatedAt: changes.updatedAt },
      );
      tenants.set(id, next);
      return Object.assign({}, next);
    },
    async delete(id) {
      const existed = tenants.delete(id);
      for (const [hash, token] of tokensByHash) {
        if (token.record.tenant !== id) continue;
        tokensByHash.delete(hash);
        tokenIds.delete(tokenKey(id, token.record.id));
      }
      dropTenantData(id);
      return existed;
    },
    async createToken(input) {
      const key = tokenKey(input.tenant, input.id);
      if (tokenIds.has(key) || tokensByHash.has(input.sha256)) throw uniquenessError([]);
      const { sha256, ...record } = input;
      tokensByHash.set(sha256, { record, sha256 });
      tokenIds.set(key, sha256);
      return Object.assign({}, record);
    },
    async listTokens(tenant) {
      return [...tokensByHash.values()]
        .filter((token) => token.record.tenant === tenant)
        .map((token) => Object.assign({}, token.record));
    },
    async findToken(sha256) {
      const token = tokensByHash.get(sha256);
      if (token === undefined) return undefined;
      const tenant = tenants.get(token.record.tenant);
      return {
        token: Object.assign({}, token.record),
        ...(tenant === undefined ? {} : { tenant: Object.assign({}, tenant) }),
      };
    },
    async revokeToken(tenant, id) {
      const key = tokenKey(tenant, id);
      const sha256 = tokenIds.get(key);
      if (sha256 === undefined) return false;
      tokenIds.delete(key);
      tokensByHash.delete(sha256);
      return true;
    },
    async touchToken(tenant, id, lastUsedAt) {
      const sha256 = tokenIds.get(tokenKey(tenant, id));
      const token = sha256 === undefined ? undefined : tokensByHash.get(sha256);
      if (sha256 === undefined || token === undefined) return;
      tokensByHash.set(
        sha256,
        Object.assign({}, token, { record: Object.assign({}, token.record, { lastUsedAt }) }),
      );
    },
  };
}

/** Newest first: `time` descending, then `id` descending. */
const newestFirst = (left: LogEntry, right: LogEntry) =>
  left.time === right.time ? (left.id < right.id ? 1 : -1) : left.time < right.time ? 1 : -1;

/** The provisioning log in memory, per tenant in append order. */
export function memoryLog(): ProvisioningLogStore & { dropTenant(tenant: string): void } {
  const entries = new Map<string, LogEntry[]>();
  return {
    async append(batch) {
      for (const entry of batch) {
        let list = entries.get(entry.tenant);
        if (list === undefined) {
          list = [];
          entries.set(entry.tenant, list);
        }
        list.push(Object.assign({}, entry));
      }
    },
    async query(tenant, query) {
      const { before } = query;
      return (entries.get(tenant) ?? [])
        .filter(
          (entry) =>
            (before === undefined ||
              entry.time < before.time ||
              (entry.time === before.time && entry.id < before.id)) &&
            (query.statusClass === undefined ||
              Math.floor(entry.status / 100) === query.statusClass) &&
            (query.resourceId === undefined || entry.resourceId === query.resourceId) &&
            (query.from === undefined || entry.time >= query.from) &&
            (query.to === undefined || entry.time < query.to),
        )
        .sort(newestFirst)
        .slice(0, Math.max(0, query.limit))
        .map((entry) => Object.assign({}, entry));
    },
    async prune(before, limit) {
      let pruned = 0;
      for (const [tenant, list] of entries) {
        const kept: LogEntry[] = [];
        for (const entry of list) {
          if (pruned < limit && entry.time < before) pruned += 1;
          else kept.push(entry);
        }
        entries.set(tenant, kept);
        if (pruned >= limit) break;
      }
      return pruned;
    },
    dropTenant(tenant) {
      entries.delete(tenant);
    },
  };
}
