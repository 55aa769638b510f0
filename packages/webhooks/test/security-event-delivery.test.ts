import { toFeedChange } from "@scimkit/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  changeId,
  createSetPollEndpoint,
  createSetPushConsumer,
  type DeliveryReport,
  SCIM_EVENT_URIS,
  type SetPollEndpointOptions,
  type SetSigningKey,
  verifySecurityEventToken,
} from "../src";
import { directory } from "./helpers/directory";
import { type Answer, type Received, startReceiver } from "./helpers/receiver";
import { serveFetch } from "./helpers/serve-fetch";

const SECRET = "a-shared-secret-of-at-least-32-bytes!";
const ISSUER = "https://sp.example.com/scim/v2";
const signing: SetSigningKey = { alg: "HS256", secret: SECRET };
const verify = (token: string) =>
  verifySecurityEventToken(token, {
    keys: { alg: "HS256", secret: SECRET },
    issuer: ISSUER,
    audience: "rp",
  });
const fast = { maxAttempts: 6, initialDelayMs: 5, maxDelayMs: 40 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const setError = (err: string, description = "") => ({
  status: 400,
  headers: { "content-type": "application/json", "content-language": "en-US" },
  body: JSON.stringify({ err, description }),
});

async function recipient(answer: (request: Received) => Answer = () => ({ status: 202 })) {
  const receiver = await startReceiver(answer);
  cleanups.push(() => receiver.close());
  return receiver;
}

describe("RFC 8935 push", () => {
  it("POSTs each change as a signed SET with the RFC's headers, and counts 202 as delivered", async () => {
    const receiver = await recipient();
    const scim = directory();
    const consumer = createSetPushConsumer({
      store: scim.store,
      wakeOn: scim.service,
      url: receiver.url,
      headers: { authorization: "Bearer push-token" },
      issuer: ISSUER,
      audience: "rp",
      signing,
      retry: fast,
      pollIntervalMs: 20,
    });
    consumer.start();
    cleanups.push(() => consumer.stop());
    const ann = await scim.user("ann@example.com");
    await scim.patch(`/Users/${ann.id}`, [{ op: "replace", path: "active", value: false }]);
    await consumer.caughtUp();
    expect(receiver.requests.map((request) => request.headers["content-type"])).toEqual([
      "application/secevent+jwt",
      "application/secevent+jwt",
      "application/secevent+jwt",
    ]);
    expect(receiver.requests[0]!.headers.accept).toBe("application/json");
    expect(receiver.requests[0]!.headers.authorization).toBe("Bearer push-token");
    const events = receiver.requests.map((request) => {
      const result = verify(request.body);
      if (!result.ok) throw new Error(result.message);
      return Object.keys(result.claims.events)[0];
    });
    expect(events).toEqual([
      SCIM_EVENT_URIS.createFull,
      SCIM_EVENT_URIS.putFull,
      SCIM_EVENT_URIS.deactivate,
    ]);
    expect(await scim.store.feed!.checkpoints("security-events")).toEqual(new Map([["acme", 3]]));
  });

  it("dead-letters a SET the recipient finds invalid at once, retries authentication failures, and goes on", async () => {
    const scim = directory();
    const ann = await scim.user("ann@example.com");
    const bob = await scim.user("bob@example.com");
    let authFailures = 2;
    const receiver = await recipient((request) => {
      const sub = verify(request.body);
      if (!sub.ok) return setError("invalid_request");
      const id = (sub.claims.sub_id as { id: string }).id;
      if (id === ann.id) return setError("invalid_key", "Key ID 12345 has been revoked.");
      if (id === bob.id && authFailures > 0) {
        authFailures -= 1;
        return setError("authentication_failed", "Access token has expired.");
      }
      return { status: 202 };
    });
    const reports: DeliveryReport[] = [];
    const consumer = createSetPushConsumer({
      store: scim.store,
      url: receiver.url,
      issuer: ISSUER,
      audience: "rp",
      signing,
      retry: fast,
      pollIntervalMs: 20,
      onReport: (report) => reports.push(report),
    });
    consumer.start();
    cleanups.push(() => consumer.stop());
    await consumer.caughtUp();
    const attemptsFor = (id: string) =>
      receiver.requests.filter((request) => {
        const result = verify(request.body);
        return result.ok && (result.claims.sub_id as { id: string }).id === id;
      }).length;
    expect(attemptsFor(ann.id)).toBe(1); // RFC 8935 §4: the same SET would be refused again
    expect(attemptsFor(bob.id)).toBe(3); // twice refused, then accepted
    const letters = await scim.store.feed!.deadLetters("security-events", { limit: 10 });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ id: ann.id, position: 1, attempts: 1 });
    expect(letters[0]!.error).toMatch(
      /^PermanentDeliveryError: SET 1_[0-9a-f]{24} rejected by http:\/\/127\.0\.0\.1:\d+\/hook \(invalid_key: Key ID 12345 has been revoked\.\)$/,
    );
    expect(reports.filter((report) => report.kind === "deadLetter")).toHaveLength(1);
  });
});

