import type { Options } from "tsup";

/**
 * The one package shape (STYLE 16): ESM and CJS with declarations and source
 * maps, for Node 20. Each package's tsup.config.ts names only its entry points.
 */
export function packageConfig(entry: Options["entry"] = ["src/index.ts"]): Options {
  return {
    entry,
    format: ["esm", "cjs"],
    dts: { compilerOptions: { paths: {} } },
    sourcemap: true,
    clean: true,
    target: "node20",
  };
}
