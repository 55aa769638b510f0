import { defineConfig } from "vitest/config";

// The smoke and conformance tests run the built server (`dist/`), as `npm start` does.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
