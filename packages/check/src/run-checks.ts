import {
  type Capabilities,
  type Capability,
  type CheckContext,
  type CheckDefinition,
  CheckFailure,
  CheckSkip,
  describe,
  GROUP_SCHEMA,
  isObject,
  pick,
  USER_SCHEMA,
} from "./check";
import { ALL_CHECKS } from "./checks";
import { createScimClient, type JsonObject, RequestError, type ScimClient } from "./scim-client";
import { selectChecks } from "./select-checks";
import type { CheckInfo, CheckReport, CheckResult, CheckSummary, RunChecksOptions } from "./types";
import { VERSION } from "./version";

const CAPABILITY_NAMES: Record<Capability, string> = {
  patch: "PATCH (patch.supported is false)",
  bulk: "Bulk (bulk.supported is false)",
  filter: "filtering (filter.supported is false)",
  sort: "sorting (sort.supported is false)",
  etag: "ETags (etag.supported is false)",
  changePassword: "password changes (changePassword.supported is false)",
  cursor: "cursor pagination (pagination.cursor is not true)",
  groups: "a Group resource type (/ResourceTypes lists none)",
  enterprise: "the EnterpriseUser extension (the User resource type does not list it)",
};

/** What every check is, without running anything: id, area, title, ref, level. */
export function listChecks(): CheckInfo[] {
  return ALL_CHECKS.map(toInfo);
}

/**
 * Runs the conformance checks against a SCIM server and resolves to the report
 * (it never rejects because of what the server does; it rejects with TypeError
 * on invalid options). Everything it creates carries the run prefix and is
 * deleted before it resolves, also when checks fail or time out.
 *
 * ```ts
 * const report = await runChecks({ baseUrl: "http://127.0.0.1:8080/scim/v2", token });
 * if (!report.summary.ok) process.exitCode = 1;
 * ```
 */
export async function runChecks(options: RunChecksOptions): Promise<CheckReport> {
  const baseUrl = validateBaseUrl(options.baseUrl);
  if (typeof options.token !== "string" || options.token === "") {
    throw new TypeError("@scimkit/check: `token` must be a non-empty string.");
  }
  const concurrency = positiveInteger(options.concurrency ?? 4, "concurrency");
  const requestTimeoutMs = positiveInteger(options.requestTimeoutMs ?? 10_000, "requestTimeoutMs");
  const checkTimeoutMs = positiveInteger(options.checkTimeoutMs ?? 60_000, "checkTimeoutMs");
  const prefix = options.runPrefix ?? `scimkit-check-${randomHex(8)}-`;
  if (!/^[a-z][a-z0-9-]*$/i.test(prefix)) {
    throw new TypeError("@scimkit/check: `runPrefix` must be letters, digits and dashes.");
  }
  const selected = selectChecks(ALL_CHECKS, { only: options.only, idp: options.idp ?? "all" });
  const started = Date.now();
  const stop = new AbortController();
  const client = createScimClient({
    baseUrl,
    token: options.token,
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: requestTimeoutMs,
    signal: stop.signal,
  });
  const tracked = new Map<string, Set<string>>();
  const results: CheckResult[] = [];
  let leftovers: string[] = [];
  try {
    const discovered = await discover(client);
    if (discovered.unreachable !== undefined) {
      const reason = `the server did not answer: ${discovered.unreachable}`;
      results.push(connectionFailure(reason));
      for (const definition of selected) results.push(skipped(definition, reason));
    } else {
      const context = createContext(client, baseUrl, prefix, discovered, tracked);
      let done = 0;
      const total = selected.length;
      const ordered = await mapBounded(selected, concurrency, async (definition) => {
        const result = await runOne(definition, context, checkTimeoutMs);
        done += 1;
        options.onProgress?.({ done, total, result });
        return result;
      });
      results.push(...ordered);
    }
  } finally {
    leftovers = await cleanUp(client, prefix, tracked);
    stop.abort();
  }
  const redacted = results.map((result) => redact(result, options.token));
  return {
    tool: { name: "@scimkit/check", version: VERSION },
    baseUrl,
    runPrefix: prefix,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    checks: redacted,
    summary: summarize(redacted),
    leftovers,
  };
}

export function summarize(results: readonly CheckResult[]): CheckSummary {
  const count = (status: CheckResult["status"]) =>
    results.filter((result) => result.status === status).length;
  const failed = count("failed");
  return {
    total: results.length,
    passed: count("passed"),
    failed,
    warned: count("warned"),
    skipped: count("skipped"),
    ok: failed === 0,
  };
}

interface Discovered {
  readonly unreachable?: string;
  readonly capabilities: Capabilities;
  readonly users: string;
  readonly groups: string;
}

