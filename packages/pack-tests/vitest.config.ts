import { defineConfig } from "vitest/config";

// Works on the packed tarballs (built dist/), not on sources: no workspace aliases here.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
