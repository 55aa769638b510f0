import { SCIM_EVENT_NAMES, type ScimEvents } from "../service/events";
import type { ChangeFeedStore, ChangeRecord, ScimStore } from "../store/contract";
import { type FeedChange, toFeedChange } from "./feed-change";

/**
 * Thrown by a handler to ask for another attempt after at least `delayMs`
 * (a webhook receiver's `Retry-After`); any other error retries with backoff.
 */
export class RetryLaterError extends Error {
  readonly delayMs: number;
  constructor(delayMs: number, message = `retry in ${delayMs} ms`, options?: ErrorOptions) {
    super(message, options);
    this.name = "RetryLaterError";
    this.delayMs = delayMs;
  }
}

/** Retries of one change before it is dead-lettered. */
export interface ConsumerRetryOptions {
  /** Attempts per change, the first included. @default 8 */
  readonly maxAttempts?: number;
  /** Delay before the second attempt; doubles each time, with jitter. @default 500 */
  readonly initialDelayMs?: number;
  /** Longest delay between attempts (also caps `RetryLaterError`). @default 300000 (5 min) */
  readonly maxDelayMs?: number;
}

/** Where a consumer reports what it cannot hand back to a handler. */
export type ConsumerReport =
  | {
      readonly kind: "handler";
      readonly change: FeedChange;
      readonly attempt: number;
      readonly error: unknown;
    }
  | {
      readonly kind: "deadLetter";
      readonly change: FeedChange;
      readonly attempts: number;
      readonly error: unknown;
    }
  | {
      /** Changes were pruned before this consumer read them (it was down longer than the retention). */
      readonly kind: "gap";
      readonly tenant: string;
      readonly from: number;
      readonly to: number;
    }
  | { readonly kind: "store"; readonly error: unknown };

/** Options of `createChangeConsumer`. */
export interface ChangeConsumerOptions {
  /** A store with a change feed (`store.feed`). */
  readonly store: ScimStore;
  /**
   * The consumer's name: its checkpoints and its lease are stored under it, so
   * one consumer per name is active across every instance on the same store.
   */
  readonly name: string;
  /**
   * Handles one change. Runs at least once per change (again after a crash before
   * the checkpoint, or on retry): make it idempotent. Changes of one resource run
   * in position order, one at a time; different resources may run concurrently.
   * A throw retries the change; after `retry.maxAttempts` it is dead-lettered.
   */
  readonly handle: (change: FeedChange) => void | Promise<void>;
  /** Changes read per tenant at a time; the checkpoint moves after each batch. @default 100 */
  readonly batchSize?: number;
  /** Resources handled at once within a batch. @default 8 */
  readonly concurrency?: number;
  readonly retry?: ConsumerRetryOptions;
  /** Idle time between polls of the feed. @default 250 */
  readonly pollIntervalMs?: number;
  /** Lease length; renewed every third of it while running. @default 15 */
  readonly leaseSeconds?: number;
  /**
   * A service whose events wake the consumer at once after a local commit, so
   * changes made on this instance are handled without waiting for the next poll.
   */
  readonly wakeOn?: ScimEvents;
  /** What the consumer could not hand to `handle`. @default console.error */
  readonly onReport?: (report: ConsumerReport) => void;
}

/** A running (or stopped) consumer. */
export interface ChangeConsumer {
  /** Starts polling; resolves at once. Starting twice is a no-op. */
  start(): void;
  /** Stops after the changes in hand are handled, and gives up the lease. */
  stop(): Promise<void>;
  /** Polls now instead of at the next interval. */
  wake(): void;
  /**
   * Resolves once every change committed before the call has been handled (or
   * dead-lettered) by this consumer: for tests and graceful shutdowns. Rejects
   * when the consumer stops first.
   */
  caughtUp(): Promise<void>;
  /** Whether this instance holds the lease (is the active consumer). */
  readonly active: boolean;
}

const NAME = /^[A-Za-z0-9._:-]{1,128}$/;

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`createChangeConsumer: \`${name}\` must be a positive integer.`);
  }
  return value;
}

const defaultReport = (report: ConsumerReport) => {
  const where = "change" in report ? ` (${report.change.type} #${report.change.position})` : "";
  const error = "error" in report ? report.error : `${report.kind}`;
  console.error(`scimkit: change consumer ${report.kind}${where}`, error);
};

const describeError = (error: unknown): string => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
};

