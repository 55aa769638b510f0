import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { formatJson } from "../reports/format-json";
import { formatJunit } from "../reports/format-junit";
import { formatText } from "../reports/format-text";
import { listChecks, runChecks } from "../run-checks";
import { selectChecks } from "../select-checks";
import type { CheckInfo, CheckReport, IdpSelection } from "../types";
import { VERSION } from "../version";
import { parseArguments, USAGE } from "./parse-arguments";

/** Where the CLI writes; a test passes strings it can read back. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly env: Record<string, string | undefined>;
  /** @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
}

/** Runs `scimkit-check` and resolves to its exit code: 0 ok, 1 failed checks, 2 usage error. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArguments(argv, io.env);
  switch (parsed.kind) {
    case "help":
      io.stdout.write(`${USAGE}\n`);
      return 0;
    case "version":
      io.stdout.write(`${VERSION}\n`);
      return 0;
    case "error":
      io.stderr.write(`scimkit-check: ${parsed.message}\n\n${USAGE}\n`);
      return 2;
    case "list": {
      const selected = selectInfos(parsed.only, parsed.idp);
      for (const info of selected) io.stdout.write(`${info.id}\t${info.level}\t${info.ref}\n`);
      io.stdout.write(`${selected.length} checks\n`);
      return 0;
    }
    case "run":
      break;
  }
  const { options } = parsed;
  if (selectInfos(options.only, options.idp).length === 0) {
    io.stderr.write(`scimkit-check: no check matches --only ${options.only.join(",")}\n`);
    return 2;
  }
  // Colour and the progress line only for a person at a terminal (https://no-color.org).
  const tty = io.stdout.isTTY === true;
  const color = tty && (io.env.NO_COLOR === undefined || io.env.NO_COLOR === "");
  let progressShown = false;
  let report: CheckReport;
  try {
    report = await runChecks({
      baseUrl: options.baseUrl,
      token: options.token,
      only: options.only,
      idp: options.idp,
      ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
      onProgress: tty
        ? ({ done, total, result }) => {
            progressShown = true;
            io.stdout.write(`\r\u001b[K[${done}/${total}] ${result.id}`);
          }
        : undefined,
    });
  } catch (error) {
    if (progressShown) io.stdout.write("\r\u001b[K");
    io.stderr.write(`scimkit-check: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (progressShown) io.stdout.write("\r\u001b[K");
  for (const [file, text] of [
    [options.json, () => formatJson(report)],
    [options.junit, () => formatJunit(report)],
  ] as const) {
    if (file === undefined) continue;
    try {
      await mkdir(path.dirname(path.resolve(file)), { recursive: true });
      await writeFile(file, text());
    } catch (error) {
      io.stderr.write(
        `scimkit-check: could not write ${file}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return 2;
    }
  }
  io.stdout.write(formatText(report, { color }));
  return report.summary.ok ? 0 : 1;
}

/** The checks `--only` and `--idp` select, by the rules `runChecks` applies. */
const selectInfos = (only: readonly string[], idp: IdpSelection): CheckInfo[] =>
  selectChecks(listChecks(), { only, idp });
