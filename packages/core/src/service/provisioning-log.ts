import type { LogEntry, ProvisioningLogStore, ScimStore } from "../store/contract";

/** Entries written per `append`. */
const BATCH = 200;
/** Entries held while the store is slow or down; beyond it new entries are dropped (and counted). */
const MAX_BUFFERED = 10_000;
/** How long an entry waits for companions before it is written. */
const FLUSH_DELAY_MS = 100;

/**
 * Buffers provisioning-log entries and appends them in batches after the
 * responses, so writing the log never fails or delays a SCIM request. A store
 * error is reported and that batch is dropped: the log is a debugging aid, not
 * the durable record (that is the change feed).
 */
export function createLogWriter(
  log: ProvisioningLogStore,
  onError: (error: unknown) => void,
): { push(entry: LogEntry): void; flush(): Promise<void> } {
  let buffer: LogEntry[] = [];
  let dropped = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();

  // Writes what is buffered now; entries pushed meanwhile wait for their own timer
  // (or a full batch), so a busy service appends about once per FLUSH_DELAY_MS
  // rather than once per append's round trip.
  const writeAll = async () => {
    const pending = buffer;
    buffer = [];
    for (let start = 0; start < pending.length; start += BATCH) {
      try {
        await log.append(pending.slice(start, start + BATCH));
      } catch (error) {
        onError(error);
      }
    }
    if (dropped > 0) {
      onError(
        new Error(`scimkit: ${dropped} provisioning-log entries dropped (the store fell behind).`),
      );
      dropped = 0;
    }
  };

  const flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    writing = writing.then(writeAll);
    return writing;
  };

  return {
    push(entry) {
      if (buffer.length >= MAX_BUFFERED) {
        dropped += 1;
        return;
      }
      buffer.push(entry);
      if (buffer.length >= BATCH) {
        void flush();
        return;
      }
      if (timer === undefined) {
        timer = setTimeout(() => void flush(), FLUSH_DELAY_MS);
        (timer as { unref?: () => void }).unref?.();
      }
    },
    flush,
  };
}

const DAY_MILLISECONDS = 86_400_000;
/** Rows pruned per statement, and statements per run: bounded work each time. */
const PRUNE_BATCH = 1000;
const PRUNE_BATCHES_PER_RUN = 10;
const HOUSEKEEPING_INTERVAL_MS = 5 * 60_000;

/** What one pruning run removed. */
export interface PruneResult {
  readonly changes: number;
  readonly logEntries: number;
}

/**
 * Retention: deletes changes and log entries past their retention in bounded
 * batches. `maybeRun` starts a run at most every five minutes (core runs no
 * timers: the service calls it after requests); `run` prunes now.
 */
export function createHousekeeping(settings: {
  readonly store: ScimStore;
  readonly changeRetentionDays: number | undefined;
  readonly logRetentionDays: number | undefined;
  readonly clock: () => Date;
  readonly onError: (error: unknown) => void;
}): { maybeRun(): void; run(): Promise<PruneResult> } {
  const { store, clock } = settings;
  let last = 0;
  let running: Promise<PruneResult> | undefined;

  const prune = async (
    target: { prune(before: string, limit: number): Promise<number> } | undefined,
    days: number | undefined,
  ) => {
    if (target === undefined || days === undefined) return 0;
    const before = new Date(clock().getTime() - days * DAY_MILLISECONDS).toISOString();
    let total = 0;
    for (let batch = 0; batch < PRUNE_BATCHES_PER_RUN; batch += 1) {
      const count = await target.prune(before, PRUNE_BATCH);
      total += count;
      if (count < PRUNE_BATCH) break;
    }
    return total;
  };

  const run = () => {
    running ??= (async () => {
      try {
        const changes = await prune(store.feed, settings.changeRetentionDays);
        const logEntries = await prune(store.log, settings.logRetentionDays);
        return { changes, logEntries };
      } finally {
        last = Date.now();
        running = undefined;
      }
    })();
    return running;
  };

  return {
    run,
    maybeRun() {
      if (running !== undefined || Date.now() - last < HOUSEKEEPING_INTERVAL_MS) return;
      last = Date.now();
      run().catch(settings.onError);
    },
  };
}
