const ENCODED_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Query parameters beyond this many are ignored (the service reads fewer than ten). */
export const MAX_QUERY_PARAMETERS = 256;

/** The tolerant path of {@link decodeComponent}, for text `decodeURIComponent` refuses. */
export function decodeTolerantly(text: string): string {
  return text.replace(ENCODED_RUN, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let index = 0; index < bytes.length; index++) {
      bytes[index] = Number.parseInt(run.slice(index * 3 + 1, index * 3 + 3), 16);
    }
    return utf8.decode(bytes);
  });
}

/**
 * Percent-decodes text without ever failing: valid `%XX` runs become UTF-8 text
 * (invalid byte sequences become U+FFFD), a stray `%` or `%zz` stays as it is, and raw
 * characters such as `"` pass through. `plusAsSpace` applies form encoding (`+` is a space).
 */
export function decodeComponent(text: string, plusAsSpace: boolean): string {
  const spaced = plusAsSpace && text.includes("+") ? text.replaceAll("+", " ") : text;
  if (!spaced.includes("%")) return spaced;
  // The native decoder agrees with the tolerant one wherever it succeeds, and is
  // several times faster on the percent-encoded filters Okta and Google send.
  try {
    return decodeURIComponent(spaced);
  } catch {
    return decodeTolerantly(spaced);
  }
}

/**
 * Parses the query string of a request target (`/Users?filter=userName+eq+"x"`).
 * Keys and values are decoded with {@link decodeComponent}; for a repeated key the
 * first value wins; a key without `=` has the value `""`; empty keys are skipped.
 */
export function parseQuery(target: string): Record<string, string> {
  const start = target.indexOf("?");
  if (start === -1) return {};
  const end = target.indexOf("#", start);
  const search = target.slice(start + 1, end === -1 ? undefined : end);
  const result = new Map<string, string>();
  let seen = 0;
  for (const part of search.split("&")) {
    if (part.length === 0) continue;
    if (++seen > MAX_QUERY_PARAMETERS) break;
    const equals = part.indexOf("=");
    const key = decodeComponent(equals === -1 ? part : part.slice(0, equals), true);
    if (key.length === 0 || result.has(key)) continue;
    result.set(key, equals === -1 ? "" : decodeComponent(part.slice(equals + 1), true));
  }
  // fromEntries defines own properties, so a `__proto__` key cannot touch the prototype.
  return Object.fromEntries(result);
}

/**
 * The path part of a request target, percent-decoded per segment (`+` stays a `+`
 * in paths), always starting with `/`.
 */
export function decodePath(target: string): string {
  let end = target.length;
  for (let index = 0; index < target.length; index++) {
    const code = target.charCodeAt(index);
    if (code === 0x3f || code === 0x23) {
      end = index;
      break;
    }
  }
  const raw = target.slice(0, end);
  const decoded = raw.includes("%")
    ? raw
        .split("/")
        .map((segment) => decodeComponent(segment, false))
        .join("/")
    : raw;
  return decoded.startsWith("/") ? decoded : `/${decoded}`;
}