/** Reads /ServiceProviderConfig and /ResourceTypes once, to know what to skip. */
async function discover(client: ScimClient): Promise<Discovered> {
  const offered: Record<Capability, boolean> = {
    patch: true,
    bulk: true,
    filter: true,
    sort: true,
    etag: true,
    changePassword: true,
    cursor: true,
    groups: true,
    enterprise: true,
  };
  let spc: unknown;
  try {
    const answer = await client.request("GET", "/ServiceProviderConfig");
    if (answer.status === 200) spc = answer.body;
  } catch (error) {
    if (error instanceof RequestError) {
      return { unreachable: error.message, capabilities: { offered }, users: "", groups: "" };
    }
    throw error;
  }
  // Only an explicit `false` turns a feature off: a server that does not say is checked.
  for (const name of ["patch", "bulk", "filter", "sort", "etag", "changePassword"] as const) {
    if (pick(spc, name, "supported") === false) offered[name] = false;
  }
  offered.cursor = pick(spc, "pagination", "cursor") === true;
  let users = "/Users";
  let groups = "/Groups";
  try {
    const answer = await client.request("GET", "/ResourceTypes");
    const types = pick(answer.body, "Resources");
    if (answer.status === 200 && Array.isArray(types)) {
      const user = types.find((type) => pick(type, "schema") === USER_SCHEMA);
      const group = types.find((type) => pick(type, "schema") === GROUP_SCHEMA);
      if (typeof pick(user, "endpoint") === "string") users = endpointPath(pick(user, "endpoint"));
      if (group === undefined) offered.groups = false;
      else if (typeof pick(group, "endpoint") === "string") {
        groups = endpointPath(pick(group, "endpoint"));
      }
      const extensions = pick(user, "schemaExtensions");
      offered.enterprise =
        Array.isArray(extensions) &&
        extensions.some(
          (extension) =>
            pick(extension, "schema") ===
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        );
    }
  } catch {
    // Discovery checks report this; the other checks use the RFC's default endpoints.
  }
  const bulkMax = pick(spc, "bulk", "maxOperations");
  const maxResults = pick(spc, "filter", "maxResults");
  return {
    capabilities: {
      offered,
      ...(typeof bulkMax === "number" ? { bulkMaxOperations: bulkMax } : {}),
      ...(typeof maxResults === "number" ? { maxResults } : {}),
    },
    users,
    groups,
  };
}

function endpointPath(value: unknown): string {
  const text = String(value);
  return text.startsWith("/") ? text : `/${text}`;
}

function createContext(
  client: ScimClient,
  baseUrl: string,
  prefix: string,
  discovered: Discovered,
  tracked: Map<string, Set<string>>,
): CheckContext {
  let counter = 0;
  const fixtures = new Map<string, Promise<unknown>>();
  const track = (endpoint: string, id: unknown) => {
    if (typeof id !== "string" || id === "") return;
    const ids = tracked.get(endpoint) ?? new Set<string>();
    tracked.set(endpoint, ids);
    ids.add(id);
  };
  const create = async (endpoint: string, body: JsonObject, what: string) => {
    const answer = await client.request("POST", endpoint, { body });
    if (isObject(answer.body)) track(endpoint, answer.body.id);
    if (answer.status !== 201 || !isObject(answer.body) || typeof answer.body.id !== "string") {
      throw new CheckSkip(`prerequisite failed: could not create ${what}: ${describe(answer)}`);
    }
    return answer.body;
  };
  const context: CheckContext = {
    prefix,
    baseUrl,
    capabilities: discovered.capabilities,
    users: discovered.users,
    groups: discovered.groups,
    request: (method, path, options) => client.request(method, path, options),
    unique: (label) => {
      counter += 1;
      return `${prefix}${label}-${counter}`;
    },
    createUser: (attributes = {}) =>
      create(
        discovered.users,
        {
          schemas: [USER_SCHEMA],
          userName: `${context.unique("user")}@example.com`,
          ...attributes,
        },
        "a user",
      ),
    createGroup: (attributes = {}) =>
      create(
        discovered.groups,
        { schemas: [GROUP_SCHEMA], displayName: context.unique("group"), ...attributes },
        "a group",
      ),
    track,
    shared: <T>(key: string, make: () => Promise<T>): Promise<T> => {
      let fixture = fixtures.get(key) as Promise<T> | undefined;
      if (fixture === undefined) {
        fixture = make();
        fixtures.set(key, fixture);
      }
      return fixture.catch((error: unknown) => {
        if (error instanceof CheckSkip) throw error;
        const message = error instanceof Error ? error.message : String(error);
        throw new CheckSkip(`prerequisite failed: fixture "${key}": ${message}`);
      });
    },
  };
  return context;
}

