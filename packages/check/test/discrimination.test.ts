import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckReport, runChecks, runCli } from "../src";
import { type Breakage, type BrokenProxy, leftToRight, startBrokenProxy } from "./broken-proxy";
import { EXAMPLES, type RunningExample, startExample } from "./start-example";

const TOKEN = "scimkit-check-discrimination-token-7f3a9c";

/** Each defect, and the checks that must catch it. */
const CAUGHT_BY: Record<Breakage, string[]> = {
  "no-location": ["users.create.location", "groups.create.status"],
  "patch-not-atomic": ["patch.atomic", "patch.members.atomic"],
  "filter-left-to-right": ["filter.precedence.and-over-or"],
  "ignore-preconditions": [
    "etag.if-none-match.current",
    "etag.if-match.stale.patch",
    "etag.if-match.stale.put",
    "etag.if-match.stale.delete",
  ],
  "numeric-error-status": [
    "errors.not-found.user",
    "errors.auth.wrong-token",
    "users.create.duplicate",
  ],
  "total-is-page-size": ["paging.total-results", "paging.count-zero"],
};

const quickstart = EXAMPLES.find((example) => example.name === "quickstart")!;
const memory = quickstart.variants.find((variant) => variant.label === "memory")!;

const statusOf = (report: CheckReport, id: string) =>
  report.checks.find((result) => result.id === id)?.status;

describe("the checker discriminates: a deliberately broken server fails the matching checks", () => {
  let upstream: RunningExample;
  const proxies: BrokenProxy[] = [];
  beforeAll(async () => {
    upstream = await startExample(quickstart, memory, TOKEN);
  });
  afterAll(async () => {
    for (const proxy of proxies) await proxy.close();
    await upstream?.stop();
  });

  const through = async (breakages: Breakage[]) => {
    const proxy = await startBrokenProxy(upstream.baseUrl, breakages);
    proxies.push(proxy);
    return proxy;
  };

  it("passes every one of those checks through a proxy that breaks nothing (the proxy is fair)", async () => {
    const proxy = await through([]);
    const report = await runChecks({ baseUrl: proxy.baseUrl, token: TOKEN });
    for (const id of Object.values(CAUGHT_BY).flat())
      expect(statusOf(report, id), id).toBe("passed");
  });

  for (const [breakage, ids] of Object.entries(CAUGHT_BY) as [Breakage, string[]][]) {
    it(`catches ${breakage} with ${ids.join(", ")}`, async () => {
      const proxy = await through([breakage]);
      const report = await runChecks({ baseUrl: proxy.baseUrl, token: TOKEN });
      for (const id of ids) {
        const result = report.checks.find((check) => check.id === id);
        expect(result?.status, `${id}: ${result?.got}`).toBe("failed");
        expect(result?.got).not.toBe("");
      }
      expect(report.summary.ok).toBe(false);
      expect(report.summary.failed).toBeGreaterThanOrEqual(ids.length);
    });
  }

  it("exits 1 from the CLI, writes valid JSON and JUnit reports, and never shows the token", async () => {
    const proxy = await through(Object.keys(CAUGHT_BY) as Breakage[]);
    const directory = await mkdtemp(path.join(os.tmpdir(), "scimkit-check-reports-"));
    try {
      const json = path.join(directory, "report.json");
      const junit = path.join(directory, "nested", "junit.xml");
      let stdout = "";
      let stderr = "";
      const code = await runCli(
        [proxy.baseUrl, "--token", TOKEN, "--json", json, "--junit", junit],
        {
          stdout: { write: (text: string) => (stdout += text) },
          stderr: { write: (text: string) => (stderr += text) },
          env: {},
        },
      );
      expect(code, stderr).toBe(1);
      const lines = stdout.trimEnd().split("\n");
      expect(lines.at(-1)).toMatch(/^\d+ passed, [1-9]\d* failed, \d+ skipped$/);
      expect(stdout).not.toContain("\u001b[");
      expect(stdout).toContain("patch.atomic");
      const jsonText = await readFile(json, "utf8");
      const xmlText = await readFile(junit, "utf8");
      for (const text of [stdout, stderr, jsonText, xmlText]) expect(text).not.toContain(TOKEN);
      const parsed = JSON.parse(jsonText) as CheckReport;
      expect(parsed.summary.failed).toBeGreaterThan(0);
      const failed = parsed.checks.find((check) => check.id === "patch.atomic");
      expect(failed).toMatchObject({ status: "failed", ref: "RFC 7644 §3.5.2" });
      expect(failed?.expected).toMatch(/not applied/);
      expect(XMLValidator.validate(xmlText)).toBe(true);
      expect(xmlText).toContain(`failures="${parsed.summary.failed}"`);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe("leftToRight (the proxy's precedence bug)", () => {
  it("binds and/or left to right at every level, leaving strings alone", () => {
    expect(leftToRight("a eq 1 or b eq 2 and c eq 3")).toBe("(a eq 1 or b eq 2) and c eq 3");
    expect(leftToRight('x sw "p" and (a eq "x or y" or b eq 2 and c eq 3)')).toBe(
      'x sw "p" and ((a eq "x or y" or b eq 2) and c eq 3)',
    );
  });
});
