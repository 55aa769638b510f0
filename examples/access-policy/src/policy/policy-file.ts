import { createHash } from "node:crypto";
import { type FSWatcher, watch } from "node:fs";
import { open, stat } from "node:fs/promises";
import path from "node:path";
import { EMPTY_POLICY, MAX_POLICY_BYTES, type Policy, parsePolicy } from "./parse-policy";

/** What the policy file gave, as `/api/admin/policy` and the console show it. */
export interface PolicyStatus {
  readonly file: string;
  /** The policy in force: the last good file's, or the empty policy (grants nothing). */
  readonly policy: Policy;
  /** SHA-256 of the file the policy in force came from; absent before a first good file. */
  readonly sha256?: string;
  /** When the policy in force was loaded. */
  readonly loadedAt?: string;
  /** Why the file on disk is not in force (absent when it is). */
  readonly error?: {
    readonly messages: readonly string[];
    /** SHA-256 of the refused content, absent when the file could not be read. */
    readonly sha256?: string;
    readonly at: string;
  };
}

export interface PolicyFile {
  current(): PolicyStatus;
  /** Reads the file again now (the watcher calls this on every change). */
  reload(): Promise<PolicyStatus>;
  close(): void;
}

const POLL_MS = 1000;

async function readBounded(file: string): Promise<{ text: string } | { error: string }> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, "r");
    const buffer = Buffer.alloc(MAX_POLICY_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_POLICY_BYTES) {
      return { error: `the policy file is larger than ${MAX_POLICY_BYTES} bytes` };
    }
    return { text: buffer.subarray(0, length).toString("utf8") };
  } catch (error) {
    const code = (error as { code?: string }).code;
    return {
      error:
        code === "ENOENT"
          ? `the policy file ${file} does not exist`
          : `the policy file ${file} cannot be read (${code ?? (error as Error).message})`,
    };
  } finally {
    await handle?.close();
  }
}

/**
 * Loads the policy file and keeps it current: reloaded when the file changes
 * (a watch on its folder, so editors that save by rename are seen, plus a poll
 * every second as a fallback). An invalid or unreadable file keeps the last
 * good policy in force and reports why; before a first good file the empty
 * policy is in force, which grants nothing (fail closed).
 */
export async function loadPolicyFile(
  file: string,
  onChange: (status: PolicyStatus) => void = () => {},
): Promise<PolicyFile> {
  const absolute = path.resolve(file);
  let status: PolicyStatus = { file: absolute, policy: EMPTY_POLICY };
  let lastSeen: string | undefined;
  let running: Promise<PolicyStatus> | undefined;
  let again = false;

  const readOnce = async (): Promise<PolicyStatus> => {
    const read = await readBounded(absolute);
    const at = new Date().toISOString();
    if ("error" in read) {
      if (lastSeen === `error:${read.error}`) return status;
      lastSeen = `error:${read.error}`;
      status = { ...withoutError(status), error: { messages: [read.error], at } };
      onChange(status);
      return status;
    }
    const sha256 = createHash("sha256").update(read.text).digest("hex");
    if (lastSeen === sha256) return status;
    lastSeen = sha256;
    const parsed = parsePolicy(read.text);
    status = parsed.ok
      ? { file: absolute, policy: parsed.policy, sha256, loadedAt: at }
      : { ...withoutError(status), error: { messages: parsed.errors, sha256, at } };
    onChange(status);
    return status;
  };

  // One read at a time; a change during a read triggers one more.
  const reload = (): Promise<PolicyStatus> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        let result = await readOnce();
        while (again) {
          again = false;
          result = await readOnce();
        }
        return result;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  await reload();
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path.dirname(absolute), (_event, name) => {
      if (name === null || name === path.basename(absolute)) void reload();
    });
    watcher.on("error", () => watcher?.close());
  } catch {
    // No watch on this file system: the poll below still sees changes.
  }
  // The poll only stats the file; it reads it when size, mtime or inode moved.
  const signature = () =>
    stat(absolute).then(
      (info) => `${info.ino}:${info.size}:${info.mtimeMs}`,
      (error: { code?: string }) => `missing:${error.code}`,
    );
  let lastSignature = await signature();
  const poll = setInterval(() => {
    void signature().then((next) => {
      if (next === lastSignature) return;
      lastSignature = next;
      void reload();
    });
  }, POLL_MS);
  poll.unref();
  return {
    current: () => status,
    reload,
    close() {
      clearInterval(poll);
      watcher?.close();
    },
  };
}

function withoutError(status: PolicyStatus): PolicyStatus {
  const { error: _error, ...rest } = status;
  return rest;
}
