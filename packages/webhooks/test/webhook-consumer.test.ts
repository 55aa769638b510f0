import { type ScimEventName, toFeedChange } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import { afterEach, describe, expect, it } from "vitest";
import { changeId, createWebhookConsumer, createWebhookSender, type DeliveryReport } from "../src";
import { generateWebhookSecret, verifyWebhook } from "../src/standard-webhooks";
import { directory } from "./helpers/directory";
import { type Answer, type Received, startReceiver, until } from "./helpers/receiver";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const fast = { maxAttempts: 8, initialDelayMs: 5, maxDelayMs: 50 };

interface Delivered {
  readonly id: string;
  readonly type: ScimEventName;
  readonly data: { tenant: string; resourceType: string; id: string } & Record<string, unknown>;
  readonly timestamp: string;
}

/** A receiver that verifies every request; `answer` decides the status of valid ones. */
async function verifyingReceiver(
  secret: string,
  answer: (request: Received) => Answer = () => ({ status: 204 }),
) {
  const accepted: Delivered[] = [];
  const invalid: Received[] = [];
  const receiver = await startReceiver((request) => {
    const verified = verifyWebhook({
      headers: request.headers,
      body: request.body,
      secrets: secret,
    });
    if (!verified.ok) {
      invalid.push(request);
      return { status: 401 };
    }
    const result = answer(request);
    if (result !== "hang" && result.status >= 200 && result.status < 300) {
      accepted.push({ id: verified.id, ...(JSON.parse(request.body) as Omit<Delivered, "id">) });
    }
    return result;
  });
  cleanups.push(() => receiver.close());
  return { ...receiver, accepted, invalid };
}

function start<T extends { start(): void; stop(): Promise<void> }>(consumer: T): T {
  consumer.start();
  cleanups.push(() => consumer.stop());
  return consumer;
}

/** IdP-style traffic over three users and a group: creates, renames, suspensions, memberships, deletes. */
async function provision(scim: ReturnType<typeof directory>, rounds = 3) {
  const ids: string[] = [];
  for (const name of ["ann", "bob", "cy"]) ids.push((await scim.user(`${name}@example.com`)).id);
  const group = await scim.group("Engineering", [ids[0]!]);
  for (let round = 0; round < rounds; round += 1) {
    for (const id of ids) {
      await scim.patch(`/Users/${id}`, [
        { op: "replace", path: "displayName", value: `${id} ${round}` },
      ]);
    }
    await scim.patch(`/Users/${ids[1]}`, [
      { op: "replace", path: "active", value: round % 2 === 1 },
    ]);
    await scim.patch(`/Groups/${group.id}`, [
      { op: "add", path: "members", value: [{ value: ids[1]! }, { value: ids[2]! }] },
    ]);
    await scim.patch(`/Groups/${group.id}`, [
      { op: "remove", path: `members[value eq "${ids[2]}"]` },
    ]);
  }
  await scim.call("DELETE", `/Users/${ids[2]}`);
  return { ids, group };
}

