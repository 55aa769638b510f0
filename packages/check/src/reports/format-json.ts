import type { CheckReport } from "../types";

/** The `--json` report: the CheckReport itself, pretty-printed, newline-terminated. */
export function formatJson(report: CheckReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
