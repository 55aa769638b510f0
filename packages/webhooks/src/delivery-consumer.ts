import { setMaxListeners } from "node:events";
import {
  type ChangeConsumer,
  type ChangeConsumerOptions,
  type ConsumerReport,
  type ConsumerRetryOptions,
  createChangeConsumer,
  type FeedChange,
  RetryLaterError,
} from "@scimkit/core";
import { EndpointGoneError, PermanentDeliveryError } from "./http-delivery";

/** What a delivering consumer reports: the core consumer's reports, and a gone endpoint. */
export type DeliveryReport =
  | ConsumerReport
  | {
      /** The receiver answered 410 Gone: the consumer stopped (nothing was dead-lettered). */
      readonly kind: "gone";
      readonly change: FeedChange;
      readonly error: unknown;
    };

/** The consumer options a delivering consumer passes through to `createChangeConsumer`. */
export interface DeliveryConsumerOptions
  extends Omit<ChangeConsumerOptions, "handle" | "onReport" | "name"> {
  /**
   * The consumer's name: its checkpoints, lease and dead letters are stored under
   * it. Give each endpoint its own name.
   */
  readonly name?: string;
  /**
   * Attempts and backoff per change before it is dead-lettered. The tenant's feed
   * waits behind a change that is being retried (order per resource is kept).
   * @default { maxAttempts: 12, initialDelayMs: 1000, maxDelayMs: 600000 }: about 13 to 27 minutes
   */
  readonly retry?: ConsumerRetryOptions;
  /** What the consumer could not deliver. @default console.error */
  readonly onReport?: (report: DeliveryReport) => void;
}

/** Delivers one change; rejects to retry. Stops promptly when `signal` aborts. */
export type Deliver = (change: FeedChange, signal: AbortSignal) => Promise<void>;

/** Thrown into the core consumer while stopping: retry at once, so its loop sees it stopped. */
class StoppingError extends RetryLaterError {
  constructor() {
    super(0, "the consumer is stopping");
  }
}

const DEFAULT_RETRY = { maxAttempts: 12, initialDelayMs: 1000, maxDelayMs: 600_000 } as const;

const describeError = (error: unknown): string => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
};

const defaultReport = (report: DeliveryReport) => {
  const where = "change" in report ? ` (${report.change.type} #${report.change.position})` : "";
  console.error(
    `scimkit: delivery ${report.kind}${where}`,
    "error" in report ? report.error : report.kind,
  );
};

/**
 * A change consumer whose handler delivers over HTTP: `createChangeConsumer` does
 * the leases, checkpoints, ordering, retries and dead letters; this adds what
 * HTTP delivery needs on top. A `PermanentDeliveryError` dead-letters the change
 * at once (retrying cannot help), an `EndpointGoneError` (410) stops the consumer
 * and keeps its checkpoint, and `stop()` aborts requests in flight.
 */
export function createDeliveryConsumer(
  options: DeliveryConsumerOptions,
  defaultName: string,
  deliver: Deliver,
): ChangeConsumer {
  if (options === null || typeof options !== "object") {
    throw new TypeError("scimkit: options are required.");
  }
  const name = options.name ?? defaultName;
  const report = options.onReport ?? defaultReport;
  const safeReport = (entry: DeliveryReport) => {
    try {
      report(entry);
    } catch {
      // A failing report hook must not stop delivery.
    }
  };
  const attempts = new Map<string, number>();
  const keyOf = (change: FeedChange) => `${change.event.tenant}\n${change.position}`;
  // One signal for every request in flight (up to `concurrency`), each listening to it.
  const newController = () => {
    const created = new AbortController();
    setMaxListeners(0, created.signal);
    return created;
  };
  let controller = newController();
  let stopping = false;
  let stopped: Promise<void> | undefined;

  const handle = async (change: FeedChange) => {
    const key = keyOf(change);
    try {
      await deliver(change, controller.signal);
      attempts.delete(key);
    } catch (error) {
      if (stopping) throw new StoppingError();
      const attempt = (attempts.get(key) ?? 0) + 1;
      if (error instanceof EndpointGoneError) {
        attempts.delete(key);
        safeReport({ kind: "gone", change, error });
        void wrapper.stop();
        throw new StoppingError();
      }
      if (error instanceof PermanentDeliveryError) {
        attempts.delete(key);
        const feed = options.store.feed!;
        // Without its dead letter the change must not be skipped: a failing write retries.
        await feed.addDeadLetter({
          consumer: name,
          tenant: change.event.tenant,
          position: change.position,
          type: change.type,
          resourceType: change.event.resourceType,
          id: change.event.id,
          attempts: attempt,
          error: describeError(error),
          at: new Date().toISOString(),
        });
        safeReport({ kind: "deadLetter", change, attempts: attempt, error });
        return;
      }
      attempts.set(key, attempt);
      throw error;
    }
  };

  // Only the consumer's own options: the endpoint's secrets stay with the sender.
  const { store, batchSize, concurrency, pollIntervalMs, leaseSeconds, wakeOn } = options;
  const consumer = createChangeConsumer({
    store,
    batchSize,
    concurrency,
    pollIntervalMs,
    leaseSeconds,
    wakeOn,
    name,
    handle,
    retry: Object.assign({}, DEFAULT_RETRY, options.retry),
    onReport: (entry) => {
      if ("error" in entry && entry.error instanceof StoppingError) return;
      if (entry.kind === "deadLetter") attempts.delete(keyOf(entry.change));
      safeReport(entry);
    },
  });

  const wrapper: ChangeConsumer = {
    start() {
      if (stopping) return;
      if (controller.signal.aborted) controller = newController();
      consumer.start();
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        controller.abort();
        try {
          await consumer.stop();
        } finally {
          stopping = false;
          stopped = undefined;
          attempts.clear();
        }
      })();
      return stopped;
    },
    wake: () => consumer.wake(),
    caughtUp: () => consumer.caughtUp(),
    get active() {
      return consumer.active;
    },
  };
  return wrapper;
}
