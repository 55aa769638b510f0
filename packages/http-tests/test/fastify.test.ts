import {
  type ManagementPluginOptions,
  managementPlugin,
  type ScimPluginOptions,
  scimPlugin,
} from "@scimkit/fastify";
import Fastify from "fastify";
import { runHttpConformance, runManagementConformance } from "../src/index";

runHttpConformance({
  name: "scimPlugin on Fastify 5",
  start: async ({ options, basePath }) => {
    // Closing must not wait for a client still uploading a body the suite refused with 413.
    const app = Fastify({ forceCloseConnections: true });
    await app.register(scimPlugin(options as ScimPluginOptions), { prefix: basePath });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    return { port, origin: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
});

runManagementConformance({
  name: "managementPlugin on Fastify 5",
  start: async ({ options, basePath }) => {
    const app = Fastify({ forceCloseConnections: true });
    await app.register(managementPlugin(options as ManagementPluginOptions), { prefix: basePath });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    return { port, origin: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
});
