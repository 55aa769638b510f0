import { serve } from "@hono/node-server";
import { generateToken, scimFetchHandler } from "@scimkit/http";
import { createApp } from "./app";
import { createStore } from "./store";

const BASE_PATH = "/scim/v2";
const port = Number(process.env.PORT ?? 8787);
const hostname = process.env.HOST ?? "127.0.0.1";
const configured = process.env.SCIM_TOKEN;
const token = configured === undefined || configured === "" ? generateToken() : configured;

const store = await createStore();
const scim = scimFetchHandler({ store, basePath: BASE_PATH, auth: { tokens: [{ token }] } });
// Where your app reacts to provisioning: revoke sessions, recompute access.
scim.service.on("user.created", ({ id }) => console.log(`event user.created User/${id}`));
scim.service.on("user.deactivated", ({ id }) => console.log(`event user.deactivated User/${id}`));
scim.service.on("group.membersChanged", ({ id, added, removed }) =>
  console.log(`event group.membersChanged Group/${id} +${added.length} -${removed.length}`),
);

const server = serve({ fetch: createApp(scim, BASE_PATH).fetch, port, hostname }, (info) => {
  console.log(`scimkit on Hono is running (store: ${process.env.STORE || "memory"})`);
  console.log(`  SCIM base URL: http://${hostname}:${info.port}${BASE_PATH}`);
  console.log(
    `  Bearer token:  ${configured ? "the value of SCIM_TOKEN" : `${token}   (generated now; set SCIM_TOKEN to choose one)`}`,
  );
});

const shutdown = () => {
  server.close(() => {
    void store.close?.();
    process.exit(0);
  });
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
