/** The areas checks are grouped by, in report order. */
export const AREAS = [
  "discovery",
  "errors",
  "users",
  "groups",
  "filter",
  "paging",
  "sort",
  "cursor",
  "projection",
  "patch",
  "etag",
  "bulk",
  "concurrency",
  "entra",
  "okta",
] as const;

export type Area = (typeof AREAS)[number];

/**
 * - `passed`: the server did what the reference requires.
 * - `failed`: it broke a MUST-level rule (or a vendor's documented request failed);
 *   any failure makes the run fail (exit code 1).
 * - `warned`: it broke a SHOULD-level rule; reported, but the run still passes.
 * - `skipped`: the check did not run, because `/ServiceProviderConfig` says the
 *   feature is not offered or a prerequisite failed; `reason` says which.
 */
export type CheckStatus = "passed" | "failed" | "warned" | "skipped";

/** How strongly the reference states the rule a check tests. */
export type CheckLevel = "must" | "should";

/** Which vendor request-shape checks run besides the RFC checks. */
export type IdpSelection = "entra" | "okta" | "all";

/** What a check is, without running it (see `listChecks`). */
export interface CheckInfo {
  /** Stable dotted id, e.g. `filter.precedence.and-over-or`; `--only` matches it. */
  readonly id: string;
  readonly area: Area;
  /** One sentence: what the server must do. */
  readonly title: string;
  /** Where the rule comes from, e.g. `RFC 7644 §3.4.2.2` or an Entra ID / Okta document. */
  readonly ref: string;
  /** `should`: a failure is reported as `warned` and does not fail the run. @default "must" */
  readonly level: CheckLevel;
  /** The vendor whose documented requests the check replays, if any. */
  readonly idp?: "entra" | "okta";
}

/** The outcome of one check. */
export interface CheckResult extends CheckInfo {
  readonly status: CheckStatus;
  /** What the reference requires, in words. */
  readonly expected: string;
  /** What the server did (for a pass, what was observed; for a skip, empty). */
  readonly got: string;
  /** Why a check was skipped. */
  readonly reason?: string;
  readonly durationMs: number;
}

export interface CheckSummary {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly warned: number;
  readonly skipped: number;
  /** True when no check failed (warnings and skips do not fail a run). */
  readonly ok: boolean;
}

/** What `runChecks` resolves to; `--json` writes exactly this. */
export interface CheckReport {
  readonly tool: { readonly name: "@scimkit/check"; readonly version: string };
  readonly baseUrl: string;
  /** The prefix every resource the run created carries (and that it deleted). */
  readonly runPrefix: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly checks: readonly CheckResult[];
  readonly summary: CheckSummary;
  /** Resources the run could not delete afterwards (type and id); normally empty. */
  readonly leftovers: readonly string[];
}

/** A progress event, one per finished check. */
export interface CheckProgress {
  readonly done: number;
  readonly total: number;
  readonly result: CheckResult;
}

/** Options of `runChecks`. */
export interface RunChecksOptions {
  /** The SCIM base URL, e.g. `https://example.com/scim/v2` (no trailing slash needed). */
  readonly baseUrl: string;
  /** The bearer token, sent as `Authorization: Bearer <token>`; never written to a report. */
  readonly token: string;
  /**
   * Select checks by id: a pattern with `*` or `?` is a glob over the whole id
   * (`filter.*`), any other pattern a substring (`etag`). Several patterns: any matches.
   * @default every check
   */
  readonly only?: string | readonly string[];
  /** Vendor request-shape checks to run besides the RFC checks. @default "all" */
  readonly idp?: IdpSelection;
  /** The fetch to use, e.g. to run against an in-process handler. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** Checks run at once. @default 4 */
  readonly concurrency?: number;
  /** Time limit of one HTTP request, in milliseconds. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** Time limit of one check with all its requests, in milliseconds. @default 60000 */
  readonly checkTimeoutMs?: number;
  /** Called after each check finishes (the CLI draws its progress line from it). */
  readonly onProgress?: (progress: CheckProgress) => void;
  /** The run prefix; random when unset. Must start with a letter. @default "scimkit-check-<random>-" */
  readonly runPrefix?: string;
}
