import {
  createScimService,
  createTokenVerifier,
  type DeletionOptions,
  type ScimEventName,
} from "@scimkit/core";
import { managementRouter, scimRouter } from "@scimkit/express";
import { createWebhookConsumer } from "@scimkit/webhooks";
import express from "express";
import { createStore, DEFAULT_STORE, dataDirectory } from "./store";
import { setUpToken } from "./token";

const MOUNT_PATH = "/scim/v2";
const ADMIN_PATH = "/admin/api";
/** The tenant `SCIM_TOKEN` (or the generated token) provisions. */
const DEFAULT_TENANT = "default";
/** How often a soft-deleting server purges resources whose retention has passed. */
const PURGE_INTERVAL_MILLISECONDS = 60 * 60 * 1000;

function readPort(text: string | undefined): number {
  const port = Number(text ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer between 0 and 65535, got "${text}".`);
  }
  return port;
}

/** `DELETE_MODE=hard` (default) or `soft`, with `DELETE_RETENTION_DAYS` (default 30, as Entra). */
function readDeletion(mode: string | undefined, days: string | undefined): DeletionOptions {
  if (mode === undefined || mode === "" || mode === "hard") return { mode: "hard" };
  if (mode !== "soft") throw new Error(`DELETE_MODE must be "hard" or "soft", got "${mode}".`);
  const retentionDays = Number(days ?? 30);
  if (days === "" || !Number.isFinite(retentionDays) || retentionDays < 0) {
    throw new Error(`DELETE_RETENTION_DAYS must be a number of days, got "${days}".`);
  }
  return { mode: "soft", retentionDays };
}

const port = readPort(process.env.PORT);
const deletion = readDeletion(process.env.DELETE_MODE, process.env.DELETE_RETENTION_DAYS);
const host = process.env.HOST ?? "127.0.0.1";
const storeKind = process.env.STORE || DEFAULT_STORE;
// Only the embedded store keeps data on this machine, so only it keeps the token's hash.
const token = setUpToken(storeKind === "pglite" ? dataDirectory() : undefined);

const adminToken = process.env.ADMIN_TOKEN;
if (adminToken !== undefined && adminToken !== "" && adminToken.length < 16) {
  throw new Error("ADMIN_TOKEN must be at least 16 characters.");
}

const webhookUrl = process.env.WEBHOOK_URL;
const webhookSecrets = (process.env.WEBHOOK_SECRET ?? "")
  .split(/[\s,]+/)
  .filter((secret) => secret !== "");
if (webhookUrl !== undefined && webhookUrl !== "" && webhookSecrets.length === 0) {
  throw new Error(
    "WEBHOOK_URL needs WEBHOOK_SECRET (a whsec_ secret; several, comma-separated, while rotating).",
  );
}

const store = await createStore(storeKind);
const service = createScimService({ store, deletion });
// The default tenant has a record, so it can be disabled and its log read like any other.
if ((await store.tenants?.get(DEFAULT_TENANT)) === undefined) {
  await store.tenants?.create({
    id: DEFAULT_TENANT,
    name: "Default tenant",
    createdAt: new Date().toISOString(),
  });
}
// SCIM_TOKEN (or the generated token) for the default tenant, and every token issued
// through the management API, checked against the store on each request.
// Every committed change, delivered at least once as a signed Standard Webhook, resuming
// after restarts from the checkpoint in the store.
const webhooks =
  webhookUrl === undefined || webhookUrl === ""
    ? undefined
    : createWebhookConsumer({
        store,
        wakeOn: service,
        url: webhookUrl,
        secrets: webhookSecrets,
        onReport: (report) => {
          if (report.kind !== "handler")
            console.error(`webhooks: ${report.kind}`, "error" in report ? report.error : "");
        },
      });
webhooks?.start();

const staticTokens = [{ sha256: token.sha256, tenant: DEFAULT_TENANT }];
const auth =
  store.tenants === undefined
    ? { tokenHashes: staticTokens }
    : { verify: createTokenVerifier({ store, staticTokens }) };

// Soft delete keeps deleted resources in the store's trash; core runs no timers,
// so the app purges those whose retention has passed.
const purgeTimer =
  deletion.mode === "soft"
    ? setInterval(() => {
        service.purgeExpired().then(
          (count) => count > 0 && console.log(`purged ${count} deleted resources`),
          (error: unknown) => console.error("purge failed", error),
        );
      }, PURGE_INTERVAL_MILLISECONDS)
    : undefined;

// Every change the IdP makes arrives here after it is committed: this is where
// your app revokes sessions of a deactivated user or recomputes group access.
const logged: ScimEventName[] = [
  "user.created",
  "user.updated",
  "user.deactivated",
  "user.reactivated",
  "user.deleted",
  "user.purged",
  "group.created",
  "group.renamed",
  "group.membersChanged",
  "group.deleted",
  "group.purged",
];
for (const name of logged) {
  service.on(name, (event) => {
    const detail =
      "added" in event ? ` +${event.added.length} -${event.removed.length} members` : "";
    console.log(`event ${name} ${event.resourceType}/${event.id}${detail}`);
  });
}

const app = express();
app.disable("x-powered-by");
app.use(MOUNT_PATH, scimRouter({ handler: service.handle, auth }));
if (adminToken !== undefined && adminToken !== "") {
  app.use(ADMIN_PATH, managementRouter({ store, auth: { token: adminToken } }));
}
app.get("/", (_request, response) => {
  response.type("text/plain").send(`scimkit quickstart: SCIM 2.0 is served at ${MOUNT_PATH}\n`);
});

const server = app.listen(port, host, () => {
  const address = server.address();
  const actualPort = typeof address === "object" && address !== null ? address.port : port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const baseUrl = `http://${shownHost}:${actualPort}${MOUNT_PATH}`;
  console.log(`scimkit quickstart is running (store: ${storeKind})`);
  console.log(`  SCIM base URL: ${baseUrl}`);
  console.log(`  Bearer token:  ${token.message}`);
  if (adminToken !== undefined && adminToken !== "") {
    console.log(`  Management API: http://${shownHost}:${actualPort}${ADMIN_PATH} (ADMIN_TOKEN)`);
  }
  if (deletion.mode === "soft") {
    console.log(`  DELETE:        soft, purged after ${deletion.retentionDays} days`);
  }
  if (webhooks !== undefined) {
    console.log(
      `  Webhooks:      ${webhookUrl}${storeKind === "memory" ? " (best effort: the memory store forgets undelivered changes on restart)" : ""}`,
    );
  }
  console.log("Paste both into Entra ID (Tenant URL, Secret Token) or Okta (Base URL, API Token).");
  console.log(`Try: curl -H "Authorization: Bearer <token>" ${baseUrl}/ServiceProviderConfig`);
});

const shutdown = () => {
  clearInterval(purgeTimer);
  server.close(() => {
    void Promise.all([service.flush(), webhooks?.stop()])
      .then(() => store.close?.())
      .finally(() => process.exit(0));
  });
  server.closeAllConnections();
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
