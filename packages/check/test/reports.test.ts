import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import {
  type CheckReport,
  type CheckResult,
  escapeXml,
  formatJson,
  formatJunit,
  formatText,
  matchesPattern,
} from "../src";

const result = (overrides: Partial<CheckResult>): CheckResult => ({
  id: "filter.eq",
  area: "filter",
  title: "eq matches one user by userName.",
  ref: "RFC 7644 §3.4.2.2",
  level: "must",
  status: "passed",
  expected: "matches exactly [alice]",
  got: "matched [alice]",
  durationMs: 12,
  ...overrides,
});

const NASTY = `<tag a="1">&amp; 'quote' \u0000\u0007 end`;

const report: CheckReport = {
  tool: { name: "@scimkit/check", version: "1.2.3" },
  baseUrl: "http://127.0.0.1:8080/scim/v2",
  runPrefix: "scimkit-check-abc-",
  startedAt: "2026-01-01T00:00:00.000Z",
  durationMs: 1500,
  checks: [
    result({}),
    result({
      id: "patch.atomic",
      area: "patch",
      status: "failed",
      got: NASTY,
      ref: "RFC 7644 §3.5.2",
    }),
    result({
      id: "discovery.schemas.filter-forbidden",
      area: "discovery",
      status: "warned",
      level: "should",
      got: "answered 200",
    }),
    result({
      id: "bulk.create",
      area: "bulk",
      status: "skipped",
      got: "",
      reason: "the server does not offer Bulk <none>",
    }),
  ],
  summary: { total: 4, passed: 1, failed: 1, warned: 1, skipped: 1, ok: false },
  leftovers: [],
};

describe("formatJunit", () => {
  const xml = formatJunit(report);

  it("is well-formed XML even when the server's text holds markup and control characters", () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain("\u0000");
  });

  it("has one suite per area, with failure, skipped and warning output where they belong", () => {
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    const root = parsed.testsuites;
    expect(root).toMatchObject({ name: "scimkit-check", tests: "4", failures: "1", skipped: "1" });
    const suites = root.testsuite as { name: string; testcase: Record<string, unknown> }[];
    expect(suites.map((suite) => suite.name)).toEqual(["discovery", "filter", "patch", "bulk"]);
    const patch = suites.find((suite) => suite.name === "patch")!.testcase;
    expect(patch).toMatchObject({
      classname: "scimkit-check.patch",
      name: "patch.atomic: eq matches one user by userName.",
    });
    expect((patch.failure as { message: string }).message).toBe(
      NASTY.split("\u0000").join("\uFFFD").split("\u0007").join("\uFFFD"),
    );
    expect(suites.find((suite) => suite.name === "bulk")!.testcase.skipped).toEqual({
      message: "the server does not offer Bulk <none>",
    });
    expect(
      String(suites.find((suite) => suite.name === "discovery")!.testcase["system-out"]),
    ).toContain("WARNING (SHOULD-level");
  });

  it("escapes the five XML specials", () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;",
    );
  });
});

describe("formatJson", () => {
  it("is the report itself, with checks carrying id, status, ref, expected and got", () => {
    const parsed = JSON.parse(formatJson(report)) as CheckReport;
    expect(parsed).toEqual(report);
    expect(Object.keys(parsed.checks[1]!)).toEqual(
      expect.arrayContaining(["id", "status", "ref", "expected", "got"]),
    );
  });
});

describe("formatText", () => {
  it("groups by area and ends with exactly `N passed, M failed, K skipped`", () => {
    const text = formatText(report);
    const lines = text.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("1 passed, 1 failed, 1 skipped");
    expect(lines.at(-2)).toBe("1 warned (SHOULD-level rules; they do not fail the run)");
    expect(text.indexOf("Discovery")).toBeLessThan(text.indexOf("Filters"));
    expect(text).toContain("  ✗ patch.atomic  ");
    expect(text).toContain(
      "      failed — RFC 7644 §3.5.2\n      expected: matches exactly [alice]\n",
    );
    expect(text).toContain("      skipped: the server does not offer Bulk <none>");
    expect(text).not.toContain("\u001b[");
  });

  it("colours only when asked", () => {
    expect(formatText(report, { color: true })).toContain(
      "\u001b[31m1 passed, 1 failed, 1 skipped\u001b[0m",
    );
  });
});

describe("--only patterns", () => {
  it("treats * and ? as a glob over the whole id and anything else as a substring", () => {
    expect(matchesPattern("filter.precedence.and-over-or", "filter.*")).toBe(true);
    expect(matchesPattern("filter.precedence.and-over-or", "*.and-over-or")).toBe(true);
    expect(matchesPattern("filter.precedence.and-over-or", "precedence")).toBe(true);
    expect(matchesPattern("filter.precedence.and-over-or", "precedence*")).toBe(false);
    expect(matchesPattern("etag.if-match.stale.put", "etag.if-match.stale.p?t")).toBe(true);
    expect(matchesPattern("patch.members.add", "patch.members.[a]dd")).toBe(false);
  });
});
