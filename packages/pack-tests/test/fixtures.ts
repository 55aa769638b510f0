/** Files of the throw-away app that installs the tarballs. */

export const TOKEN = "pack-test-token";

/**
 * CommonJS: what many existing Express services still are. Its changes go out
 * as Standard Webhooks to a receiver in the same process, which prints each one
 * it verified (`WEBHOOK <type> <id>`).
 */
export const SERVER_CJS = `"use strict";
const http = require("node:http");
const express = require("express");
const { createScimService } = require("@scimkit/core");
const { memoryStore } = require("@scimkit/store-memory");
const { scimRouter } = require("@scimkit/express");
const { createWebhookConsumer, generateWebhookSecret, verifyWebhook } = require("@scimkit/webhooks");

const store = memoryStore();
const service = createScimService({ store });
const secret = generateWebhookSecret();
const receiver = http.createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const verified = verifyWebhook({ headers: request.headers, body, secrets: secret });
    if (verified.ok) {
      const event = JSON.parse(body);
      console.log("WEBHOOK " + event.type + " " + event.data.id);
    }
    response.writeHead(verified.ok ? 204 : 401).end();
  });
});
receiver.listen(0, "127.0.0.1", () => {
  const url = "http://127.0.0.1:" + receiver.address().port + "/hook";
  createWebhookConsumer({ store, wakeOn: service, url, secrets: secret }).start();
  const app = express();
  app.use("/scim/v2", scimRouter({ handler: service.handle, auth: { tokens: [{ token: "${TOKEN}" }] } }));
  const server = app.listen(0, "127.0.0.1", () => console.log("LISTENING " + server.address().port));
});
`;

/** ESM in TypeScript, type-checked against the packed .d.ts files, then run. */
export const SERVER_MTS = `import type { AddressInfo } from "node:net";
import { createScimService, type FeedChange, type ScimEventMap, type ScimStore } from "@scimkit/core";
import { scimRouter } from "@scimkit/express";
import { memoryStore } from "@scimkit/store-memory";
import {
  createSetPollEndpoint,
  createWebhookSender,
  securityEventsConfig,
  type SetPollEndpoint,
  type WebhookPayload,
} from "@scimkit/webhooks";
import express from "express";

const store: ScimStore = memoryStore();
const router = scimRouter({ store, auth: { tokens: [{ token: "${TOKEN}" }] } });
router.service.on("user.created", (event: ScimEventMap["user.created"]) => {
  console.log("EVENT " + event.resourceType + " " + event.id);
});
// The handler form type-checks too.
scimRouter({ handler: createScimService({ store }).handle, auth: { none: true } });

// RFC 9967: advertised in /ServiceProviderConfig, offered by polling.
const advertised = createScimService({ store, serviceProviderConfig: securityEventsConfig() });
const poll: SetPollEndpoint = createSetPollEndpoint({
  store,
  issuer: "https://sp.example.com/scim/v2",
  signing: { alg: "HS256", secret: "a-shared-secret-of-at-least-32-bytes!" },
  authorize: () => ({ tenant: "default" }),
});
const config = await advertised.handle({
  method: "GET", path: "/ServiceProviderConfig", query: {}, headers: {}, tenant: "default", baseUrl: "http://x",
});
const securityEvents = (config.body as { securityEvents: { eventUris: string[] } }).securityEvents;
console.log("SECURITY EVENTS " + securityEvents.eventUris.length);
const polled = await poll.handle(
  new Request("http://x/Events", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ returnImmediately: true }),
  }),
);
console.log("POLL " + polled.status);
poll.close();
const send: (change: FeedChange) => Promise<void> = createWebhookSender({
  url: "https://hooks.example.com/scim",
  secrets: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
});
const payloadType: WebhookPayload["type"] = "user.created";
void send;
void payloadType;

const app = express();
app.use("/scim/v2", router);
const server = app.listen(0, "127.0.0.1", () => {
  console.log("LISTENING " + (server.address() as AddressInfo).port);
});
`;

