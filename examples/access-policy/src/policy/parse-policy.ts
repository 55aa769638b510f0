import { groupPolicyName } from "@scimkit/core";

/**
 * The policy file, in Tailscale's shape:
 *
 * ```json
 * { "domain": "example.com", "nestedGroups": false,
 *   "acls": [{ "action": "accept", "src": ["group:engineering@example.com"], "dst": ["tag:db:5432"] }] }
 * ```
 *
 * `parsePolicy` is total: any text in, a policy or a list of errors out.
 */

/** A group reference in a rule's `src`. */
export type GroupRef =
  /** `group:<name>@<domain>`: the group whose lower-cased display name is `name`. */
  | { readonly kind: "name"; readonly text: string; readonly name: string; readonly domain: string }
  /** `group:<id>` (no `@`): the group whose `externalId` or SCIM `id` is `id`. */
  | { readonly kind: "id"; readonly text: string; readonly id: string };

/** A rule's `dst` entry: `tag:<name>:<port>` or `tag:<name>:*`. */
export interface Destination {
  readonly text: string;
  readonly tag: string;
  readonly port: number | "*";
}

export interface PolicyRule {
  /** Position in `acls`, from 0: how `via` and the console name the rule. */
  readonly index: number;
  readonly src: readonly GroupRef[];
  readonly dst: readonly Destination[];
}

export interface Policy {
  /** The organisation's domain (lower-case); without it a name reference may name any domain. */
  readonly domain?: string;
  /** Whether members of a member group get the parent group's rules (transitively). */
  readonly nestedGroups: boolean;
  readonly rules: readonly PolicyRule[];
}

export type ParsePolicyResult =
  | { readonly ok: true; readonly policy: Policy }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Largest policy file read, in bytes. */
export const MAX_POLICY_BYTES = 1024 * 1024;
const MAX_RULES = 10_000;
const MAX_LIST = 1_000;
const MAX_ENTRY_LENGTH = 512;
const MAX_ERRORS = 20;

const TOP_LEVEL_KEYS = new Set(["domain", "nestedGroups", "acls"]);
const RULE_KEYS = new Set(["action", "src", "dst"]);
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const TAG_NAME = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;
const PORT = /^[0-9]{1,5}$/;
/** Visible ASCII without spaces: what an IdP's group id looks like (GUIDs, Okta's `00g...`). */
const ID = /^[\x21-\x7e]+$/;

/** An empty policy: grants nothing. What is in force before a first good file. */
export const EMPTY_POLICY: Policy = { nestedGroups: false, rules: [] };

/** Parses `tag:<name>:<port>` (`*` allowed for a rule, not for a request). */
export function parseDestination(
  text: string,
  options: { readonly allowAnyPort: boolean },
): Destination | string {
  const match = /^tag:([^:]*):([^:]*)$/.exec(text);
  const expected = options.allowAnyPort ? "tag:<name>:<port> or tag:<name>:*" : "tag:<name>:<port>";
  if (match === null) return `expected ${expected}, found ${JSON.stringify(text)}`;
  const [, tag, port] = match as unknown as [string, string, string];
  if (!TAG_NAME.test(tag)) {
    return `the tag name ${JSON.stringify(tag)} must start with a letter and have only letters, digits and "-" (at most 63)`;
  }
  if (port === "*" && options.allowAnyPort) return { text, tag, port: "*" };
  const number = Number(port);
  if (!PORT.test(port) || number < 1 || number > 65535) {
    return `the port ${JSON.stringify(port)} must be a number from 1 to 65535${options.allowAnyPort ? " or *" : ""}`;
  }
  return { text, tag, port: number };
}

