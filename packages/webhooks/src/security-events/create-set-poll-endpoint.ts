import {
  type FeedChange,
  SCIM_EVENT_NAMES,
  type ScimEvents,
  type ScimStore,
  toFeedChange,
} from "@scimkit/core";
import { positionOfChangeId } from "../change-id";
import { positiveInteger, snippet } from "../http-delivery";
import {
  createSecurityEventIssuer,
  type SecurityEventIssuerOptions,
} from "./create-security-event-issuer";

/** Options of `createSetPollEndpoint`. */
export interface SetPollEndpointOptions extends SecurityEventIssuerOptions {
  /** A store with a change feed (`store.feed`). */
  readonly store: ScimStore;
  /**
   * The receiver's name: its checkpoint per tenant (what it acknowledged), its
   * lease and its dead letters are stored under it. One name per receiver, not
   * shared with a push consumer.
   * @default "security-events-poll"
   */
  readonly name?: string;
  /**
   * Authenticates the SET Recipient (RFC 8936 §3: standard HTTP authentication)
   * and names the tenant whose feed it reads. `undefined` answers 401 with
   * `WWW-Authenticate: Bearer`.
   */
  readonly authorize: (
    request: Request,
  ) => { readonly tenant: string } | undefined | Promise<{ readonly tenant: string } | undefined>;
  /** Wakes long polls at once when this service commits a change. */
  readonly wakeOn?: ScimEvents;
  /** Most SETs in one response, whatever `maxEvents` asks. @default 100 */
  readonly maxEvents?: number;
  /** How long a poll without `returnImmediately: true` waits for a SET. @default 15000 */
  readonly longPollMs?: number;
  /** A SET delivered but not acknowledged is delivered again after this long. @default 30000 */
  readonly redeliverAfterMs?: number;
  /** How often a long poll looks at the feed (changes made by other instances). @default 500 */
  readonly pollIntervalMs?: number;
  /** Largest request body. @default 1048576 */
  readonly maxRequestBytes?: number;
  /** Only changes for which this returns true are offered; the others count as acknowledged. */
  readonly filter?: (change: FeedChange) => boolean;
  /** Unexpected failures (the recipient gets a 500). @default console.error */
  readonly onError?: (error: unknown) => void;
}

/** A framework-free RFC 8936 poll endpoint on Web-standard `Request`/`Response`. */
export interface SetPollEndpoint {
  /** Serves one poll request. Never rejects. */
  handle(request: Request): Promise<Response>;
  /** Ends waiting long polls and unsubscribes from `wakeOn`. */
  close(): void;
}

interface TenantState {
  /** Positions after the checkpoint that are done: acknowledged, errored, or not offered. */
  readonly done: Set<number>;
  /** Positions delivered and not yet acknowledged: when, and as which jti. */
  readonly delivered: Map<number, { readonly at: number; readonly jti: string }>;
}

interface PollRequest {
  readonly maxEvents: number | undefined;
  readonly returnImmediately: boolean;
  readonly ack: readonly string[];
  readonly setErrs: ReadonlyMap<string, { readonly err: string; readonly description: string }>;
}

const MAX_ACKS = 10_000;
const MAX_SET_ERRS = 1000;
const MAX_STATE = 100_000;
const READ_BATCH = 200;
const MAX_SCAN = 5000;
const LEASE_SECONDS = 5;

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });

class BadRequest extends Error {}

