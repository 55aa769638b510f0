/** User-Agent patterns of the IdPs scimkit is tested with, most specific first. */
const PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/okta/i, "okta"],
  [/google/i, "google"],
  [/onelogin/i, "onelogin"],
  [/jumpcloud/i, "jumpcloud"],
  [/authentik/i, "authentik"],
  [/ping ?(identity|one|federate)/i, "ping"],
  [/azure|microsoft|entra|\baad\b/i, "entra"],
];

/**
 * The IdP a request most likely came from, for the provisioning log: from the
 * User-Agent, or Entra's `aadOptscim062020` flag in the tenant URL. A guess
 * for people reading the log, never a security decision.
 */
export function guessIdp(
  userAgent: string | undefined,
  query: Readonly<Record<string, string>>,
): string | undefined {
  if (userAgent !== undefined) {
    for (const [pattern, idp] of PATTERNS) if (pattern.test(userAgent)) return idp;
  }
  for (const key of Object.keys(query))
    if (key.toLowerCase() === "aadoptscim062020") return "entra";
  return undefined;
}