/** Parses `group:<name>@<domain>` or `group:<id>`. */
export function parseGroupRef(text: string, domain: string | undefined): GroupRef | string {
  if (!text.startsWith("group:")) {
    return `expected group:<name>@<domain> or group:<id>, found ${JSON.stringify(text)}`;
  }
  const rest = text.slice("group:".length);
  const at = rest.lastIndexOf("@");
  if (at === -1) {
    if (!ID.test(rest)) {
      return `${JSON.stringify(text)} has no @<domain>, so it is read as a group id, and ids have no spaces: a group name needs its domain, e.g. ${JSON.stringify(`${text}@${domain ?? "example.com"}`)}`;
    }
    return { kind: "id", text, id: rest };
  }
  const name = groupPolicyName(rest.slice(0, at)) ?? "";
  const refDomain = rest.slice(at + 1).toLowerCase();
  if (name === "") return `${JSON.stringify(text)} names no group before the @`;
  if (name.includes("@")) {
    return `${JSON.stringify(text)}: group names that contain "@" cannot be referenced by name; refer to the group by its id (group:<externalId or id>)`;
  }
  if (!DOMAIN.test(refDomain)) {
    return `${JSON.stringify(text)}: ${JSON.stringify(refDomain)} is not a domain`;
  }
  if (domain !== undefined && refDomain !== domain) {
    return `${JSON.stringify(text)} names the domain ${refDomain}, but this policy's domain is ${domain}`;
  }
  return { kind: "name", text, name, domain: refDomain };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Reads the policy file's text. Every problem is reported (up to 20), with where it is. */
export function parsePolicy(text: string): ParsePolicyResult {
  if (text.length > MAX_POLICY_BYTES) {
    return { ok: false, errors: [`the policy file is larger than ${MAX_POLICY_BYTES} bytes`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`not valid JSON: ${(error as Error).message}`] };
  }
  const errors: string[] = [];
  const fail = (message: string) => {
    if (errors.length < MAX_ERRORS) errors.push(message);
  };
  if (!isRecord(json)) return { ok: false, errors: ["the policy must be a JSON object"] };
  for (const key of Object.keys(json)) {
    if (!TOP_LEVEL_KEYS.has(key)) {
      fail(`unknown key ${JSON.stringify(key)} (expected "acls", "domain", "nestedGroups")`);
    }
  }
  let domain: string | undefined;
  if (json.domain !== undefined) {
    if (typeof json.domain !== "string" || !DOMAIN.test(json.domain.toLowerCase())) {
      fail(`"domain" must be a domain name such as "example.com"`);
    } else {
      domain = json.domain.toLowerCase();
    }
  }
  let nestedGroups = false;
  if (json.nestedGroups !== undefined) {
    if (typeof json.nestedGroups !== "boolean") fail(`"nestedGroups" must be true or false`);
    else nestedGroups = json.nestedGroups;
  }
  const acls = json.acls;
  const rules: PolicyRule[] = [];
  if (!Array.isArray(acls)) {
    fail(`"acls" must be an array of rules`);
  } else if (acls.length > MAX_RULES) {
    fail(`"acls" has ${acls.length} rules; at most ${MAX_RULES} are allowed`);
  } else {
    for (const [index, rule] of (acls as unknown[]).entries()) {
      const at = `acls[${index}]`;
      if (!isRecord(rule)) {
        fail(`${at} must be an object`);
        continue;
      }
      for (const key of Object.keys(rule)) {
        if (!RULE_KEYS.has(key)) fail(`${at}: unknown key ${JSON.stringify(key)}`);
      }
      if (rule.action !== "accept") fail(`${at}.action must be "accept"`);
      const src = readList(rule.src, `${at}.src`, fail, (entry) => parseGroupRef(entry, domain));
      const dst = readList(rule.dst, `${at}.dst`, fail, (entry) =>
        parseDestination(entry, { allowAnyPort: true }),
      );
      if (src !== undefined && dst !== undefined) rules.push({ index, src, dst });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    policy: { ...(domain === undefined ? {} : { domain }), nestedGroups, rules },
  };
}

function readList<T>(
  value: unknown,
  at: string,
  fail: (message: string) => void,
  parse: (entry: string) => T | string,
): T[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    fail(`${at} must be a non-empty array of strings`);
    return undefined;
  }
  if (value.length > MAX_LIST) {
    fail(`${at} has ${value.length} entries; at most ${MAX_LIST} are allowed`);
    return undefined;
  }
  const parsed: T[] = [];
  let valid = true;
  for (const [index, entry] of (value as unknown[]).entries()) {
    if (typeof entry !== "string" || entry.length === 0 || entry.length > MAX_ENTRY_LENGTH) {
      valid = false;
      fail(`${at}[${index}] must be a string of 1 to ${MAX_ENTRY_LENGTH} characters`);
      continue;
    }
    const result = parse(entry);
    if (typeof result === "string") {
      valid = false;
      fail(`${at}[${index}]: ${result}`);
      continue;
    }
    parsed.push(result);
  }
  return valid ? parsed : undefined;
}
