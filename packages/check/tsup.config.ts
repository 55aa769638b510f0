import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

export default defineConfig({
  // cli.ts starts with a shebang, which esbuild keeps: dist/cli.js is the bin.
  entry: ["src/index.ts", "src/cli.ts"],
  format: ["esm", "cjs"],
  dts: { entry: "src/index.ts", compilerOptions: { paths: {} } },
  define: { __PACKAGE_VERSION__: JSON.stringify(version) },
  sourcemap: true,
  clean: true,
  target: "node20",
});
