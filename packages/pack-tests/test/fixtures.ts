/** Files of the throw-away app that installs the tarballs. */

export const TOKEN = "pack-test-token";

/** CommonJS: what many existing Express services still are. */
export const SERVER_CJS = `"use strict";
const express = require("express");
const { createScimService } = require("@scimkit/core");
const { memoryStore } = require("@scimkit/store-memory");
const { scimRouter } = require("@scimkit/express");

const service = createScimService({ store: memoryStore() });
const app = express();
app.use("/scim/v2", scimRouter({ handler: service.handle, auth: { tokens: [{ token: "${TOKEN}" }] } }));
const server = app.listen(0, "127.0.0.1", () => console.log("LISTENING " + server.address().port));
`;

/** ESM in TypeScript, type-checked against the packed .d.ts files, then run. */
export const SERVER_MTS = `import type { AddressInfo } from "node:net";
import { createScimService, type ScimEventMap, type ScimStore } from "@scimkit/core";
import { scimRouter } from "@scimkit/express";
import { memoryStore } from "@scimkit/store-memory";
import express from "express";

const store: ScimStore = memoryStore();
const router = scimRouter({ store, auth: { tokens: [{ token: "${TOKEN}" }] } });
router.service.on("user.created", (event: ScimEventMap["user.created"]) => {
  console.log("EVENT " + event.resourceType + " " + event.id);
});
// The handler form type-checks too.
scimRouter({ handler: createScimService({ store }).handle, auth: { none: true } });

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
