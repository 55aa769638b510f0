import type { CheckDefinition } from "./check";
import type { IdpSelection } from "./types";

export interface Selection {
  /** Patterns: with `*` or `?` a glob over the whole id, otherwise a substring. */
  readonly only?: string | readonly string[] | undefined;
  readonly idp: IdpSelection;
}

/** Whether `id` matches one `--only` pattern (see `Selection.only`). */
export function matchesPattern(id: string, pattern: string): boolean {
  if (!/[*?]/.test(pattern)) return id.includes(pattern);
  const source = pattern
    .split("")
    .map((character) => {
      if (character === "*") return ".*";
      if (character === "?") return ".";
      return character.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${source}$`).test(id);
}

/** The checks a run executes, in definition order. */
export function selectChecks<T extends Pick<CheckDefinition, "id" | "idp">>(
  checks: readonly T[],
  selection: Selection,
): T[] {
  if (selection.idp !== "all" && selection.idp !== "entra" && selection.idp !== "okta") {
    throw new TypeError(`@scimkit/check: \`idp\` must be entra, okta or all.`);
  }
  const patterns = (
    selection.only === undefined
      ? []
      : typeof selection.only === "string"
        ? [selection.only]
        : [...selection.only]
  )
    .flatMap((pattern) => pattern.split(","))
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== "");
  return checks.filter(
    (definition) =>
      (definition.idp === undefined ||
        selection.idp === "all" ||
        definition.idp === selection.idp) &&
      (patterns.length === 0 || patterns.some((pattern) => matchesPattern(definition.id, pattern))),
  );
}
