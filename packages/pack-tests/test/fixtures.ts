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
    files: ["server.mts"],
  },
  null,
  2,
);
