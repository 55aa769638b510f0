import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type ScimFetchHandlerOptions, scimFetchHandler } from "@scimkit/http";
import { runHttpConformance } from "@scimkit/http-tests";
import { createApp } from "../src/app";

const NODE_SERVER_CONTENT_TYPE =
  "@hono/node-server adds Content-Type: text/plain to every response that has none, 204 and 304 included";

runHttpConformance({
  name: "the Hono example (app.all + scimFetchHandler on @hono/node-server)",
  skip: {
    "sends 204 without a body or content type": NODE_SERVER_CONTENT_TYPE,
    "sends 304 without a body or content type": NODE_SERVER_CONTENT_TYPE,
  },
  start: ({ options, basePath }) =>
    new Promise((resolve) => {
      const scim = scimFetchHandler({ ...options, basePath } as ScimFetchHandlerOptions);
      const app = createApp(scim, basePath);
      const server = serve(
        { fetch: app.fetch, port: 0, hostname: "127.0.0.1" },
        (info: AddressInfo) => {
          resolve({
            port: info.port,
            origin: `http://127.0.0.1:${info.port}`,
            close: () =>
              new Promise<void>((closed) => {
                if ("closeAllConnections" in server) server.closeAllConnections();
                server.close(() => closed());
              }),
          });
        },
      );
    }),
});
