import type { AddressInfo } from "node:net";
import {
  type ManagementRouterOptions,
  managementRouter,
  type ScimRouterOptions,
  scimRouter,
} from "@scimkit/express";
import express5, { type Express } from "express";
import express4 from "express4";
import { runHttpConformance, runManagementConformance } from "../src/index";

for (const [name, create] of [
  ["express 5", () => express5()],
  ["express 4", () => express4()],
] as const) {
  runHttpConformance({
    name: `scimRouter on ${name}`,
    start: async ({ options, basePath }) => {
      const app: Express = create();
      app.use(basePath || "/", scimRouter(options as ScimRouterOptions));
      const server = app.listen(0, "127.0.0.1");
      await new Promise<void>((resolve, reject) => {
        server.once("listening", resolve);
        server.once("error", reject);
      });
      const { port } = server.address() as AddressInfo;
      return {
        port,
        origin: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      };
    },
  });
}

runManagementConformance({
  name: "managementRouter on express 5",
  start: async ({ options, basePath }) => {
    const app = express5();
    app.use(basePath, managementRouter(options as ManagementRouterOptions));
    const server = app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      port,
      origin: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  },
});
