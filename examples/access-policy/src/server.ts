import { existsSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  createChangeConsumer,
  createScimService,
  createTokenVerifier,
  type DeletionOptions,
  type FeedChange,
  generateToken,
} from "@scimkit/core";
import { managementRouter, scimRouter } from "@scimkit/express";
import express from "express";
import { appApi } from "./api/app-api";
import { applyChange } from "./directory/apply-change";
import { loadPolicyFile, type PolicyStatus } from "./policy/policy-file";
import { DEFAULT_STORE, dataDirectory, openStorage } from "./storage";
import { setUpScimToken } from "./token";

const SCIM_PATH = "/scim/v2";
const ADMIN_PATH = "/admin/api";
/** The tenant the SCIM token provisions and the policy applies to. */
const TENANT = "default";
/** Checkpoints and the lease of the consumer that keeps the app's directory are kept under this name. */
const CONSUMER = "access-policy";
/** How long a crashed instance's lease blocks the next one (the consumer renews it every third). */
const LEASE_SECONDS = 5;
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
const host = process.env.HOST || "127.0.0.1";
const deletion = readDeletion(process.env.DELETE_MODE, process.env.DELETE_RETENTION_DAYS);
const storeKind = process.env.STORE || DEFAULT_STORE;
const policyPath =
  process.env.POLICY_FILE || fileURLToPath(new URL("../policy.json", import.meta.url));
const configuredAdminToken = process.env.ADMIN_TOKEN || undefined;
if (configuredAdminToken !== undefined && !/^[\x21-\x7e]{16,}$/.test(configuredAdminToken)) {
  throw new Error("ADMIN_TOKEN must be at least 16 visible characters without spaces.");
}
// The console needs an admin token: without ADMIN_TOKEN one is generated for this run.
const adminToken = configuredAdminToken ?? generateToken();
/** Tests only: while this file exists the consumer waits before each change (see README). */
const holdFile = process.env.TEST_HOLD_CONSUMER_FILE || undefined;

// Only the embedded store keeps data on this machine, so only it keeps the token's hash.
const scimToken = setUpScimToken(storeKind === "pglite" ? dataDirectory() : undefined);
const storage = await openStorage(storeKind);
const { store, directory } = storage;
const service = createScimService({ store, deletion });
if ((await store.tenants?.get(TENANT)) === undefined) {
  await store.tenants?.create({
    id: TENANT,
    name: "Default tenant",
    createdAt: new Date().toISOString(),
  });
}

const describePolicy = (status: PolicyStatus) =>
  status.error === undefined
    ? `${status.policy.rules.length} rules${status.policy.nestedGroups ? ", nested groups on" : ""}`
    : `INVALID, ${status.sha256 === undefined ? "nothing is granted" : "the last good policy stays in force"}: ${status.error.messages.join("; ")}`;
const policy = await loadPolicyFile(policyPath, (status) => {
  console.log(`policy ${status.file}: ${describePolicy(status)}`);
});

// The one thing that revokes sessions and keeps the app's directory: a durable
// consumer of the store's change feed. Its checkpoint moves only after a change
// was handled, so a crash between the SCIM write and the revocation is healed on
// the next start. One change at a time, in commit order: simple, and the app's
// copy then goes through exactly the states the SCIM data went through.
const handle = applyChange(directory);
const consumer = createChangeConsumer({
  store,
  name: CONSUMER,
  wakeOn: service,
  concurrency: 1,
  leaseSeconds: LEASE_SECONDS,
  handle: async (change: FeedChange) => {
    if (holdFile !== undefined && existsSync(holdFile)) {
      console.log(
        `consumer holding change ${change.type} #${change.position} (${holdFile} exists)`,
      );
      while (existsSync(holdFile)) await delay(50);
    }
    await handle(change);
  },
});
consumer.start();
// Say when this instance holds the lease (after a crash: once the dead one's lapsed).
void (async () => {
  while (!consumer.active) await delay(50);
  console.log("change consumer active: the directory follows the SCIM feed");
})();

const purgeTimer =
  deletion.mode === "soft"
    ? setInterval(() => {
        service.purgeExpired().catch((error: unknown) => console.error("purge failed", error));
      }, PURGE_INTERVAL_MILLISECONDS)
    : undefined;

const consoleDirectory = fileURLToPath(new URL("./console/", import.meta.url));
const app = express();
app.disable("x-powered-by");
app.use(
  SCIM_PATH,
  scimRouter({
    handler: service.handle,
    auth: {
      verify: createTokenVerifier({
        store,
        staticTokens: [{ sha256: scimToken.sha256, tenant: TENANT }],
      }),
    },
  }),
);
app.use(ADMIN_PATH, managementRouter({ store, auth: { token: adminToken } }));
app.use(
  "/api",
  appApi({
    directory,
    policy,
    tenant: TENANT,
    adminToken,
    store,
    consumer,
    consumerName: CONSUMER,
  }),
);
app.use(
  express.static(consoleDirectory, {
    index: "index.html",
    setHeaders(response) {
      response.setHeader(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      );
      response.setHeader("X-Content-Type-Options", "nosniff");
      response.setHeader("Referrer-Policy", "no-referrer");
    },
  }),
);

const server = app.listen(port, host, () => {
  const address = server.address();
  const actualPort = typeof address === "object" && address !== null ? address.port : port;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${actualPort}`;
  console.log(`scimkit access-policy example is running (store: ${storeKind})`);
  console.log(`  SCIM base URL: ${origin}${SCIM_PATH}`);
  console.log(`  Bearer token:  ${scimToken.message}`);
  console.log(`  Console:       ${origin}/`);
  console.log(
    `  Admin token:   ${configuredAdminToken === undefined ? `${adminToken}   (generated for this run; set ADMIN_TOKEN to choose one)` : "the value of ADMIN_TOKEN"}`,
  );
  console.log(`  Policy file:   ${policy.current().file} (${describePolicy(policy.current())})`);
  if (deletion.mode === "soft") {
    console.log(`  DELETE:        soft, purged after ${deletion.retentionDays} days`);
  }
  if (!storage.durable) {
    console.log(
      "  Note: STORE=memory keeps users, groups and sessions in this process only; a restart forgets them, revocations included (best effort). Use pglite or postgres to keep them.",
    );
  }
  if (!existsSync(consoleDirectory)) {
    console.log(`  The console is not built (${consoleDirectory} is missing): run npm run build.`);
  }
});

const shutdown = () => {
  clearInterval(purgeTimer);
  policy.close();
  server.close(() => {
    void consumer
      .stop()
      .then(() => service.flush())
      .then(() => storage.close())
      .finally(() => process.exit(0));
  });
  server.closeAllConnections();
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
