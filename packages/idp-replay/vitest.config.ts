import { mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared";

// Booting PGlite (PostgreSQL in WebAssembly) takes several seconds on a busy machine.
export default mergeConfig(sharedConfig, { test: { hookTimeout: 60_000, testTimeout: 60_000 } });
