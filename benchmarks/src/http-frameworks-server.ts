/**
 * The server side of the framework benchmark (`http-frameworks.ts`), one child
 * process per target so no two share an event loop. Each target listens on
 * 127.0.0.1 and an ephemeral port, over a memory store holding
 * `BENCH_USERS` users, and serves either the SCIM endpoint or a bare route of
 * its framework that answers a JSON body of the same size (the limit a SCIM
 * layer on that framework could reach).
 *
 * Environment: BENCH_TARGET (see `http-targets.ts`), BENCH_USERS, BENCH_TOKEN, and for
 * `express-baseline` BENCH_BASELINE_EXPRESS (a bundled `scimRouter` module of an
 * earlier commit, see benchmarks/README.md). Reports `{ port }` over IPC.
 */

import type { Server } from "node:http";
import { serve as serveHono } from "@hono/node-server";
import {
  createScimService,
  createTokenVerifier,
  type ScimRequest,
  type ScimService,
  tokenSha256,
} from "@scimkit/core";
import { scimRouter } from "@scimkit/express";
import { scimPlugin } from "@scimkit/fastify";
import { scimFetchHandler } from "@scimkit/http";
import { memoryStore } from "@scimkit/store-memory";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { loadUsers, TENANT, userId, userName } from "./http-dataset";
import type { Target } from "./http-targets";

const target = process.env.BENCH_TARGET as Target;
const users = Number(process.env.BENCH_USERS ?? 5_000);
const token = process.env.BENCH_TOKEN ?? "";
const MOUNT = "/scim/v2";

/** The bodies the bare routes answer: what the SCIM endpoint answers for user 1. */
async function sampleBodies(service: ScimService, port: number) {
  const request = (path: string, query: Record<string, string> = {}): ScimRequest => ({
    method: "GET",
    path,
    query,
    headers: {},
    tenant: TENANT,
    baseUrl: `http://127.0.0.1:${port}${MOUNT}`,
  });
  const list = await service.handle(request("/Users", { filter: `userName eq "${userName(1)}"` }));
  const one = await service.handle(request(`/Users/${userId(1)}`));
  return { list: list.body, one: one.body };
}

async function listen(start: (port: 0) => Server | Promise<Server>): Promise<number> {
  const server = await start(0);
  if (!server.listening) await new Promise((resolve) => server.once("listening", resolve));
  const address = server.address();
  return typeof address === "object" && address !== null ? address.port : 0;
}

async function serve(): Promise<number> {
  const store = memoryStore();
  await loadUsers(store, users);
  const service = createScimService({ store });
  const auth = { tokens: [{ token }] };
  switch (target) {
    case "express-bare": {
      let bodies: { list: unknown; one: unknown } = { list: {}, one: {} };
      const app = express();
      app.disable("x-powered-by");
      app.disable("etag");
      app.get(`${MOUNT}/Users`, (_request, response) => void response.json(bodies.list));
      app.get(`${MOUNT}/Users/:id`, (_request, response) => void response.json(bodies.one));
      const port = await listen((any) => app.listen(any, "127.0.0.1"));
      bodies = await sampleBodies(service, port);
      return port;
    }
    case "express-scim": {
      const app = express();
      app.disable("x-powered-by");
      app.use(MOUNT, scimRouter({ handler: service.handle, auth }));
      return listen((port) => app.listen(port, "127.0.0.1"));
    }
    case "express-baseline": {
      const file = process.env.BENCH_BASELINE_EXPRESS;
      if (file === undefined || file === "") throw new Error("BENCH_BASELINE_EXPRESS is not set.");
      const baseline = (await import(file)) as { scimRouter: typeof scimRouter };
      const app = express();
      app.disable("x-powered-by");
      app.use(MOUNT, baseline.scimRouter({ handler: service.handle, auth }));
      return listen((port) => app.listen(port, "127.0.0.1"));
    }
    case "fastify-bare": {
      let bodies: { list: unknown; one: unknown } = { list: {}, one: {} };
      const app = Fastify();
      app.get(`${MOUNT}/Users`, async () => bodies.list);
      app.get(`${MOUNT}/Users/:id`, async () => bodies.one);
      await app.listen({ port: 0, host: "127.0.0.1" });
      const port = await listen(() => app.server);
      bodies = await sampleBodies(service, port);
      return port;
    }
    case "fastify-scim": {
      const app = Fastify();
      await app.register(scimPlugin({ handler: service.handle, auth }), { prefix: MOUNT });
      await app.listen({ port: 0, host: "127.0.0.1" });
      return listen(() => app.server);
    }
    case "hono-bare": {
      let bodies: { list: unknown; one: unknown } = { list: {}, one: {} };
      const app = new Hono();
      app.get(`${MOUNT}/Users`, (c) => c.json(bodies.list));
      app.get(`${MOUNT}/Users/:id`, (c) => c.json(bodies.one));
      const port = await listen(
        (any) => serveHono({ fetch: app.fetch, port: any, hostname: "127.0.0.1" }) as Server,
      );
      bodies = await sampleBodies(service, port);
      return port;
    }
    case "hono-scim": {
      const scim = scimFetchHandler({ handler: service.handle, auth, basePath: MOUNT });
      const app = new Hono();
      app.all(`${MOUNT}/*`, (c) => scim(c.req.raw));
      return listen(
        (any) => serveHono({ fetch: app.fetch, port: any, hostname: "127.0.0.1" }) as Server,
      );
    }
    case "auth-static": {
      const quiet = createScimService({ store, log: false });
      const app = express();
      app.disable("x-powered-by");
      app.use(MOUNT, scimRouter({ handler: quiet.handle, auth }));
      return listen((port) => app.listen(port, "127.0.0.1"));
    }
    case "auth-store": {
      await store.tenants!.create({
        id: TENANT,
        name: "Bench",
        createdAt: new Date().toISOString(),
      });
      await store.tenants!.createToken({
        id: "tok_bench",
        tenant: TENANT,
        description: "bench",
        hint: "…",
        createdAt: new Date().toISOString(),
        sha256: await tokenSha256(token),
      });
      const app = express();
      app.disable("x-powered-by");
      app.use(
        MOUNT,
        scimRouter({ handler: service.handle, auth: { verify: createTokenVerifier({ store }) } }),
      );
      return listen((port) => app.listen(port, "127.0.0.1"));
    }
    default:
      throw new Error(`Unknown BENCH_TARGET "${target}".`);
  }
}

const port = await serve();
process.send?.({ port });
process.on("message", (message) => {
  if (message === "cpu") process.send?.({ cpu: process.cpuUsage() });
  if (message === "stop") process.exit(0);
});
