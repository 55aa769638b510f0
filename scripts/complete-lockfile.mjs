// Adds lock entries for other platforms' optional native packages (biome, rollup,
// turbo binaries for darwin, win32, musl, ...). The registry mirror this project is
// developed against does not serve them, so `npm install` leaves them out of
// package-lock.json and `npm ci` then refuses the lock ("Missing: ... from lock
// file"). Each entry carries only version, os, cpu and libc: npm skips it on other
// platforms and resolves it by version on the matching one.
// Run after `npm install` changes dependencies: `npm run lock:complete`.
import { readFileSync, writeFileSync } from "node:fs";

const LOCK = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, "utf8"));
const packages = lock.packages;

/** `@rollup/rollup-linux-arm64-musl` -> { os: linux, cpu: arm64, libc: musl }. */
function platformOf(name) {
  const base = name
    .split("/")
    .at(-1)
    .replace(/^(cli-|rollup-)/, "");
  const [os, cpu, ...rest] = base.split("-");
  if (os === undefined || cpu === undefined) return undefined;
  const libc = rest.some((part) => part.startsWith("musl"))
    ? "musl"
    : rest.some((part) => part.startsWith("gnu"))
      ? "glibc"
      : undefined;
  return {
    os: os === "windows" ? "win32" : os,
    cpu: cpu === "64" ? "x64" : cpu,
    ...(libc === undefined ? {} : { libc }),
  };
}

let added = 0;
for (const entry of Object.values(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (key in packages) continue;
    const platform = platformOf(name);
    if (platform === undefined || !/^\d+\.\d+\.\d+/.test(version)) {
      console.warn(`complete-lockfile: left out ${name}@${version} (no platform or exact version)`);
      continue;
    }
    packages[key] = {
      version,
      cpu: [platform.cpu],
      optional: true,
      os: [platform.os],
      ...(platform.libc === undefined ? {} : { libc: [platform.libc] }),
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
);
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} entries`);
