import { AREAS, type CheckReport, type CheckResult } from "../types";

/** Whether XML 1.0 allows a code point at all (C0 controls but tab, LF and CR, lone surrogates and U+FFFE/F do not). */
function allowedInXml(codePoint: number): boolean {
  if (codePoint < 0x20) return codePoint === 0x09 || codePoint === 0x0a || codePoint === 0x0d;
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return false;
  return codePoint !== 0xfffe && codePoint !== 0xffff;
}

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  let clean = "";
  for (const character of text) {
    clean += allowedInXml(character.codePointAt(0) ?? 0) ? character : "\uFFFD";
  }
  return clean
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const seconds = (milliseconds: number) => (milliseconds / 1000).toFixed(3);

function testCase(result: CheckResult): string {
  const attributes = `classname="scimkit-check.${result.area}" name="${escapeXml(`${result.id}: ${result.title}`)}" time="${seconds(result.durationMs)}"`;
  const details = `${result.ref}\nexpected: ${result.expected}\ngot: ${result.got}`;
  switch (result.status) {
    case "passed":
      return `    <testcase ${attributes}/>`;
    case "failed":
      return `    <testcase ${attributes}>\n      <failure message="${escapeXml(result.got)}" type="${result.level}">${escapeXml(details)}</failure>\n    </testcase>`;
    case "warned":
      // JUnit has no warning: a passing case whose output says what a SHOULD rule found.
      return `    <testcase ${attributes}>\n      <system-out>${escapeXml(`WARNING (SHOULD-level, does not fail the run)\n${details}`)}</system-out>\n    </testcase>`;
    case "skipped":
      return `    <testcase ${attributes}>\n      <skipped message="${escapeXml(result.reason ?? "")}"/>\n    </testcase>`;
  }
}

/** The `--junit` report: one testsuite per area, one testcase per check. */
export function formatJunit(report: CheckReport): string {
  const suites: string[] = [];
  for (const area of AREAS) {
    const results = report.checks.filter((result) => result.area === area);
    if (results.length === 0) continue;
    const count = (status: CheckResult["status"]) =>
      results.filter((result) => result.status === status).length;
    const time = results.reduce((sum, result) => sum + result.durationMs, 0);
    suites.push(
      `  <testsuite name="${area}" tests="${results.length}" failures="${count("failed")}" errors="0" skipped="${count("skipped")}" time="${seconds(time)}">\n${results.map(testCase).join("\n")}\n  </testsuite>`,
    );
  }
  const { summary } = report;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="scimkit-check" tests="${summary.total}" failures="${summary.failed}" errors="0" skipped="${summary.skipped}" time="${seconds(report.durationMs)}">\n${suites.join("\n")}\n</testsuites>\n`;
}
