import { AREAS, type Area, type CheckReport, type CheckResult } from "../types";

export interface TextOptions {
  /** ANSI colours. @default false */
  readonly color?: boolean;
  /** Also list passed and skipped checks one per line. @default true */
  readonly verbose?: boolean;
}

const AREA_TITLES: Record<Area, string> = {
  discovery: "Discovery (/ServiceProviderConfig, /ResourceTypes, /Schemas)",
  errors: "Errors and authentication",
  users: "Users: create, read, replace, delete",
  groups: "Groups",
  filter: "Filters",
  paging: "Paging",
  sort: "Sorting",
  cursor: "Cursor pagination (RFC 9865)",
  projection: "attributes / excludedAttributes",
  patch: "PATCH",
  etag: "ETags and conditional requests",
  bulk: "Bulk",
  concurrency: "Concurrency",
  entra: "Microsoft Entra ID request shapes",
  okta: "Okta request shapes",
};

const ANSI = { red: 31, green: 32, yellow: 33, gray: 90, bold: 1 } as const;

/** The summary line, exactly `N passed, M failed, K skipped`. */
export function summaryLine(report: CheckReport): string {
  const { passed, failed, skipped } = report.summary;
  return `${passed} passed, ${failed} failed, ${skipped} skipped`;
}

/** The human report: grouped by area, failures and warnings with ref/expected/got, summary last. */
export function formatText(report: CheckReport, options: TextOptions = {}): string {
  const paint = (code: number, text: string) =>
    options.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const verbose = options.verbose ?? true;
  const marks: Record<CheckResult["status"], string> = {
    passed: paint(ANSI.green, "✓"),
    failed: paint(ANSI.red, "✗"),
    warned: paint(ANSI.yellow, "!"),
    skipped: paint(ANSI.gray, "-"),
  };
  const lines: string[] = [
    `scimkit-check ${report.tool.version} → ${report.baseUrl}`,
    paint(ANSI.gray, `run prefix ${report.runPrefix}`),
  ];
  for (const area of AREAS) {
    const results = report.checks.filter((result) => result.area === area);
    if (results.length === 0) continue;
    const failed = results.filter((result) => result.status === "failed").length;
    const passed = results.filter((result) => result.status === "passed").length;
    lines.push(
      "",
      paint(
        ANSI.bold,
        `${AREA_TITLES[area]}  (${passed}/${results.length} passed${failed > 0 ? `, ${failed} failed` : ""})`,
      ),
    );
    for (const result of results) {
      const quiet = result.status === "passed" || result.status === "skipped";
      if (quiet && !verbose) continue;
      lines.push(
        `  ${marks[result.status]} ${result.id}  ${result.status === "skipped" ? paint(ANSI.gray, result.title) : result.title}`,
      );
      if (result.status === "skipped")
        lines.push(paint(ANSI.gray, `      skipped: ${result.reason ?? ""}`));
      if (result.status === "failed" || result.status === "warned") {
        const label =
          result.status === "warned" ? "warning (SHOULD, does not fail the run)" : "failed";
        lines.push(
          `      ${paint(result.status === "failed" ? ANSI.red : ANSI.yellow, label)} — ${result.ref}`,
        );
        lines.push(`      expected: ${result.expected}`);
        lines.push(`      got:      ${result.got}`);
      }
    }
  }
  lines.push("");
  if (report.leftovers.length > 0) {
    lines.push(
      paint(
        ANSI.yellow,
        `could not delete ${report.leftovers.length} resources it created: ${report.leftovers.join(", ")}`,
      ),
    );
  }
  if (report.summary.warned > 0) {
    lines.push(
      paint(
        ANSI.yellow,
        `${report.summary.warned} warned (SHOULD-level rules; they do not fail the run)`,
      ),
    );
  }
  const summary = summaryLine(report);
  lines.push(report.summary.failed > 0 ? paint(ANSI.red, summary) : paint(ANSI.green, summary));
  return `${lines.join("\n")}\n`;
}
