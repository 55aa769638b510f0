import { defineConfig } from "vitest/config";

// The tests start the built app (`dist/`) as `npm start` does, in child processes.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