/** A poll endpoint served over HTTP on 127.0.0.1, and a client for it. */
async function pollEndpoint(
  options: Partial<SetPollEndpointOptions> & Pick<SetPollEndpointOptions, "store">,
) {
  const endpoint = createSetPollEndpoint({
    issuer: ISSUER,
    audience: "rp",
    signing,
    authorize: (request) =>
      request.headers.get("authorization") === "Bearer rp-token" ? { tenant: "acme" } : undefined,
    longPollMs: 2000,
    pollIntervalMs: 50,
    ...options,
  });
  const server = await serveFetch((request) => endpoint.handle(request));
  cleanups.push(async () => {
    endpoint.close();
    await server.close();
  });
  const poll = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { authorization: "Bearer rp-token", "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === "" ? undefined : JSON.parse(text),
    };
  };
  return { endpoint, url: server.url, poll };
}

const claimsOf = (sets: Record<string, string>) =>
  Object.entries(sets).map(([jti, token]) => {
    const result = verify(token);
    if (!result.ok) throw new Error(result.message);
    expect(result.claims.jti).toBe(jti);
    return result.claims;
  });

describe("RFC 8936 poll", () => {
  it("returns the oldest SETs, moves the stored checkpoint on acknowledgement, and resumes there after a restart", async () => {
    const scim = directory();
    for (const name of ["ann", "bob", "cy"]) await scim.user(`${name}@example.com`);
    const { poll } = await pollEndpoint({ store: scim.store, maxEvents: 2 });
    const first = await poll({ returnImmediately: true });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/json");
    expect(first.body.moreAvailable).toBe(true);
    const firstClaims = claimsOf(first.body.sets);
    expect(firstClaims.map((claims) => Number(claims.jti.split("_")[0]))).toEqual([1, 2]);
    // Acknowledge and poll in one request.
    const second = await poll({ ack: Object.keys(first.body.sets), returnImmediately: true });
    expect(
      claimsOf(second.body.sets).map((claims) => (claims.sub_id as { id: string }).id),
    ).toHaveLength(1);
    expect(second.body.moreAvailable).toBe(false);
    expect(await scim.store.feed!.checkpoints("security-events-poll")).toEqual(
      new Map([["acme", 2]]),
    );
    // A new endpoint on the same store (a restart) resumes after what was acknowledged.
    await scim.user("dee@example.com");
    const restarted = await pollEndpoint({ store: scim.store });
    const third = await restarted.poll({ returnImmediately: true });
    expect(Object.keys(third.body.sets).map((jti) => Number(jti.split("_")[0]))).toEqual([3, 4]);
  });

  it("offers an unacknowledged SET again after redeliverAfterMs, with the same jti", async () => {
    const scim = directory();
    await scim.user("ann@example.com");
    let clock = Date.now();
    const { poll } = await pollEndpoint({
      store: scim.store,
      redeliverAfterMs: 30_000,
      now: () => clock,
    });
    const first = await poll({ returnImmediately: true });
    const jti = Object.keys(first.body.sets)[0]!;
    clock += 29_000;
    expect((await poll({ returnImmediately: true })).body.sets).toEqual({});
    clock += 1_001;
    expect(Object.keys((await poll({ returnImmediately: true })).body.sets)).toEqual([jti]);
    // Acknowledge-only (maxEvents 0) moves the checkpoint and returns nothing.
    const ackOnly = await poll({ ack: [jti], maxEvents: 0, returnImmediately: true });
    expect(ackOnly.body).toEqual({ sets: {}, moreAvailable: false });
    expect(await scim.store.feed!.checkpoints("security-events-poll")).toEqual(
      new Map([["acme", 1]]),
    );
  });

  it("dead-letters SETs reported in setErrs and counts them as done", async () => {
    const scim = directory();
    const ann = await scim.user("ann@example.com");
    await scim.user("bob@example.com");
    const { poll } = await pollEndpoint({ store: scim.store });
    const first = await poll({ returnImmediately: true });
    const [annJti, bobJti] = Object.keys(first.body.sets) as [string, string];
    await poll(
      {
        ack: [bobJti],
        setErrs: { [annJti]: { err: "invalid_issuer", description: "Not authorized for issuer" } },
        returnImmediately: true,
      },
      { "content-language": "en-US" },
    );
    expect(await scim.store.feed!.checkpoints("security-events-poll")).toEqual(
      new Map([["acme", 2]]),
    );
    const letters = await scim.store.feed!.deadLetters("security-events-poll", { limit: 10 });
    expect(letters).toEqual([
      expect.objectContaining({
        tenant: "acme",
        position: 1,
        id: ann.id,
        type: "user.created",
        error: "SET rejected by the recipient: invalid_issuer: Not authorized for issuer",
      }),
    ]);
  });

  it("long-polls until a change is committed (woken by the service), or until longPollMs", async () => {
    const scim = directory();
    // Neither the long poll's end nor a look at the feed comes before the wake-up.
    const { poll } = await pollEndpoint({
      store: scim.store,
      wakeOn: scim.service,
      longPollMs: 20_000,
      pollIntervalMs: 20_000,
    });
    const began = Date.now();
    const waiting = poll({});
    await new Promise((resolve) => setTimeout(resolve, 150));
    const ann = await scim.user("ann@example.com");
    const answered = await waiting;
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(
      claimsOf(answered.body.sets).map((claims) => (claims.sub_id as { id: string }).id),
    ).toEqual([ann.id]);
    // Nothing new: the long poll ends after longPollMs with no SETs.
    const quiet = await pollEndpoint({ store: scim.store, longPollMs: 300 });
    const started = Date.now();
    const empty = await quiet.poll({ ack: Object.keys(answered.body.sets) });
    expect(empty.body).toEqual({ sets: {}, moreAvailable: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it("sees changes written elsewhere by polling the feed during a long poll", async () => {
    const scim = directory();
    const { poll } = await pollEndpoint({ store: scim.store, pollIntervalMs: 50 });
    const waiting = poll({ maxEvents: 5 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await scim.user("ann@example.com");
    expect(Object.keys((await waiting).body.sets)).toHaveLength(1);
  });

  it("skips changes RFC 9967 has no event for and moves past them", async () => {
    const scim = directory();
    const group = await scim.group("Eng");
    await scim.patch(`/Groups/${group.id}`, [
      { op: "replace", path: "displayName", value: "Engineering" },
    ]);
    const { poll } = await pollEndpoint({ store: scim.store });
    const first = await poll({ returnImmediately: true });
    // group.created and group.updated; group.renamed is not offered.
    expect(Object.keys(first.body.sets)).toHaveLength(2);
    await poll({ ack: Object.keys(first.body.sets), returnImmediately: true });
    expect(await scim.store.feed!.checkpoints("security-events-poll")).toEqual(
      new Map([["acme", 3]]),
    );
  });

  it("answers 401 with WWW-Authenticate, 405 to other methods, and 400 to invalid requests", async () => {
    const scim = directory();
    await scim.user("ann@example.com");
    const { poll, url } = await pollEndpoint({ store: scim.store, maxRequestBytes: 2000 });
    const unauthorized = await poll({}, { authorization: "Bearer wrong" });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("www-authenticate")).toBe("Bearer");
    expect((await fetch(url, { headers: { authorization: "Bearer rp-token" } })).status).toBe(405);
    for (const body of [
      "{not json",
      "[]",
      { maxEvents: -1 },
      { maxEvents: 1.5 },
      { returnImmediately: "yes" },
      { ack: "1_abc" },
      { ack: [1] },
      { setErrs: { x: "invalid" } },
      { ack: Array.from({ length: 10_001 }, () => "x") },
      { padding: "p".repeat(3000) },
    ]) {
      const answer = await poll(body);
      expect(answer.status, JSON.stringify(body).slice(0, 60)).toBe(400);
    }
    expect((await poll({}, { "content-type": "text/plain" })).status).toBe(400);
    // Unknown or stale jtis are ignored, not errors; nothing was acknowledged.
    const ignored = await poll({
      ack: ["99_000000000000000000000000", "junk"],
      returnImmediately: true,
    });
    expect(ignored.status).toBe(200);
    expect(await scim.store.feed!.checkpoints("security-events-poll")).toEqual(new Map());
  });

  it("keeps tenants apart: a recipient reads and acknowledges only its tenant's feed", async () => {
    const scim = directory();
    await scim.user("ann@example.com", {}, "acme");
    await scim.user("zed@example.com", {}, "globex");
    const { poll } = await pollEndpoint({
      store: scim.store,
      authorize: (request) => {
        const token = request.headers.get("authorization");
        return token === "Bearer rp-token"
          ? { tenant: "acme" }
          : token === "Bearer globex"
            ? { tenant: "globex" }
            : undefined;
      },
    });
    const acme = await poll({ returnImmediately: true });
    const globex = await poll({ returnImmediately: true }, { authorization: "Bearer globex" });
    const userNameOf = (sets: Record<string, string>) =>
      claimsOf(sets).map(
        (claims) =>
          (claims.events[SCIM_EVENT_URIS.createFull] as { data: { userName: string } }).data
            .userName,
      );
    expect(userNameOf(acme.body.sets)).toEqual(["ann@example.com"]);
    expect(userNameOf(globex.body.sets)).toEqual(["zed@example.com"]);
    // acme acknowledging globex's jti (same position 1) acknowledges acme's position 1 only.
    const [globexJti] = Object.keys(globex.body.sets) as [string];
    const [acmeJti] = Object.keys(acme.body.sets) as [string];
    expect(globexJti).not.toBe(acmeJti);
    await poll({ ack: [globexJti], returnImmediately: true });
    expect(await scim.store.feed!.checkpoints("security-events-poll")).toEqual(new Map());
    const [record] = await scim.store.feed!.read("acme", { after: 0, limit: 1 });
    expect(acmeJti).toBe(changeId(toFeedChange(record!)));
  });
});
