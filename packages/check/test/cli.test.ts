import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runCli } from "../src";
import { parseArguments } from "../src/cli/parse-arguments";

const run = promisify(execFile);
const BIN = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

const io = () => {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: { write: (text: string) => (out.stdout += text) },
      stderr: { write: (text: string) => (out.stderr += text) },
      env: {},
    },
  };
};

describe("parseArguments", () => {
  it("reads the documented flags", () => {
    expect(
      parseArguments([
        "https://example.com/scim/v2",
        "--token",
        "secret",
        "--json",
        "r.json",
        "--junit",
        "r.xml",
        "--only",
        "filter.*",
        "--only",
        "etag,bulk",
        "--idp",
        "okta",
      ]),
    ).toEqual({
      kind: "run",
      options: {
        baseUrl: "https://example.com/scim/v2",
        token: "secret",
        json: "r.json",
        junit: "r.xml",
        only: ["filter.*", "etag,bulk"],
        idp: "okta",
      },
    });
  });

  it("defaults --idp to all and takes the token from SCIMKIT_CHECK_TOKEN", () => {
    expect(parseArguments(["http://127.0.0.1:8080/scim/v2"], { SCIMKIT_CHECK_TOKEN: "t" })).toEqual(
      {
        kind: "run",
        options: { baseUrl: "http://127.0.0.1:8080/scim/v2", token: "t", only: [], idp: "all" },
      },
    );
  });

  it.each([
    [["--token", "t"], "Missing <baseUrl>."],
    [
      ["http://a/scim", "http://b/scim", "--token", "t"],
      "Expected one <baseUrl>, got 2 arguments.",
    ],
    [["not a url", "--token", "t"], '<baseUrl> "not a url" is not a URL.'],
    [
      ["ftp://example.com/scim", "--token", "t"],
      '<baseUrl> must be an http or https URL, got "ftp://example.com/scim".',
    ],
    [["http://a/scim?x=1", "--token", "t"], "<baseUrl> must not carry a query or fragment."],
    [["http://a/scim"], "Missing --token (or the SCIMKIT_CHECK_TOKEN environment variable)."],
    [
      ["http://a/scim", "--token", "t", "--idp", "google"],
      '--idp must be entra, okta or all, got "google".',
    ],
    [["http://a/scim", "--token", "t", "--json", ""], "--json needs a file name."],
  ])("refuses %j: %s", (argv, message) => {
    expect(parseArguments(argv)).toEqual({ kind: "error", message });
  });

  it("refuses unknown flags and flags without their value", () => {
    expect(parseArguments(["http://a/scim", "--token", "t", "--verbose"])).toMatchObject({
      kind: "error",
      message: expect.stringContaining("--verbose"),
    });
    expect(parseArguments(["http://a/scim", "--token"])).toMatchObject({ kind: "error" });
  });

  it("knows --help, --version and --list", () => {
    expect(parseArguments(["-h"])).toEqual({ kind: "help" });
    expect(parseArguments(["--version"])).toEqual({ kind: "version" });
    expect(parseArguments(["--list", "--only", "etag"])).toEqual({
      kind: "list",
      only: ["etag"],
      idp: "all",
    });
  });
});

describe("runCli", () => {
  it("exits 2 with the message and the usage on a usage error, before any request", async () => {
    const { io: streams, out } = io();
    expect(await runCli(["http://127.0.0.1:1/scim"], streams)).toBe(2);
    expect(out.stderr).toContain("scimkit-check: Missing --token");
    expect(out.stderr).toContain("Usage: scimkit-check <baseUrl> --token <token>");
    expect(out.stdout).toBe("");
  });

  it("exits 2 when --only matches no check", async () => {
    const { io: streams, out } = io();
    const code = await runCli(
      ["http://127.0.0.1:1/scim", "--token", "t", "--only", "no.such.check"],
      {
        ...streams,
        fetch: () => Promise.reject(new TypeError("fetch failed")),
      },
    );
    expect(code).toBe(2);
    expect(out.stderr).toContain("no check matches --only no.such.check");
  });

  it("lists checks with their level and reference", async () => {
    const { io: streams, out } = io();
    expect(await runCli(["--list", "--only", "filter.precedence.*"], streams)).toBe(0);
    expect(out.stdout).toBe(
      "filter.precedence.and-over-or\tmust\tRFC 7644 §3.4.2.2 (precedence: not, and, or)\n" +
        "filter.precedence.parentheses\tmust\tRFC 7644 §3.4.2.2 (grouping)\n2 checks\n",
    );
  });

  it("exits 1 and says why when the server cannot be reached", async () => {
    const { io: streams, out } = io();
    const code = await runCli(
      ["http://127.0.0.1:1/scim", "--token", "t", "--only", "discovery.spc.status"],
      {
        ...streams,
        fetch: () =>
          Promise.reject(
            Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }),
          ),
      },
    );
    expect(code).toBe(1);
    expect(out.stdout).toContain(
      "the server did not answer: GET /ServiceProviderConfig got no answer: ECONNREFUSED",
    );
    expect(out.stdout.trimEnd().split("\n").at(-1)).toBe("0 passed, 1 failed, 1 skipped");
  });

  it("colours and draws a progress line only on a TTY, and honours NO_COLOR", async () => {
    const fetchDown = () => Promise.reject(new TypeError("fetch failed"));
    const argv = ["http://127.0.0.1:1/scim", "--token", "t", "--only", "discovery.spc.status"];
    let tty = "";
    await runCli(argv, {
      stdout: { write: (text: string) => (tty += text), isTTY: true },
      stderr: { write: () => true },
      env: {},
      fetch: fetchDown,
    });
    expect(tty).toContain("\u001b[31m");
    let noColor = "";
    await runCli(argv, {
      stdout: { write: (text: string) => (noColor += text), isTTY: true },
      stderr: { write: () => true },
      env: { NO_COLOR: "1" },
      fetch: fetchDown,
    });
    expect(noColor).not.toContain("\u001b[31m");
  });
});

describe("the bin", () => {
  it("is an executable ESM file with a node shebang", async () => {
    const text = await readFile(BIN, "utf8");
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect((await stat(BIN)).mode & 0o111).not.toBe(0);
    const { stdout } = await run(BIN, ["--version"]);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("exits 2 on an unknown flag", async () => {
    const failure = await run(BIN, ["--bogus"]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain("Unknown option '--bogus'");
  });
});
