/**
 * Deliveries per second from the durable feed (memory store) to a local receiver
 * on 127.0.0.1 in its own process (which verifies every signature), for
 * Standard Webhooks and RFC 8935 SET push, and SETs per second through the RFC
 * 8936 poll endpoint. Every scenario is bounded (changes and seconds).
 *
 *   npm run bench --workspace=@scimkit/webhooks
 */
import { type ChildProcess, fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { type ChangeConsumer, createScimService, type ScimStore } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import {
  createSetPollEndpoint,
  createSetPushConsumer,
  createWebhookConsumer,
  generateWebhookSecret,
  verifySecurityEventToken,
  verifyWebhook,
} from "../src";

const SET_SECRET = "bench-secret-of-at-least-thirty-two-bytes";
const ISSUER = "https://sp.example.com/scim/v2";
const MAX_SECONDS = 30;

/** The receiver process: verifies and answers 204 (webhooks) or 202 (SETs). */
function receiver() {
  const secret = process.env.WEBHOOK_SECRET!;
  let received = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const ok =
        request.headers["content-type"] === "application/secevent+jwt"
          ? verifySecurityEventToken(body, {
              keys: { alg: "HS256", secret: SET_SECRET },
              issuer: ISSUER,
            }).ok
          : verifyWebhook({ headers: request.headers, body, secrets: secret }).ok;
      received += 1;
      response.writeHead(ok ? (request.url === "/set" ? 202 : 204) : 401).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => {
    process.send!({ port: (server.address() as AddressInfo).port });
  });
  process.on("message", () => process.send!({ received }));
}

function startReceiver(secret: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), ["receiver"], {
    env: { ...process.env, WEBHOOK_SECRET: secret },
  });
  return new Promise((resolve) =>
    child.once("message", (message: { port: number }) => resolve({ child, port: message.port })),
  );
}

/** Writes `users` creates (one resource each), or `users` renames of one user. */
async function fill(store: ScimStore, shape: "many" | "one", count: number) {
  const service = createScimService({ store, log: false });
  const call = (method: string, path: string, body: unknown) =>
    service.handle({
      method,
      path,
      query: {},
      headers: {},
      body,
      tenant: "acme",
      baseUrl: "http://x",
    });
  if (shape === "many") {
    for (let index = 0; index < count; index += 1) {
      await call("POST", "/Users", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: `user${index}@example.com`,
        displayName: `User ${index}`,
        emails: [{ value: `user${index}@example.com`, primary: true }],
      });
    }
    return;
  }
  const created = await call("POST", "/Users", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: "one@example.com",
  });
  const id = (created.body as { id: string }).id;
  for (let index = 1; index < count; index += 1) {
    await call("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "displayName", value: `One ${index}` }],
    });
  }
}

async function measure(label: string, changes: number, consumer: ChangeConsumer) {
  const began = performance.now();
  consumer.start();
  await Promise.race([
    consumer.caughtUp(),
    new Promise((resolve) => setTimeout(resolve, MAX_SECONDS * 1000)),
  ]);
  const seconds = (performance.now() - began) / 1000;
  await consumer.stop();
  return { label, changes, seconds, perSecond: changes / seconds };
}

async function main() {
  const secret = generateWebhookSecret();
  const { child, port } = await startReceiver(secret);
  const results: Awaited<ReturnType<typeof measure>>[] = [];
  const scenarios = [
    // Warm-up (JIT, connections); not reported.
    { label: "", shape: "many", count: 1000, concurrency: 8, kind: "webhook" },
    {
      label: "webhooks, 5000 resources, concurrency 8",
      shape: "many",
      count: 5000,
      concurrency: 8,
      kind: "webhook",
    },
    {
      label: "webhooks, 5000 resources, concurrency 32",
      shape: "many",
      count: 5000,
      concurrency: 32,
      kind: "webhook",
    },
    {
      label: "webhooks, 1000 changes of one resource",
      shape: "one",
      count: 1000,
      concurrency: 8,
      kind: "webhook",
    },
    {
      label: "SET push (HS256), 5000 resources, concurrency 8",
      shape: "many",
      count: 5000,
      concurrency: 8,
      kind: "set",
    },
  ] as const;
  for (const scenario of scenarios) {
    const store = memoryStore();
    await fill(store, scenario.shape, scenario.count);
    const common = { store, concurrency: scenario.concurrency, batchSize: 200, onReport: () => {} };
    const consumer =
      scenario.kind === "webhook"
        ? createWebhookConsumer({
            ...common,
            url: `http://127.0.0.1:${port}/hook`,
            secrets: secret,
          })
        : createSetPushConsumer({
            ...common,
            url: `http://127.0.0.1:${port}/set`,
            issuer: ISSUER,
            signing: { alg: "HS256", secret: SET_SECRET },
          });
    const result = await measure(scenario.label, scenario.count, consumer);
    if (scenario.label !== "") results.push(result);
    const letters = await store.feed!.deadLetters(
      scenario.kind === "webhook" ? "webhooks" : "security-events",
      { limit: 1 },
    );
    if (letters.length > 0)
      throw new Error(`dead letters in "${scenario.label}": ${letters[0]!.error}`);
  }

  // Poll: the recipient polls 100 at a time and acknowledges them with the next poll.
  const store = memoryStore();
  await fill(store, "many", 5000);
  const endpoint = createSetPollEndpoint({
    store,
    issuer: ISSUER,
    signing: { alg: "HS256", secret: SET_SECRET },
    authorize: () => ({ tenant: "acme" }),
  });
  let ack: string[] = [];
  let polled = 0;
  const began = performance.now();
  while (polled < 5000 && performance.now() - began < MAX_SECONDS * 1000) {
    const response = await endpoint.handle(
      new Request("http://127.0.0.1/Events", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ack, maxEvents: 100, returnImmediately: true }),
      }),
    );
    const { sets } = (await response.json()) as { sets: Record<string, string> };
    ack = Object.keys(sets);
    polled += ack.length;
  }
  const seconds = (performance.now() - began) / 1000;
  results.push({
    label: "SET poll (in process), 100 per poll",
    changes: polled,
    seconds,
    perSecond: polled / seconds,
  });
  endpoint.close();

  child.send("count");
  const { received } = await new Promise<{ received: number }>((resolve) =>
    child.once("message", resolve),
  );
  child.kill();
  console.log(`node ${process.version}, ${received} HTTP requests verified by the receiver\n`);
  console.log("| scenario | changes | seconds | deliveries/s |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const result of results) {
    console.log(
      `| ${result.label} | ${result.changes} | ${result.seconds.toFixed(2)} | ${Math.round(result.perSecond)} |`,
    );
  }
}

if (process.argv[2] === "receiver") receiver();
else await main();
