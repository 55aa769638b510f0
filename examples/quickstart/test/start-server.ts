import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface RunningServer {
  readonly baseUrl: string;
  readonly token: string;
  readonly output: () => string;
  readonly stop: () => Promise<void>;
}

const SERVER = fileURLToPath(new URL("../dist/server.js", import.meta.url));

/**
 * Starts the built quickstart (`node dist/server.js`, as `npm start` does) on an
 * ephemeral port and reads the base URL and token it prints.
 */
export function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  if (!existsSync(SERVER)) {
    throw new Error(`${SERVER} is missing: run "npm run build" in examples/quickstart first.`);
  }
  const child: ChildProcess = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", STORE: "memory", SCIM_TOKEN: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`The quickstart did not start in time. Output:\n${output}`));
    }, 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /SCIM base URL: (\S+)/.exec(output)?.[1];
      const tokenLine = /Bearer token: {2}(\S+)/.exec(output);
      if (url !== undefined && tokenLine !== null) {
        // A printed token, or "" when the server reuses one it printed before.
        const token = tokenLine[1]?.startsWith("scimkit_") ? tokenLine[1] : (env.SCIM_TOKEN ?? "");
        clearTimeout(timer);
        resolve({ baseUrl: url, token, output: () => output, stop });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`The quickstart exited with code ${code}. Output:\n${output}`));
    });
  });
}
