/**
 * Entity tags (RFC 7644 §3.14): `meta.version` is a weak ETag built from the
 * store's monotonic record version (`versionTag`), so one number is the whole truth.
 */

/**
 * Whether a conditional header (`If-Match`, `If-None-Match`) names the version.
 * Accepts `*`, comma-separated lists, weak and strong forms (comparison is weak,
 * as RFC 7232 §2.3.2 allows for these headers on reads and SCIM's own examples).
 */
export function etagMatches(header: string, version: number): boolean {
  const wanted = String(version);
  for (const raw of header.split(",")) {
    const tag = raw.trim();
    if (tag === "*") return true;
    if (opaque(tag) === wanted) return true;
  }
  return false;
}

/**
 * The record version a single-tag `If-Match` names, for a version-guarded write;
 * `undefined` for `*`, lists, and tags this server never issued (those cannot
 * match any version, which the caller reports as 412).
 */
export function versionFromETag(header: string): number | undefined {
  const value = opaque(header.trim());
  if (value === undefined || !/^[1-9][0-9]{0,15}$/.test(value)) return undefined;
  return Number(value);
}

/** The version a request's If-Match names, for a version-guarded write (`*` guards nothing). */
export function ifMatchVersion(request: {
  readonly headers: Readonly<Record<string, string | undefined>>;
}): number | undefined {
  const ifMatch = request.headers["if-match"];
  if (ifMatch === undefined || ifMatch.trim() === "*") return undefined;
  return versionFromETag(ifMatch);
}

function opaque(tag: string): string | undefined {
  const bare = tag.startsWith("W/") ? tag.slice(2) : tag;
  if (bare.length >= 2 && bare.startsWith('"') && bare.endsWith('"')) return bare.slice(1, -1);
  // Some clients send the version without quotes; accept it as the opaque value.
  return bare.length > 0 && !bare.includes('"') ? bare : undefined;
}
