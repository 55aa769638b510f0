import { mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared";

// The conformance test serves src/app.ts in process; the smoke test runs the built dist/server.js.
export default mergeConfig(sharedConfig, {
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
