import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import sibling packages from source so `vitest` works without a build.
const source = (name: string, entry = "index") =>
  fileURLToPath(new URL(`./packages/${name}/src/${entry}.ts`, import.meta.url));

export const sharedConfig = defineConfig({
  resolve: {
    // A subpath comes before its package: aliases match by prefix, first match wins.
    alias: {
      "@scimkit/core/store": source("core", "store/index"),
      "@scimkit/core": source("core"),
      "@scimkit/store-memory": source("store-memory"),
      "@scimkit/store-postgres": source("store-postgres"),
      "@scimkit/store-tests": source("store-tests"),
      "@scimkit/express": source("express"),
      // Before "@scimkit/http": aliases match by prefix, in order.
      "@scimkit/http/adapter": source("http", "adapter"),
      "@scimkit/http": source("http"),
      "@scimkit/fastify": source("fastify"),
      "@scimkit/http-tests": source("http-tests"),
      "@scimkit/idp-replay": source("idp-replay"),
      "@scimkit/webhooks": source("webhooks"),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    // PGlite boots a WebAssembly Postgres in beforeAll: seconds on a busy 2-core machine.
    hookTimeout: 60_000,
  },
});
