import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_CJS, SERVER_MTS, TOKEN, TSCONFIG } from "./fixtures";

const run = promisify(execFile);
const repoRoot = path.resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/** Every public workspace package: what `npm publish` would ship. */
async function publicPackages(): Promise<{ name: string; directory: string }[]> {
  const found: { name: string; directory: string }[] = [];
  const packagesDir = path.join(repoRoot, "packages");
  for (const entry of await readdir(packagesDir)) {
    const file = path.join(packagesDir, entry, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(await readFile(file, "utf8"));
    if (pkg.private !== true) found.push({ name: pkg.name, directory: path.dirname(file) });
  }
  return found;
}

let work: string;
const tarballs = new Map<string, { file: string; files: string[] }>();

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "scimkit-pack-"));
  await mkdir(path.join(work, "tarballs"));
  for (const { name, directory } of await publicPackages()) {
    if (!existsSync(path.join(directory, "dist", "index.js"))) {
      throw new Error(`${name} has no dist/: build it first (npm test runs turbo, which does).`);
    }
    const { stdout } = await run(
      npm,
      ["pack", "--json", "--pack-destination", path.join(work, "tarballs")],
      {
        cwd: directory,
      },
    );
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf("["))) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarballs.set(name, {
      file: path.join(work, "tarballs", packed!.filename),
      files: packed!.files.map((entry) => entry.path),
    });
  }
  const app = path.join(work, "app");
  await mkdir(app);
  const dependency = (name: string) => `file:${tarballs.get(name)!.file}`;
  await writeFile(
    path.join(app, "package.json"),
    JSON.stringify({
      name: "scimkit-pack-app",
      private: true,
      dependencies: {
        "@scimkit/check": dependency("@scimkit/check"),
        "@scimkit/core": dependency("@scimkit/core"),
        "@scimkit/express": dependency("@scimkit/express"),
        "@scimkit/store-memory": dependency("@scimkit/store-memory"),
        express: "^5.1.0",
      },
      devDependencies: { "@types/express": "^5.0.0", "@types/node": "^20.0.0" },
    }),
  );
  await writeFile(path.join(app, "server.cjs"), SERVER_CJS);
  await writeFile(path.join(app, "server.mts"), SERVER_MTS);
  await writeFile(path.join(app, "tsconfig.json"), TSCONFIG);
  await run(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: app,
  });
});

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** Starts `node <file>` in the app and resolves the port it prints. */
function start(
  file: string,
  node: string = process.execPath,
): Promise<{ port: number; child: ChildProcess; output: () => string }> {
  const child = spawn(node, [file], { cwd: path.join(work, "app"), stdio: "pipe" });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no LISTENING line:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /LISTENING (\d+)/.exec(output)?.[1];
      if (port !== undefined) {
        clearTimeout(timer);
        resolve({ port: Number(port), child, output: () => output });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

async function createAndReadUser(port: number) {
  const base = `http://127.0.0.1:${port}/scim/v2`;
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/scim+json" };
  const created = await fetch(`${base}/Users`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "packed",
    }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const read = await fetch(`${base}/Users/${id}`, { headers });
  expect(read.status).toBe(200);
  expect(read.headers.get("content-type")).toMatch(/^application\/scim\+json/);
  return id;
}

describe("the packed packages", () => {
  it("ship dist with ESM, CJS and both kinds of type declarations, and nothing from src", () => {
    expect([...tarballs.keys()].sort()).toEqual(
      expect.arrayContaining(["@scimkit/core", "@scimkit/express", "@scimkit/store-memory"]),
    );
    for (const [name, { files }] of tarballs) {
      for (const file of [
        "package.json",
        "dist/index.js",
        "dist/index.cjs",
        "dist/index.d.ts",
        "dist/index.d.cts",
      ]) {
        expect(files, name).toContain(file);
      }
      expect(
        files.filter((file) => file.startsWith("src/") || file.startsWith("test/")),
        name,
      ).toEqual([]);
    }
  });

  it("serve SCIM from a CommonJS app (require)", async () => {
    const server = await start("server.cjs");
    try {
      await createAndReadUser(server.port);
    } finally {
      server.child.kill();
    }
  });

  // Users run current Node releases too; the `node` package on npm brings them.
  it.each(["22", "24"])(
    "serve SCIM from the CommonJS app on Node %s",
    async (major) => {
      const node = await run(
        npm,
        ["exec", "--yes", `node@${major}`, "--", "-p", "process.execPath"],
        {
          cwd: work,
        },
      ).then(
        ({ stdout }) => stdout.trim(),
        (error: Error) => {
          console.warn(
            `skipped: could not fetch Node ${major} from the npm registry (${error.message})`,
          );
          return undefined;
        },
      );
      if (node === undefined) return;
      const { stdout: version } = await run(node, ["--version"]);
      expect(version.trim()).toMatch(new RegExp(`^v${major}\\.`));
      const server = await start("server.cjs", node);
      try {
        await createAndReadUser(server.port);
      } finally {
        server.child.kill();
      }
    },
    120_000,
  );

  it("run the scimkit-check bin from the tarball against the CommonJS app, and require it", async () => {
    const server = await start("server.cjs");
    try {
      const app = path.join(work, "app");
      const bin = path.join(app, "node_modules", ".bin", "scimkit-check");
      const base = `http://127.0.0.1:${server.port}/scim/v2`;
      const { stdout } = await run(
        bin,
        [
          base,
          "--token",
          TOKEN,
          "--only",
          "discovery.spc.status,users.create.status,users.create.location,filter.eq",
        ],
        {
          cwd: app,
        },
      );
      expect(stdout.trimEnd().split("\n").at(-1)).toMatch(/^\d+ passed, 0 failed, 0 skipped$/);
      const usage = await run(bin, [base], { cwd: app }).catch((error: { code: number }) => error);
      expect(usage).toMatchObject({ code: 2 });
      const { stdout: count } = await run(
        process.execPath,
        ["-e", 'console.log(require("@scimkit/check").listChecks().length)'],
        { cwd: app },
      );
      expect(Number(count)).toBeGreaterThanOrEqual(150);
    } finally {
      server.child.kill();
    }
  });

  it("type-check and serve SCIM from an ESM TypeScript app (import)", async () => {
    const app = path.join(work, "app");
    const result = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: app }).catch(
      (error: { stdout?: string; stderr?: string }) => ({
        stdout: error.stdout ?? "",
        stderr: error.stderr ?? "",
        failed: true,
      }),
    );
    expect("failed" in result ? `${result.stdout}${result.stderr}` : "").toBe("");
    const server = await start(path.join("dist", "server.mjs"));
    try {
      const id = await createAndReadUser(server.port);
      await expect.poll(() => server.output()).toContain(`EVENT User ${id}`);
    } finally {
      server.child.kill();
    }
  });
});