/** CommonJS Fastify app on @scimkit/fastify. */
export const FASTIFY_CJS = `"use strict";
const Fastify = require("fastify");
const { scimPlugin } = require("@scimkit/fastify");
const { memoryStore } = require("@scimkit/store-memory");

const app = Fastify();
app.register(scimPlugin({ store: memoryStore(), auth: { tokens: [{ token: "${TOKEN}" }] } }), { prefix: "/scim/v2" });
app.listen({ port: 0, host: "127.0.0.1" }).then(() => console.log("LISTENING " + app.server.address().port));
`;

/** CommonJS fetch handler on @hono/node-server: what Hono on Node runs. */
export const FETCH_CJS = `"use strict";
const { serve } = require("@hono/node-server");
const { scimFetchHandler } = require("@scimkit/http");
const { memoryStore } = require("@scimkit/store-memory");

const scim = scimFetchHandler({ store: memoryStore(), basePath: "/scim/v2", auth: { tokens: [{ token: "${TOKEN}" }] } });
serve({ fetch: scim, port: 0, hostname: "127.0.0.1" }, (info) => console.log("LISTENING " + info.port));
`;

/** ESM Fastify app in TypeScript, type-checked against the packed .d.ts files, then run. */
export const FASTIFY_MTS = `import { scimPlugin } from "@scimkit/fastify";
import { memoryStore } from "@scimkit/store-memory";
import Fastify, { type FastifyRequest } from "fastify";

const plugin = scimPlugin({
  store: memoryStore(),
  auth: {
    verify: async (token: string, request: FastifyRequest) =>
      token === "${TOKEN}" && request.method.length > 0 ? { tenant: "default", tokenId: "pack" } : null,
  },
});
plugin.service.on("user.created", (event) => console.log("EVENT " + event.resourceType + " " + event.id));
const app = Fastify();
await app.register(plugin, { prefix: "/scim/v2" });
await app.listen({ port: 0, host: "127.0.0.1" });
const address = app.server.address();
console.log("LISTENING " + (typeof address === "object" && address !== null ? address.port : 0));
`;

/** ESM fetch handler in TypeScript, with the adapter subpath's types, then run. */
export const FETCH_MTS = `import { serve } from "@hono/node-server";
import { createScimService } from "@scimkit/core";
import { hashToken, type ScimFetchHandler, scimFetchHandler } from "@scimkit/http";
import type { AdapterReply, AdapterRequest } from "@scimkit/http/adapter";
import { createScimHttp } from "@scimkit/http/adapter";
import { memoryStore } from "@scimkit/store-memory";

const service = createScimService({ store: memoryStore() });
service.on("user.created", (event) => console.log("EVENT " + event.resourceType + " " + event.id));
const scim: ScimFetchHandler = scimFetchHandler({
  handler: service.handle,
  basePath: "/scim/v2",
  auth: { tokenHashes: [{ sha256: await hashToken("${TOKEN}"), tenant: "default" }] },
});
// The adapter entry type-checks for adapter authors.
const layer = createScimHttp<{ id: number }>(
  { handler: service.handle, auth: { none: true } },
  { factory: "packCheck", packageName: "pack-check" },
);
const request: AdapterRequest<{ id: number }> = {
  raw: { id: 1 },
  method: "GET",
  target: "/ServiceProviderConfig",
  mountPath: "",
  headers: { host: "localhost" },
  protocol: "http",
  host: "localhost",
  body: { kind: "none" },
};
const reply: AdapterReply | undefined = await layer.serve(request);
if (reply?.status !== 200) throw new Error("adapter entry answered " + reply?.status);
serve({ fetch: scim, port: 0, hostname: "127.0.0.1" }, (info) => console.log("LISTENING " + info.port));
`;

export const TSCONFIG = JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      skipLibCheck: false,
      types: ["node"],
      outDir: "dist",
    },
    files: ["server.mts", "fastify.mts", "fetch.mts"],
  },
  null,
  2,
);
