import type { ScimFetchHandler } from "@scimkit/http";
import { Hono } from "hono";

/**
 * The Hono app: SCIM at `basePath` through scimkit's fetch handler (built with the
 * same `basePath`), next to whatever routes your app has.
 */
export function createApp(scim: ScimFetchHandler, basePath = "/scim/v2"): Hono {
  const app = new Hono();
  app.get("/", (c) => c.text(`scimkit on Hono: SCIM 2.0 is served at ${basePath || "/"}\n`));
  // The handler reads the raw Request itself, so Hono parses no SCIM body.
  app.all(basePath || "/", (c) => scim(c.req.raw));
  app.all(`${basePath}/*`, (c) => scim(c.req.raw));
  return app;
}