/**
 * Runs a handler over the store's durable change feed, at least once per change,
 * in order per resource, resuming from its checkpoint after a restart. Across
 * instances sharing the store only the holder of the lease `name` consumes; the
 * others wait and take over when it stops or its lease expires. The checkpoint
 * moves only after the changes before it were handled or dead-lettered.
 *
 * ```ts
 * const consumer = createChangeConsumer({
 *   store, name: "sessions", wakeOn: service,
 *   handle: async ({ type, event }) => {
 *     if (type === "user.deactivated") await revokeSessions(event.tenant, event.id);
 *   },
 * });
 * consumer.start();
 * ```
 */
export function createChangeConsumer(options: ChangeConsumerOptions): ChangeConsumer {
  if (options === null || typeof options !== "object") {
    throw new TypeError("createChangeConsumer: options are required.");
  }
  const feed: ChangeFeedStore | undefined = options.store?.feed;
  if (feed === undefined) {
    throw new TypeError("createChangeConsumer: `store` must have a change feed (`store.feed`).");
  }
  if (typeof options.name !== "string" || !NAME.test(options.name)) {
    throw new TypeError(
      "createChangeConsumer: `name` must be 1-128 letters, digits, `.`, `_`, `:` or `-`.",
    );
  }
  if (typeof options.handle !== "function") {
    throw new TypeError("createChangeConsumer: `handle` must be a function.");
  }
  const batchSize = positiveInteger(options.batchSize, "batchSize", 100);
  const concurrency = positiveInteger(options.concurrency, "concurrency", 8);
  const pollIntervalMs = positiveInteger(options.pollIntervalMs, "pollIntervalMs", 250);
  const leaseSeconds = positiveInteger(options.leaseSeconds, "leaseSeconds", 15);
  const maxAttempts = positiveInteger(options.retry?.maxAttempts, "retry.maxAttempts", 8);
  const initialDelayMs = positiveInteger(
    options.retry?.initialDelayMs,
    "retry.initialDelayMs",
    500,
  );
  const maxDelayMs = positiveInteger(options.retry?.maxDelayMs, "retry.maxDelayMs", 300_000);
  const report = options.onReport ?? defaultReport;
  const { name, handle } = options;
  const holder = `${name}:${globalThis.crypto.randomUUID()}`;

  let running = false;
  let active = false;
  let loop: Promise<void> | undefined;
  const sleepers = new Set<() => void>();
  let woken = false;
  let unsubscribe: (() => void) | undefined;
  let renewTimer: ReturnType<typeof setInterval> | undefined;
  const waiters: {
    target: Map<string, number>;
    resolve: () => void;
    reject: (error: Error) => void;
  }[] = [];

  const safeReport = (entry: ConsumerReport) => {
    try {
      report(entry);
    } catch {
      // A failing report hook must not stop the consumer.
    }
  };

  const retrySleepers = new Set<() => void>();
  /**
   * Sleeps `ms`, or less when stopped, and for a poll (not a retry's backoff)
   * also when woken by a commit.
   */
  const sleep = (ms: number, kind: "poll" | "retry" = "retry") =>
    new Promise<void>((resolve) => {
      const set = kind === "poll" ? sleepers : retrySleepers;
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      }
      set.add(done);
    });
  const wakeAll = (includeRetries = false) => {
    for (const wake of [...sleepers]) wake();
    if (includeRetries) for (const wake of [...retrySleepers]) wake();
  };

  const backoff = (attempt: number, error: unknown) => {
    if (error instanceof RetryLaterError) return Math.min(maxDelayMs, Math.max(0, error.delayMs));
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
    return base / 2 + Math.random() * (base / 2);
  };

  /** Handles one change: retries, then dead-letters. False when the consumer stopped first. */
  const deliver = async (record: ChangeRecord): Promise<boolean> => {
    const change = toFeedChange(record);
    for (let attempt = 1; ; attempt += 1) {
      if (!running || !active) return false;
      try {
        await handle(change);
        return true;
      } catch (error) {
        if (attempt >= maxAttempts) {
          try {
            await feed.addDeadLetter({
              consumer: name,
              tenant: record.tenant,
              position: record.position,
              type: record.type,
              resourceType: record.resourceType,
              id: record.id,
              attempts: attempt,
              error: describeError(error),
              at: new Date().toISOString(),
            });
          } catch (storeError) {
            // Without its dead letter the change must not be skipped: try again later.
            safeReport({ kind: "store", error: storeError });
            await sleep(backoff(attempt, error));
            attempt -= 1;
            continue;
          }
          safeReport({ kind: "deadLetter", change, attempts: attempt, error });
          return true;
        }
        safeReport({ kind: "handler", change, attempt, error });
        await sleep(backoff(attempt, error));
      }
    }
  };

  /** One batch: resources in parallel (bounded), each resource's changes in order. */
  const deliverBatch = async (batch: readonly ChangeRecord[]): Promise<boolean> => {
    const byResource = new Map<string, ChangeRecord[]>();
    for (const record of batch) {
      const key = `${record.resourceType}\n${record.id}`;
      const list = byResource.get(key);
      if (list === undefined) byResource.set(key, [record]);
      else list.push(record);
    }
    const queues = [...byResource.values()];
    let complete = true;
    const worker = async () => {
      for (let queue = queues.shift(); queue !== undefined; queue = queues.shift()) {
        for (const record of queue) {
          if (!(await deliver(record))) {
            complete = false;
            return;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queues.length) }, worker));
    return complete;
  };

  const settleWaiters = (checkpoints: ReadonlyMap<string, number>) => {
    for (let index = waiters.length - 1; index >= 0; index -= 1) {
      const waiter = waiters[index]!;
      const done = [...waiter.target].every(
        ([tenant, position]) => (checkpoints.get(tenant) ?? 0) >= position,
      );
      if (done) {
        waiters.splice(index, 1);
        waiter.resolve();
      }
    }
  };

  /** Consumes every tenant that is behind its head; resolves whether it did any work. */
  const pass = async (): Promise<boolean> => {
    const [heads, saved] = await Promise.all([feed.heads(), feed.checkpoints(name)]);
    const checkpoints = new Map(saved);
    let worked = false;
    for (const head of heads) {
      let after = checkpoints.get(head.tenant) ?? 0;
      while (running && active && after < head.position) {
        const batch = await feed.read(head.tenant, { after, limit: batchSize });
        if (batch.length === 0) break;
        const first = batch[0]!.position;
        if (first > after + 1) {
          safeReport({ kind: "gap", tenant: head.tenant, from: after + 1, to: first - 1 });
        }
        if (!(await deliverBatch(batch))) return worked;
        const last = batch[batch.length - 1]!.position;
        if (!(await feed.saveCheckpoint(name, holder, head.tenant, last))) {
          active = false; // The lease moved to another instance: stop consuming.
          return worked;
        }
        after = last;
        checkpoints.set(head.tenant, last);
        worked = true;
      }
    }
    settleWaiters(checkpoints);
    return worked;
  };

  const run = async () => {
    while (running) {
      woken = false;
      try {
        active = await feed.acquireLease(name, holder, leaseSeconds);
        if (active) {
          if (await pass()) continue;
        } else if (waiters.length > 0) {
          // Another instance consumes: its checkpoints tell this one's waiters.
          settleWaiters(await feed.checkpoints(name));
        }
      } catch (error) {
        safeReport({ kind: "store", error });
      }
      // A wake during the pass means a commit it may have missed: pass again at once.
      if (running && !woken) await sleep(pollIntervalMs, "poll");
    }
  };

  const consumer: ChangeConsumer = {
    start() {
      if (running) return;
      running = true;
      unsubscribe = subscribe(options.wakeOn, () => consumer.wake());
      renewTimer = setInterval(
        () => {
          if (!active) return;
          feed.acquireLease(name, holder, leaseSeconds).then(
            (held) => {
              if (!held) active = false;
            },
            (error: unknown) => safeReport({ kind: "store", error }),
          );
        },
        Math.max(1000, (leaseSeconds * 1000) / 3),
      );
      (renewTimer as { unref?: () => void }).unref?.();
      loop = run();
    },
    async stop() {
      if (!running) return;
      running = false;
      unsubscribe?.();
      if (renewTimer !== undefined) clearInterval(renewTimer);
      wakeAll(true);
      await loop;
      if (active) {
        active = false;
        await feed.releaseLease(name, holder).catch((error: unknown) => {
          safeReport({ kind: "store", error });
        });
      }
      for (const waiter of waiters.splice(0)) waiter.reject(new Error("The consumer stopped."));
    },
    wake() {
      woken = true;
      wakeAll();
    },
    async caughtUp() {
      if (!running) throw new Error("The consumer is not running.");
      const target = new Map((await feed.heads()).map((head) => [head.tenant, head.position]));
      return new Promise<void>((resolve, reject) => {
        waiters.push({ target, resolve, reject });
        consumer.wake();
      });
    },
    get active() {
      return active;
    },
  };
  return consumer;
}

function subscribe(events: ScimEvents | undefined, wake: () => void): (() => void) | undefined {
  if (events === undefined) return undefined;
  const offs = SCIM_EVENT_NAMES.map((event) => events.on(event, wake));
  return () => {
    for (const off of offs) off();
  };
}
