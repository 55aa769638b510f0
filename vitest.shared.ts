import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import sibling packages from source so `vitest` works without a build.
const source = (name: string, entry = "index.ts") =>
  fileURLToPath(new URL(`./packages/${name}/src/${entry}`, import.meta.url));

export const sharedConfig = defineConfig({
  resolve: {
    // A subpath comes before its package: aliases match by prefix, first match wins.
    alias: {
      "@scimkit/core/store": source("core", "store/index.ts"),
      "@scimkit/core": source("core"),
      "@scimkit/store-memory": source("store-memory"),
      "@scimkit/store-postgres": source("store-postgres"),
      "@scimkit/store-tests": source("store-tests"),
      "@scimkit/express": source("express"),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    // PGlite boots a WebAssembly Postgres in beforeAll: seconds on a busy 2-core machine.
    hookTimeout: 60_000,
  },
});
