import { parseArgs } from "node:util";
import type { IdpSelection } from "../types";

export const USAGE = `Usage: scimkit-check <baseUrl> --token <token> [options]

Runs the SCIM 2.0 conformance checks against the server at <baseUrl>
(e.g. https://example.com/scim/v2). Everything it creates is named
scimkit-check-<random>-... and deleted at the end.

Options:
  --token <token>     bearer token (or set SCIMKIT_CHECK_TOKEN)
  --json <file>       write the JSON report to <file>
  --junit <file>      write a JUnit XML report to <file>
  --only <pattern>    run only matching check ids; a pattern with * or ? is a
                      glob over the whole id (filter.*), otherwise a substring
                      (etag); repeat the flag or separate patterns with commas
  --idp <name>        vendor request-shape checks to run with the RFC checks:
                      entra, okta or all (default: all)
  --list              list the checks (id, level, ref) and exit
  -h, --help          show this help
  -v, --version       show the version

Exit codes: 0 no check failed (warnings and skips allowed), 1 a check failed,
2 usage error.`;

export interface CliOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly json?: string;
  readonly junit?: string;
  readonly only: string[];
  readonly idp: IdpSelection;
}

export type ParsedArguments =
  | { readonly kind: "run"; readonly options: CliOptions }
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | { readonly kind: "list"; readonly only: string[]; readonly idp: IdpSelection }
  | { readonly kind: "error"; readonly message: string };

const IDPS: readonly IdpSelection[] = ["entra", "okta", "all"];

/** Parses the command line; never throws (a usage error is a value). */
export function parseArguments(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): ParsedArguments {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return { kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: "help" };
  if (values.version === true) return { kind: "version" };
  const idp = values.idp ?? "all";
  if (!IDPS.includes(idp as IdpSelection)) {
    return { kind: "error", message: `--idp must be entra, okta or all, got "${idp}".` };
  }
  const only = values.only ?? [];
  if (values.list === true) return { kind: "list", only, idp: idp as IdpSelection };
  if (positionals.length === 0) return { kind: "error", message: "Missing <baseUrl>." };
  if (positionals.length > 1) {
    return {
      kind: "error",
      message: `Expected one <baseUrl>, got ${positionals.length} arguments.`,
    };
  }
  const baseUrl = positionals[0] as string;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { kind: "error", message: `<baseUrl> "${baseUrl}" is not a URL.` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { kind: "error", message: `<baseUrl> must be an http or https URL, got "${baseUrl}".` };
  }
  if (url.search !== "" || url.hash !== "") {
    return { kind: "error", message: "<baseUrl> must not carry a query or fragment." };
  }
  const token = values.token ?? env.SCIMKIT_CHECK_TOKEN ?? "";
  if (token === "") {
    return {
      kind: "error",
      message: "Missing --token (or the SCIMKIT_CHECK_TOKEN environment variable).",
    };
  }
  for (const name of ["json", "junit"] as const) {
    if (values[name] === "") return { kind: "error", message: `--${name} needs a file name.` };
  }
  return {
    kind: "run",
    options: {
      baseUrl,
      token,
      ...(values.json === undefined ? {} : { json: values.json }),
      ...(values.junit === undefined ? {} : { junit: values.junit }),
      only,
      idp: idp as IdpSelection,
    },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      token: { type: "string" },
      json: { type: "string" },
      junit: { type: "string" },
      only: { type: "string", multiple: true },
      idp: { type: "string" },
      list: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
}
