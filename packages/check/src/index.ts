export type { CliIo } from "./cli/run-cli";
export { runCli } from "./cli/run-cli";
export { formatJson } from "./reports/format-json";
export { escapeXml, formatJunit } from "./reports/format-junit";
export { formatText, summaryLine, type TextOptions } from "./reports/format-text";
export { listChecks, runChecks } from "./run-checks";
export { matchesPattern } from "./select-checks";
export {
  AREAS,
  type Area,
  type CheckInfo,
  type CheckLevel,
  type CheckProgress,
  type CheckReport,
  type CheckResult,
  type CheckStatus,
  type CheckSummary,
  type IdpSelection,
  type RunChecksOptions,
} from "./types";
export { VERSION } from "./version";
