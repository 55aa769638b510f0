import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import {
  type ManagementFetchHandlerOptions,
  managementFetchHandler,
  type ScimFetchHandlerOptions,
  scimFetchHandler,
} from "@scimkit/http";
import { runHttpConformance, runManagementConformance } from "../src/index";

// The fetch handler as Hono, Bun or Deno run it, here on Node through @hono/node-server.
const NODE_SERVER_CONTENT_TYPE =
  "@hono/node-server adds Content-Type: text/plain to every response that has none, 204 and 304 included";

runHttpConformance({
  name: "scimFetchHandler on @hono/node-server",
  skip: {
    "sends 204 without a body or content type": NODE_SERVER_CONTENT_TYPE,
    "sends 304 without a body or content type": NODE_SERVER_CONTENT_TYPE,
  },
  start: ({ options, basePath }) =>
    new Promise((resolve) => {
      const handler = scimFetchHandler({ ...options, basePath } as ScimFetchHandlerOptions);
      const server = serve(
        { fetch: handler, port: 0, hostname: "127.0.0.1" },
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

runManagementConformance({
  name: "managementFetchHandler on @hono/node-server",
  start: ({ options, basePath }) =>
    new Promise((resolve) => {
      const handler = managementFetchHandler({
        ...options,
        basePath,
      } as ManagementFetchHandlerOptions);
      const server = serve(
        { fetch: handler, port: 0, hostname: "127.0.0.1" },
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
