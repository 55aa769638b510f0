import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import sibling packages from source so `vitest` works without a build.
const source = (name: string) =>
  fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export const sharedConfig = defineConfig({
  resolve: {
    alias: {
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
  },
});