describe("createWebhookConsumer: Standard Webhooks over the durable feed", () => {
  it("delivers every change at least once, signed, in order per resource, though the receiver refuses a fifth", async () => {
    const secret = generateWebhookSecret();
    let count = 0;
    // Every fifth request is refused, alternating a 500 and a 503 with Retry-After: 0.
    const receiver = await verifyingReceiver(secret, () => {
      count += 1;
      if (count % 5 !== 0) return { status: 200 };
      return count % 10 === 0 ? { status: 503, headers: { "retry-after": "0" } } : { status: 500 };
    });
    const scim = directory();
    const consumer = start(
      createWebhookConsumer({
        store: scim.store,
        wakeOn: scim.service,
        url: receiver.url,
        secrets: secret,
        retry: fast,
        pollIntervalMs: 20,
        onReport: () => {},
      }),
    );
    await provision(scim);
    await consumer.caughtUp();

    const feed = await scim.store.feed!.read("acme", { after: 0, limit: 1000 });
    expect(feed.length).toBeGreaterThan(20);
    expect(receiver.invalid).toEqual([]);
    expect(receiver.requests.length).toBeGreaterThan(feed.length); // some were refused, then retried
    // Every change arrived (at least once) with its own stable id, as the feed recorded it.
    const byId = new Map(receiver.accepted.map((delivery) => [delivery.id, delivery]));
    expect(byId.size).toBe(feed.length);
    for (const record of feed) {
      const delivered = byId.get(`msg_${changeId(toFeedChange(record))}`);
      expect(delivered, `#${record.position} ${record.type}`).toBeDefined();
      expect(delivered!.type).toBe(record.type);
      expect(delivered!.timestamp).toBe(record.time);
      expect(delivered!.data).toEqual({
        tenant: "acme",
        resourceType: record.resourceType,
        id: record.id,
        ...record.data,
      });
    }
    // Refused requests were retried with the same webhook-id.
    const refused = receiver.requests.filter((_, index) => (index + 1) % 5 === 0);
    for (const request of refused) {
      expect(byId.has(String(request.headers["webhook-id"]))).toBe(true);
    }
    // Per resource, first deliveries come in feed order.
    const positionOf = new Map(
      feed.map((record) => [`msg_${changeId(toFeedChange(record))}`, record.position]),
    );
    const seen = new Set<string>();
    const order = new Map<string, number[]>();
    for (const delivery of receiver.accepted) {
      if (seen.has(delivery.id)) continue;
      seen.add(delivery.id);
      const key = `${delivery.data.resourceType}/${delivery.data.id}`;
      const position = positionOf.get(delivery.id)!;
      order.set(key, [...(order.get(key) ?? []), position]);
    }
    expect(order.size).toBe(4);
    for (const positions of order.values()) {
      expect(positions).toEqual([...positions].sort((left, right) => left - right));
    }
  });

  it("waits as long as Retry-After says on 429, and backs off with growing delays on errors", async () => {
    const secret = generateWebhookSecret();
    const answers: Answer[] = [
      { status: 429, headers: { "retry-after": "1" } },
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 200 },
    ];
    const receiver = await verifyingReceiver(
      secret,
      (request) => answers[request.index] ?? { status: 200 },
    );
    const scim = directory();
    start(
      createWebhookConsumer({
        store: scim.store,
        wakeOn: scim.service,
        url: receiver.url,
        secrets: secret,
        retry: { maxAttempts: 10, initialDelayMs: 40, maxDelayMs: 5000 },
        pollIntervalMs: 20,
        onReport: () => {},
      }),
    );
    await scim.user("ann@example.com");
    await until(() => receiver.accepted.length === 1, 10_000, "the delivery");
    const at = receiver.requests.map((request) => request.at);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(950); // Retry-After: 1
    // Exponential backoff with jitter: attempt n waits between half and all of 40 * 2^(n-1) ms.
    const gaps = [at[2]! - at[1]!, at[3]! - at[2]!, at[4]! - at[3]!];
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(75);
    expect(gaps[2]).toBeGreaterThanOrEqual(155);
    expect(new Set(receiver.requests.map((request) => request.headers["webhook-id"])).size).toBe(1);
  });

  it("gives up on an attempt after timeoutMs and retries it", async () => {
    const secret = generateWebhookSecret();
    const receiver = await verifyingReceiver(secret, (request) =>
      request.index === 0 ? "hang" : { status: 200 },
    );
    const scim = directory();
    const reports: DeliveryReport[] = [];
    start(
      createWebhookConsumer({
        store: scim.store,
        wakeOn: scim.service,
        url: receiver.url,
        secrets: secret,
        timeoutMs: 200,
        retry: fast,
        pollIntervalMs: 20,
        onReport: (report) => reports.push(report),
      }),
    );
    await scim.user("ann@example.com");
    await until(() => receiver.accepted.length === 1, 5000, "the retried delivery");
    // The sender gave up on the first attempt (closed it), then tried again.
    expect(receiver.requests[0]!.closedAt).toBeDefined();
    expect(receiver.requests[0]!.closedAt!).toBeLessThanOrEqual(receiver.requests[1]!.at);
    expect(reports[0]).toMatchObject({ kind: "handler", attempt: 1 });
    expect(String((reports[0] as { error: Error }).error.message)).toMatch(
      /no answer from http:\/\/127\.0\.0\.1:\d+\/hook within 200 ms/,
    );
  });

  it("dead-letters a change after maxAttempts, visibly and without secrets, and goes on with the next", async () => {
    const secret = generateWebhookSecret();
    const scim = directory();
    const ann = await scim.user("ann@example.com");
    const receiver = await verifyingReceiver(secret, (request) =>
      request.body.includes(ann.id) && request.body.includes("user.created")
        ? { status: 500, body: `database down\nsecret=${secret}`.repeat(1) }
        : { status: 200 },
    );
    const reports: DeliveryReport[] = [];
    const consumer = start(
      createWebhookConsumer({
        store: scim.store,
        wakeOn: scim.service,
        name: "crm",
        url: `${receiver.url}?token=query-credential`,
        headers: { authorization: "Bearer header-credential" },
        secrets: secret,
        retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
        pollIntervalMs: 20,
        onReport: (report) => reports.push(report),
      }),
    );
    const bob = await scim.user("bob@example.com");
    await consumer.caughtUp();
    const letters = await scim.store.feed!.deadLetters("crm", { limit: 10 });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      consumer: "crm",
      tenant: "acme",
      position: 1,
      type: "user.created",
      resourceType: "User",
      id: ann.id,
      attempts: 3,
    });
    expect(letters[0]!.error).toMatch(
      /^DeliveryError: HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/hook: database down/,
    );
    expect(letters[0]!.error).not.toContain("query-credential");
    expect(letters[0]!.error).not.toContain("header-credential");
    // The receiver's own text is kept (bounded); it is the receiver's to keep secrets out of.
    expect(receiver.requests.filter((request) => request.body.includes(ann.id))).toHaveLength(3);
    expect(receiver.accepted.map((delivery) => delivery.data.id)).toEqual([bob.id]);
    expect(reports.filter((report) => report.kind === "deadLetter")).toHaveLength(1);
    expect(receiver.requests[0]!.headers.authorization).toBe("Bearer header-credential");
    expect(receiver.requests[0]!.url).toBe("/hook?token=query-credential");
  });

  it("stops on 410 Gone, keeps its checkpoint, and delivers from there once restarted", async () => {
    const secret = generateWebhookSecret();
    let gone = true;
    const receiver = await verifyingReceiver(secret, () =>
      gone ? { status: 410 } : { status: 200 },
    );
    const scim = directory();
    const reports: DeliveryReport[] = [];
    const options = {
      store: scim.store,
      wakeOn: scim.service,
      url: receiver.url,
      secrets: secret,
      retry: fast,
      pollIntervalMs: 20,
      onReport: (report: DeliveryReport) => reports.push(report),
    };
    const consumer = start(createWebhookConsumer(options));
    await scim.user("ann@example.com");
    await until(() => reports.some((report) => report.kind === "gone"), 5000, "the gone report");
    await until(() => !consumer.active, 5000, "the consumer to stop");
    expect(receiver.requests).toHaveLength(1);
    expect(await scim.store.feed!.checkpoints("webhooks")).toEqual(new Map());
    expect(await scim.store.feed!.deadLetters("webhooks", { limit: 10 })).toEqual([]);
    gone = false;
    const again = start(createWebhookConsumer(options));
    await again.caughtUp();
    expect(receiver.accepted.map((delivery) => delivery.type)).toEqual(["user.created"]);
  });

  it("resumes after a restart from the checkpoint: a new consumer with the same name on the same store", async () => {
    const secret = generateWebhookSecret();
    const receiver = await verifyingReceiver(secret);
    const scim = directory();
    const options = {
      store: scim.store,
      url: receiver.url,
      secrets: secret,
      retry: fast,
      pollIntervalMs: 20,
    };
    const first = createWebhookConsumer(options);
    first.start();
    await scim.user("ann@example.com");
    await scim.user("bob@example.com");
    await first.caughtUp();
    await first.stop();
    const before = receiver.requests.length;
    await scim.user("cy@example.com");
    await scim.user("dee@example.com");
    const second = start(createWebhookConsumer(options));
    await second.caughtUp();
    expect(before).toBe(2);
    // Only the changes after the checkpoint are sent again.
    expect(
      receiver.accepted.map(
        (delivery) => (delivery.data.resource as { userName: string }).userName,
      ),
    ).toEqual(["ann@example.com", "bob@example.com", "cy@example.com", "dee@example.com"]);
  });

  it("runs one active consumer per name on a store: every change is delivered, and the other takes over", async () => {
    const secret = generateWebhookSecret();
    const receiver = await verifyingReceiver(secret);
    const scim = directory();
    const options = {
      store: scim.store,
      url: receiver.url,
      secrets: secret,
      retry: fast,
      pollIntervalMs: 20,
      leaseSeconds: 1,
    };
    const one = start(createWebhookConsumer(options));
    const two = start(createWebhookConsumer(options));
    for (const name of ["ann", "bob", "cy"]) await scim.user(`${name}@example.com`);
    await until(() => receiver.accepted.length >= 3, 5000, "three deliveries");
    expect([one.active, two.active].filter(Boolean)).toHaveLength(1);
    const [active, standby] = one.active ? [one, two] : [two, one];
    await active.stop();
    for (const name of ["dee", "eve"]) await scim.user(`${name}@example.com`);
    await until(() => standby.active, 5000, "the standby to take the lease");
    await standby.caughtUp();
    const names = receiver.accepted.map(
      (delivery) => (delivery.data.resource as { userName: string }).userName,
    );
    expect(new Set(names)).toEqual(
      new Set(["ann", "bob", "cy", "dee", "eve"].map((name) => `${name}@example.com`)),
    );
  });

  it("sends a thin payload when the event is larger than maxPayloadBytes", async () => {
    const secret = generateWebhookSecret();
    const receiver = await verifyingReceiver(secret);
    const scim = directory();
    const consumer = start(
      createWebhookConsumer({
        store: scim.store,
        url: receiver.url,
        secrets: secret,
        maxPayloadBytes: 1000,
        retry: fast,
        pollIntervalMs: 20,
      }),
    );
    const small = await scim.user("a@example.com");
    const large = await scim.user("b@example.com", { displayName: "x".repeat(2000) });
    await consumer.caughtUp();
    expect(receiver.accepted[0]!.data.id).toBe(small.id);
    expect(receiver.accepted[0]!.data.thin).toBeUndefined();
    expect(receiver.accepted[1]!.data).toEqual({
      tenant: "acme",
      resourceType: "User",
      id: large.id,
      thin: true,
    });
  });

  it("does not follow redirects and reads at most maxResponseBytes of an answer", async () => {
    const secret = generateWebhookSecret();
    const receiver = await verifyingReceiver(secret, (request) =>
      request.index === 0
        ? { status: 307, headers: { location: "http://127.0.0.1:1/elsewhere" } }
        : request.index === 1
          ? { status: 500, body: "e".repeat(2_000_000) }
          : { status: 200 },
    );
    const scim = directory();
    const reports: DeliveryReport[] = [];
    const consumer = start(
      createWebhookConsumer({
        store: scim.store,
        url: receiver.url,
        secrets: secret,
        retry: fast,
        pollIntervalMs: 20,
        onReport: (report) => reports.push(report),
      }),
    );
    await scim.user("ann@example.com");
    await consumer.caughtUp();
    const errors = reports.map((report) => String((report as { error: Error }).error.message));
    expect(errors[0]).toMatch(/^HTTP 307 from/);
    expect(errors[1]).toMatch(/^HTTP 500 from .*: e+\.\.\.$/);
    expect(errors[1]!.length).toBeLessThan(300);
    expect(receiver.accepted).toHaveLength(1);
  });

  it("stops promptly with a request in flight", async () => {
    const secret = generateWebhookSecret();
    const receiver = await verifyingReceiver(secret, () => "hang");
    const scim = directory();
    const consumer = createWebhookConsumer({
      store: scim.store,
      url: receiver.url,
      secrets: secret,
      retry: fast,
      pollIntervalMs: 20,
    });
    consumer.start();
    await scim.user("ann@example.com");
    await until(() => receiver.requests.length === 1, 5000, "the request");
    const began = Date.now();
    await consumer.stop();
    expect(Date.now() - began).toBeLessThan(1000);
    expect(await scim.store.feed!.checkpoints("webhooks")).toEqual(new Map());
  });

  it("validates its options when created", () => {
    const store = memoryStore();
    const secret = generateWebhookSecret();
    const create = (options: Record<string, unknown>) => () =>
      createWebhookConsumer({
        store,
        url: "https://hooks.example.com/scim",
        secrets: secret,
        ...options,
      } as never);
    expect(create({})).not.toThrow();
    expect(create({ url: "http://hooks.example.com/scim" })).toThrow(/must use https/);
    expect(create({ url: "http://hooks.example.com/scim", allowHttp: true })).not.toThrow();
    expect(create({ url: "ftp://hooks.example.com" })).toThrow(/http\(s\) URL/);
    expect(create({ url: "not a url" })).toThrow(/absolute http\(s\) URL/);
    expect(create({ secrets: "hunter2" })).toThrow(/whsec_/);
    expect(create({ headers: { "Webhook-Signature": "x" } })).toThrow(
      /may not set Webhook-Signature/,
    );
    expect(create({ headers: { authorization: "Bearer a\r\nx: y" } })).toThrow(/single-line/);
    expect(create({ headers: { authorization: "Bearer a\r\nx: y" } })).not.toThrow(/Bearer a/);
    expect(create({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(create({ name: "has space" })).toThrow(/`name` must be/);
    expect(() => createWebhookSender({ url: "https://h.example.com", secrets: [] })).toThrow(
      /1 to 10/,
    );
  });
});
