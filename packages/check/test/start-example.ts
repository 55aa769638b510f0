import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * How to start one example app and which store variants to check it on. Every
 * example in examples/ gets an entry (the coverage test fails when one is missing):
 * the server must print `SCIM base URL: <url>` and take PORT, HOST and SCIM_TOKEN.
 */
export interface ExampleSetup {
  /** Folder name under examples/. */
  readonly name: string;
  /** The built entry point, relative to the example folder. */
  readonly entry: string;
  /** One run per variant; `dataDir: true` sets DATA_DIR to a fresh temp folder. */
  readonly variants: readonly {
    readonly label: string;
    readonly env: Record<string, string>;
    readonly dataDir?: boolean;
  }[];
}

export const EXAMPLES: readonly ExampleSetup[] = [
  {
    name: "quickstart",
    entry: "dist/server.js",
    variants: [
      { label: "memory", env: { STORE: "memory" } },
      { label: "pglite", env: { STORE: "pglite" }, dataDir: true },
    ],
  },
  {
    name: "hono",
    entry: "dist/server.js",
    variants: [
      { label: "memory", env: { STORE: "memory" } },
      { label: "pglite", env: { STORE: "pglite" }, dataDir: true },
    ],
  },
  {
    name: "access-policy",
    entry: "dist/server.js",
    variants: [
      { label: "memory", env: { STORE: "memory", ADMIN_TOKEN: "scimkit-check-admin-token" } },
      {
        label: "pglite",
        env: { STORE: "pglite", ADMIN_TOKEN: "scimkit-check-admin-token" },
        dataDir: true,
      },
    ],
  },
];

/** The example apps in the repository (folders of examples/ with a package.json). */
export function exampleFolders(): string[] {
  const directory = path.join(repoRoot, "examples");
  return readdirSync(directory).filter(
    (entry) =>
      statSync(path.join(directory, entry)).isDirectory() &&
      existsSync(path.join(directory, entry, "package.json")),
  );
}

export interface RunningExample {
  readonly baseUrl: string;
  readonly output: () => string;
  readonly stop: () => Promise<void>;
}

/** Starts a built example on 127.0.0.1 with an ephemeral port; resolves once it prints its base URL. */
export async function startExample(
  example: ExampleSetup,
  variant: ExampleSetup["variants"][number],
  token: string,
): Promise<RunningExample> {
  const entry = path.join(repoRoot, "examples", example.name, example.entry);
  if (!existsSync(entry)) {
    throw new Error(
      `${entry} is missing: build it first (npx turbo run build --filter=@scimkit/check...).`,
    );
  }
  const dataDir =
    variant.dataDir === true ? await mkdtemp(path.join(os.tmpdir(), "scimkit-check-")) : undefined;
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      SCIM_TOKEN: token,
      ...variant.env,
      ...(dataDir === undefined ? {} : { DATA_DIR: dataDir }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
    }
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${example.name} (${variant.label}) did not start in time:\n${output}`));
    }, 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /SCIM base URL: (\S+)/.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ baseUrl: url, output: () => output, stop });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${example.name} (${variant.label}) exited with ${code}:\n${output}`));
    });
  });
}
