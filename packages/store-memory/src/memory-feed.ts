import {
  type AppliedMembership,
  type ChangeDraft,
  type ChangeFeedStore,
  type ChangeRecord,
  committedData,
  type DeadLetter,
} from "@scimkit/core/store";
import { copyJson } from "./copy-json";

/** Where a batch of drafts is recorded: the written record and the write's time. */
export interface ChangeTarget {
  readonly tenant: string;
  readonly resourceType: string;
  readonly id: string;
  readonly time: string;
  /** The write's applied membership delta, for drafts marked `membership`. */
  readonly membership?: AppliedMembership;
}

/**
 * The memory store's change feed. Writes record their drafts synchronously, in
 * the critical section of the write itself, so a change exists iff its write
 * happened, and positions are assigned in write order: a reader can never see a
 * later position before an earlier one.
 */
export class MemoryFeed {
  private readonly changes = new Map<string, ChangeRecord[]>();
  private readonly positions = new Map<string, number>();
  private readonly leases = new Map<string, { holder: string; expiresAt: number }>();
  private readonly checkpointsByConsumer = new Map<string, Map<string, number>>();
  private readonly letters = new Map<string, DeadLetter>();

  constructor(private readonly now: () => number) {}

  /** Records the drafts that apply; membership drafts only when rows changed. */
  record(target: ChangeTarget, drafts: readonly ChangeDraft[] | undefined): void {
    if (drafts === undefined || drafts.length === 0) return;
    for (const draft of drafts) {
      const committed = committedData(draft, target.membership);
      if (committed === undefined) continue;
      const data = copyJson(committed);
      const position = (this.positions.get(target.tenant) ?? 0) + 1;
      this.positions.set(target.tenant, position);
      let list = this.changes.get(target.tenant);
      if (list === undefined) {
        list = [];
        this.changes.set(target.tenant, list);
      }
      list.push({
        tenant: target.tenant,
        position,
        type: draft.type,
        resourceType: draft.resourceType ?? target.resourceType,
        id: draft.id ?? target.id,
        time: target.time,
        data,
      });
    }
  }

  /** Forgets everything of one tenant (tenant deletion). */
  dropTenant(tenant: string): void {
    this.changes.delete(tenant);
    this.positions.delete(tenant);
    for (const checkpoints of this.checkpointsByConsumer.values()) checkpoints.delete(tenant);
    for (const [key, letter] of this.letters)
      if (letter.tenant === tenant) this.letters.delete(key);
  }

  /** The `ChangeFeedStore` view of this feed. */
  api(): ChangeFeedStore {
    return {
      read: async (tenant, { after, limit }) => {
        const list = this.changes.get(tenant) ?? [];
        // Positions are dense from the oldest kept change, so the start is an index.
        const first = list[0]?.position ?? 1;
        const start = Math.max(0, after + 1 - first);
        return list.slice(start, start + Math.max(0, limit)).map(copyJson);
      },
      heads: async () => [...this.positions].map(([tenant, position]) => ({ tenant, position })),
      prune: async (before, limit) => {
        const cutoff = Date.parse(before);
        let pruned = 0;
        for (const list of this.changes.values()) {
          let drop = 0;
          while (
            drop < list.length &&
            pruned + drop < limit &&
            Date.parse(list[drop]!.time) < cutoff
          ) {
            drop += 1;
          }
          list.splice(0, drop);
          pruned += drop;
          if (pruned >= limit) break;
        }
        return pruned;
      },
      acquireLease: async (name, holder, ttlSeconds) => {
        const now = this.now();
        const lease = this.leases.get(name);
        if (lease !== undefined && lease.holder !== holder && lease.expiresAt > now) return false;
        this.leases.set(name, { holder, expiresAt: now + ttlSeconds * 1000 });
        return true;
      },
      releaseLease: async (name, holder) => {
        if (this.leases.get(name)?.holder === holder) this.leases.delete(name);
      },
      checkpoints: async (consumer) => new Map(this.checkpointsByConsumer.get(consumer) ?? []),
      saveCheckpoint: async (consumer, holder, tenant, position) => {
        const lease = this.leases.get(consumer);
        if (lease === undefined || lease.holder !== holder || lease.expiresAt <= this.now()) {
          return false;
        }
        let checkpoints = this.checkpointsByConsumer.get(consumer);
        if (checkpoints === undefined) {
          checkpoints = new Map();
          this.checkpointsByConsumer.set(consumer, checkpoints);
        }
        if (position <= (checkpoints.get(tenant) ?? 0)) return false;
        checkpoints.set(tenant, position);
        return true;
      },
      addDeadLetter: async (entry) => {
        this.letters.set(
          `${entry.consumer}\n${entry.tenant}\n${entry.position}`,
          Object.assign({}, entry),
        );
      },
      deadLetters: async (consumer, { tenant, limit }) =>
        [...this.letters.values()]
          .filter(
            (letter) =>
              letter.consumer === consumer && (tenant === undefined || letter.tenant === tenant),
          )
          .sort((left, right) =>
            left.at === right.at ? right.position - left.position : left.at < right.at ? 1 : -1,
          )
          .slice(0, Math.max(0, limit))
          .map((letter) => Object.assign({}, letter)),
    };
  }
}