async function runOne(
  definition: CheckDefinition,
  context: CheckContext,
  timeoutMs: number,
): Promise<CheckResult> {
  const missing = (definition.requires ?? []).find(
    (capability) => !context.capabilities.offered[capability],
  );
  if (missing !== undefined) {
    return skipped(definition, `the server does not offer ${CAPABILITY_NAMES[missing]}`);
  }
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CheckFailure(`the check did not finish within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    const got = await Promise.race([definition.run(context), timeout]);
    return result(definition, "passed", typeof got === "string" ? got : "as expected", elapsed());
  } catch (error) {
    if (error instanceof CheckSkip) return { ...skipped(definition, error.reason) };
    if (error instanceof CheckFailure) {
      const status = (definition.level ?? "must") === "should" ? "warned" : "failed";
      return {
        ...result(definition, status, error.got, elapsed()),
        ...(error.expected === undefined ? {} : { expected: error.expected }),
      };
    }
    // A request without an answer, or a bug in the check: reported, never thrown.
    const message = error instanceof Error ? error.message : String(error);
    return result(definition, "failed", message, elapsed());
  } finally {
    clearTimeout(timer);
  }
}

function toInfo(definition: CheckDefinition): CheckInfo {
  return {
    id: definition.id,
    area: definition.area,
    title: definition.title,
    ref: definition.ref,
    level: definition.level ?? "must",
    ...(definition.idp === undefined ? {} : { idp: definition.idp }),
  };
}

function result(
  definition: CheckDefinition,
  status: CheckResult["status"],
  got: string,
  durationMs: number,
): CheckResult {
  return { ...toInfo(definition), status, expected: definition.expected, got, durationMs };
}

function skipped(definition: CheckDefinition, reason: string): CheckResult {
  return { ...result(definition, "skipped", "", 0), reason };
}

function connectionFailure(reason: string): CheckResult {
  return {
    id: "discovery.connect",
    area: "discovery",
    title: "The server answers HTTP requests at the base URL.",
    ref: "RFC 7644 §3",
    level: "must",
    status: "failed",
    expected: "an HTTP answer to GET /ServiceProviderConfig",
    got: reason,
    durationMs: 0,
  };
}

/** Deletes what the run created: tracked ids first, then anything left with the prefix. */
async function cleanUp(
  client: ScimClient,
  prefix: string,
  tracked: Map<string, Set<string>>,
): Promise<string[]> {
  const leftovers: string[] = [];
  const remove = async (endpoint: string, id: string) => {
    try {
      const answer = await client.request("DELETE", `${endpoint}/${encodeURIComponent(id)}`);
      if (answer.status >= 300 && answer.status !== 404) leftovers.push(`${endpoint}/${id}`);
    } catch {
      leftovers.push(`${endpoint}/${id}`);
    }
  };
  // Groups first: deleting a member user first would make some servers rewrite groups.
  const endpoints = [...tracked.keys()].sort((a, b) => groupFirst(a) - groupFirst(b));
  for (const endpoint of endpoints) {
    await mapBounded([...(tracked.get(endpoint) ?? [])], 4, (id) => remove(endpoint, id));
  }
  // A sweep by prefix catches what a failed check created without learning its id.
  for (const [endpoint, attribute] of [
    ["/Groups", "displayName"],
    ["/Users", "userName"],
  ] as const) {
    const target = endpoints.find((known) => known.toLowerCase() === endpoint.toLowerCase());
    const path = target ?? endpoint;
    try {
      const answer = await client.request("GET", path, {
        query: { filter: `${attribute} sw "${prefix}"`, count: 1000, attributes: "id" },
      });
      const found = pick(answer.body, "Resources");
      if (answer.status !== 200 || !Array.isArray(found)) continue;
      const ids = found
        .map((resource) => pick(resource, "id"))
        .filter((id): id is string => typeof id === "string");
      await mapBounded(ids, 4, (id) => remove(path, id));
    } catch {
      // The sweep is best effort; tracked deletions above already ran.
    }
  }
  return [...new Set(leftovers)];
}

const groupFirst = (endpoint: string) => (/group/i.test(endpoint) ? 0 : 1);

/** Runs `work` over `items` with at most `limit` at once, keeping the input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const output: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      output[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return output;
}

/**
 * The run never writes the token; this also hides it if a server echoes it back.
 * Tokens shorter than 8 characters are test tokens whose text collides with words.
 */
function redact(result: CheckResult, token: string): CheckResult {
  const clean = (text: string) => (token.length < 8 ? text : text.split(token).join("[token]"));
  return {
    ...result,
    expected: clean(result.expected),
    got: clean(result.got),
    ...(result.reason === undefined ? {} : { reason: clean(result.reason) }),
  };
}

function validateBaseUrl(value: unknown): string {
  if (typeof value !== "string") throw new TypeError("@scimkit/check: `baseUrl` must be a URL.");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`@scimkit/check: \`baseUrl\` "${value}" is not a URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(
      `@scimkit/check: \`baseUrl\` must be http or https, got "${url.protocol}".`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new TypeError("@scimkit/check: `baseUrl` must not have a query or fragment.");
  }
  return value.replace(/\/+$/, "");
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`@scimkit/check: \`${name}\` must be a positive integer.`);
  }
  return value;
}

function randomHex(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, length);
}
