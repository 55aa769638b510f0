import { defineConfig } from "tsup";

export default defineConfig([
  // The server, run by `npm start`.
  {
    entry: ["src/server.ts"],
    format: ["esm"],
    sourcemap: true,
    clean: true,
    target: "node20",
  },
  // The admin console: Preact bundled into one script, served from dist/console/.
  {
    entry: { main: "console/src/main.tsx" },
    outDir: "dist/console",
    format: ["esm"],
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: true,
    clean: false,
    noExternal: [/.*/],
    publicDir: "console/public",
    esbuildOptions(options) {
      options.jsx = "automatic";
      options.jsxImportSource = "preact";
    },
  },
]);