async function readBody(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes)
    throw new BadRequest(`The request body is larger than ${maxBytes} bytes.`);
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BadRequest(`The request body is larger than ${maxBytes} bytes.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** RFC 8936 §2.2: `maxEvents`, `returnImmediately`, `ack`, `setErrs`; anything else is ignored. */
function parsePollRequest(text: string): PollRequest {
  let body: unknown;
  try {
    body = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new BadRequest("The request body is not JSON.");
  }
  if (!isObject(body)) throw new BadRequest("The request body must be a JSON object.");
  const { maxEvents, returnImmediately, ack, setErrs } = body;
  if (
    maxEvents !== undefined &&
    (typeof maxEvents !== "number" || !Number.isSafeInteger(maxEvents) || maxEvents < 0)
  ) {
    throw new BadRequest("maxEvents must be a non-negative integer.");
  }
  if (returnImmediately !== undefined && typeof returnImmediately !== "boolean") {
    throw new BadRequest("returnImmediately must be a boolean.");
  }
  if (
    ack !== undefined &&
    (!Array.isArray(ack) ||
      ack.length > MAX_ACKS ||
      !ack.every((jti) => typeof jti === "string" && jti.length <= 128))
  ) {
    throw new BadRequest(`ack must be an array of at most ${MAX_ACKS} jti strings.`);
  }
  const errors = new Map<string, { err: string; description: string }>();
  if (setErrs !== undefined) {
    if (!isObject(setErrs) || Object.keys(setErrs).length > MAX_SET_ERRS) {
      throw new BadRequest(`setErrs must be an object of at most ${MAX_SET_ERRS} errors.`);
    }
    for (const [jti, error] of Object.entries(setErrs)) {
      if (!isObject(error) || typeof error.err !== "string" || jti.length > 128) {
        throw new BadRequest("Each setErrs member must be { err, description }.");
      }
      errors.set(jti, {
        err: snippet(error.err).slice(0, 64),
        description: typeof error.description === "string" ? snippet(error.description) : "",
      });
    }
  }
  return {
    maxEvents: maxEvents as number | undefined,
    returnImmediately: returnImmediately === true,
    ack: (ack as string[] | undefined) ?? [],
    setErrs: errors,
  };
}

/**
 * Offers the change feed as RFC 9967 SETs by RFC 8936 polling. The recipient
 * POSTs `{ "maxEvents"?, "returnImmediately"?, "ack"?: [jti], "setErrs"?: {jti:
 * {err, description}} }` (`application/json`) and gets `200 { "sets": { jti: SET },
 * "moreAvailable": bool }`, oldest first. Acknowledged SETs and SETs reported in
 * `setErrs` (dead-lettered, visible in `store.feed.deadLetters(name)`) are done;
 * the stored checkpoint moves past every change up to the first one that is not,
 * so a restart (or another instance) resumes there and nothing acknowledged is
 * lost. A SET not acknowledged within `redeliverAfterMs` is offered again
 * (at-least-once; `jti` is stable). Without `returnImmediately: true` the request
 * waits up to `longPollMs` for a SET (RFC 8936 §2.5). Invalid requests answer 400,
 * other methods 405.
 */
export function createSetPollEndpoint(options: SetPollEndpointOptions): SetPollEndpoint {
  if (options === null || typeof options !== "object") {
    throw new TypeError("scimkit: createSetPollEndpoint needs options.");
  }
  const feed = options.store?.feed;
  if (feed === undefined) {
    throw new TypeError("scimkit: `store` must have a change feed (`store.feed`).");
  }
  if (typeof options.authorize !== "function") {
    throw new TypeError("scimkit: `authorize` must be a function of the request.");
  }
  const name = options.name ?? "security-events-poll";
  if (typeof name !== "string" || !/^[A-Za-z0-9._:-]{1,128}$/.test(name)) {
    throw new TypeError("scimkit: `name` must be 1-128 letters, digits, `.`, `_`, `:` or `-`.");
  }
  const issuer = createSecurityEventIssuer(options);
  const serverMaxEvents = positiveInteger(options.maxEvents, "maxEvents", 100, 1000);
  const longPollMs = positiveInteger(options.longPollMs, "longPollMs", 15_000, 300_000);
  const redeliverAfterMs = positiveInteger(options.redeliverAfterMs, "redeliverAfterMs", 30_000);
  const pollIntervalMs = positiveInteger(options.pollIntervalMs, "pollIntervalMs", 500, 60_000);
  const maxRequestBytes = positiveInteger(options.maxRequestBytes, "maxRequestBytes", 1_048_576);
  const { filter } = options;
  if (filter !== undefined && typeof filter !== "function") {
    throw new TypeError("scimkit: `filter` must be a function.");
  }
  const onError =
    options.onError ?? ((error: unknown) => console.error("scimkit: SET poll failed", error));
  const now = options.now ?? Date.now;
  const holder = `${name}:${globalThis.crypto.randomUUID()}`;
  const states = new Map<string, TenantState>();
  const locks = new Map<string, Promise<unknown>>();
  const waiters = new Map<string, Set<() => void>>();
  let closed = false;

  const stateOf = (tenant: string) => {
    let state = states.get(tenant);
    if (state === undefined) {
      state = { done: new Set(), delivered: new Map() };
      states.set(tenant, state);
    }
    return state;
  };

  /** Runs `task` after the tenant's previous one: checkpoint moves never interleave. */
  const exclusive = <T>(tenant: string, task: () => Promise<T>): Promise<T> => {
    const previous = locks.get(tenant) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    locks.set(tenant, settled);
    void settled.then(() => {
      if (locks.get(tenant) === settled) locks.delete(tenant);
    });
    return next;
  };

  const wake = (tenant: string) => {
    for (const resolve of [...(waiters.get(tenant) ?? [])]) resolve();
  };
  const unsubscribes =
    options.wakeOn === undefined
      ? []
      : SCIM_EVENT_NAMES.map((event) =>
          options.wakeOn!.on(event, (payload) => wake((payload as { tenant: string }).tenant)),
        );

  const checkpointOf = async (tenant: string) => (await feed.checkpoints(name)).get(tenant) ?? 0;

  const bound = (state: TenantState) => {
    // Past the bound, forget the oldest: those SETs are offered again (at-least-once).
    for (const key of state.done) {
      if (state.done.size <= MAX_STATE) break;
      state.done.delete(key);
    }
    for (const key of state.delivered.keys()) {
      if (state.delivered.size <= MAX_STATE) break;
      state.delivered.delete(key);
    }
  };

  /** Records acknowledgements and errors (errors as dead letters). */
  const acknowledge = async (tenant: string, poll: PollRequest, checkpoint: number) => {
    const state = stateOf(tenant);
    const accept = (jti: string) => {
      const position = positionOfChangeId(jti);
      if (position === undefined || position <= checkpoint) return undefined;
      const delivered = state.delivered.get(position);
      if (delivered !== undefined && delivered.jti !== jti) return undefined;
      return position;
    };
    for (const jti of poll.ack) {
      const position = accept(jti);
      if (position === undefined) continue;
      state.done.add(position);
      state.delivered.delete(position);
    }
    for (const [jti, error] of poll.setErrs) {
      const position = accept(jti);
      if (position === undefined) continue;
      const [record] = await feed.read(tenant, { after: position - 1, limit: 1 });
      if (record?.position !== position) continue;
      await feed.addDeadLetter({
        consumer: name,
        tenant,
        position,
        type: record.type,
        resourceType: record.resourceType,
        id: record.id,
        attempts: 1,
        error: `SET rejected by the recipient: ${error.err}${error.description ? `: ${error.description}` : ""}`,
        at: new Date(now()).toISOString(),
      });
      state.done.add(position);
      state.delivered.delete(position);
    }
    bound(state);
  };

  /** The oldest SETs to offer now, at most `limit`; with limit 0, only whether there is one. */
  const collect = async (tenant: string, limit: number, checkpoint: number) => {
    const state = stateOf(tenant);
    const sets: Record<string, string> = {};
    let count = 0;
    let moreAvailable = false;
    let after = checkpoint;
    let scanned = 0;
    const time = now();
    scan: while (scanned < MAX_SCAN) {
      const batch = await feed.read(tenant, { after, limit: READ_BATCH });
      for (const record of batch) {
        scanned += 1;
        after = record.position;
        if (state.done.has(record.position)) continue;
        const delivered = state.delivered.get(record.position);
        if (delivered !== undefined && time - delivered.at < redeliverAfterMs) continue;
        const change = toFeedChange(record);
        const issued = filter === undefined || filter(change) ? issuer.issue(change) : undefined;
        if (issued === undefined) {
          state.done.add(record.position); // Nothing to offer: counts as acknowledged.
          continue;
        }
        if (count >= limit) {
          moreAvailable = true;
          break scan;
        }
        sets[issued.jti] = issued.token;
        count += 1;
        state.delivered.set(record.position, { at: time, jti: issued.jti });
      }
      if (batch.length < READ_BATCH) break;
    }
    if (scanned >= MAX_SCAN) moreAvailable = true;
    bound(state);
    return { sets, count, moreAvailable };
  };

  /** Moves the stored checkpoint past every done change right after it. */
  const advance = (tenant: string) =>
    exclusive(tenant, async () => {
      const state = stateOf(tenant);
      const checkpoint = await checkpointOf(tenant);
      let next = checkpoint;
      const [first] = await feed.read(tenant, { after: checkpoint, limit: 1 });
      // Changes pruned before they were read cannot be offered any more.
      if (first !== undefined && first.position > checkpoint + 1) next = first.position - 1;
      while (state.done.has(next + 1)) next += 1;
      if (next === checkpoint) return;
      if (!(await feed.acquireLease(name, holder, LEASE_SECONDS))) return; // Another instance: retried later.
      try {
        if (await feed.saveCheckpoint(name, holder, tenant, next)) {
          for (const position of state.done) if (position <= next) state.done.delete(position);
          for (const position of state.delivered.keys()) {
            if (position <= next) state.delivered.delete(position);
          }
        }
      } finally {
        await feed.releaseLease(name, holder);
      }
    });

  const waitForChange = (tenant: string, ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      let set = waiters.get(tenant);
      if (set === undefined) {
        set = new Set();
        waiters.set(tenant, set);
      }
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        set.delete(done);
        if (set.size === 0) waiters.delete(tenant);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done);
      set.add(done);
    });

  const serve = async (request: Request): Promise<Response> => {
    if (request.method !== "POST") {
      return json(405, { description: "Poll with POST." }, { allow: "POST" });
    }
    const authorized = await options.authorize(request);
    if (authorized === undefined || typeof authorized.tenant !== "string") {
      return json(
        401,
        { description: "Authentication required." },
        { "www-authenticate": "Bearer" },
      );
    }
    const { tenant } = authorized;
    const contentType = request.headers.get("content-type") ?? "";
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      throw new BadRequest("The request must be application/json.");
    }
    const poll = parsePollRequest(await readBody(request, maxRequestBytes));
    const limit = Math.min(poll.maxEvents ?? serverMaxEvents, serverMaxEvents);
    await acknowledge(tenant, poll, await checkpointOf(tenant));
    let result = await collect(tenant, limit, await checkpointOf(tenant));
    await advance(tenant);
    const empty = () => (limit === 0 ? !result.moreAvailable : result.count === 0);
    const deadline = now() + longPollMs;
    while (!poll.returnImmediately && empty() && !closed && !request.signal.aborted) {
      const left = deadline - now();
      if (left <= 0) break;
      await waitForChange(tenant, Math.min(pollIntervalMs, left), request.signal);
      result = await collect(tenant, limit, await checkpointOf(tenant));
      await advance(tenant);
    }
    return json(200, { sets: result.sets, moreAvailable: result.moreAvailable });
  };

  return {
    async handle(request) {
      try {
        return await serve(request);
      } catch (error) {
        if (error instanceof BadRequest) return json(400, { description: error.message });
        onError(error);
        return json(500, { description: "The poll failed." });
      }
    },
    close() {
      closed = true;
      for (const off of unsubscribes) off();
      for (const tenant of [...waiters.keys()]) wake(tenant);
    },
  };
}
