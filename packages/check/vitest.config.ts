import { defineConfig } from "vitest/config";

// The CI tests start built example servers (dist/) and run the checker in-process.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
