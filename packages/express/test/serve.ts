import type { AddressInfo } from "node:net";
import type { Express } from "express";
import express5 from "express";
import express4 from "express4";

export const expressVersions = [
  { name: "express 5", create: (): Express => express5(), json: express5.json },
  { name: "express 4", create: (): Express => express4(), json: express4.json },
] as const;

export type ExpressVersion = (typeof expressVersions)[number];

/** Boots an app on an ephemeral port on 127.0.0.1; `setup` mounts the router. */
export async function serve(version: ExpressVersion, setup: (app: Express) => void) {
  const app = version.create();
  setup(app);
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
