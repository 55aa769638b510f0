import { isDeepStrictEqual } from "node:util";
import { resolvePointer } from "./json-pointer";
import { type RawResponse, sendRawRequest } from "./send-raw-request";
import type { BodyAssertion, Trace, TraceStep } from "./trace";

/** Where to replay and the variables known before the first step. */
export interface ReplayOptions {
  /** Port of the server on 127.0.0.1. */
  readonly port: number;
  /** Mount path of the SCIM router, prepended to every step's path. @default "/scim/v2" */
  readonly basePath?: string;
  /** Initial variables, e.g. `{ token }`. */
  readonly variables?: Readonly<Record<string, string>>;
}

/** One request the runner sent and what came back. */
export interface ReplayExchange {
  readonly step: TraceStep;
  readonly method: string;
  readonly target: string;
  readonly response: RawResponse;
}

export interface ReplayResult {
  /** Every variable known at the end (initial and captured). */
  readonly variables: Readonly<Record<string, string>>;
  readonly exchanges: readonly ReplayExchange[];
}

/** A step whose response did not match; the message shows the request and the response. */
export class ReplayError extends Error {
  override readonly name = "ReplayError";
  constructor(
    message: string,
    readonly trace: string,
    readonly stepIndex: number,
    readonly exchange?: ReplayExchange,
  ) {
    super(message);
  }
}

const PLACEHOLDER = /\{\{([A-Za-z][A-Za-z0-9_]*)\}\}/g;

/** Fills `{{name}}` placeholders in every string of a JSON value; an unknown name is a trace bug. */
export function substitute<T>(value: T, variables: Readonly<Record<string, string>>): T {
  if (typeof value === "string") {
    return value.replace(PLACEHOLDER, (_match, name: string) => {
      const known = variables[name];
      if (known === undefined) throw new Error(`Unknown trace variable {{${name}}}.`);
      return known;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, variables)) as T;
  if (typeof value === "object" && value !== null && !(value instanceof RegExp)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        substitute(key, variables),
        substitute(item, variables),
      ]),
    ) as T;
  }
  return value;
}

const show = (value: unknown) => JSON.stringify(value) ?? "undefined";

/** Why an assertion failed, or `undefined` when it holds. */
function checkAssertion(body: unknown, assertion: BodyAssertion): string | undefined {
  const actual = resolvePointer(body, assertion.pointer);
  const at = `at "${assertion.pointer}"`;
  if ("equals" in assertion) {
    return isDeepStrictEqual(actual, assertion.equals)
      ? undefined
      : `${at}: expected ${show(assertion.equals)}, found ${show(actual)}`;
  }
  if ("notEquals" in assertion) {
    return isDeepStrictEqual(actual, assertion.notEquals)
      ? `${at}: expected anything but ${show(assertion.notEquals)}`
      : undefined;
  }
  if ("absent" in assertion) {
    return actual === undefined ? undefined : `${at}: expected absent, found ${show(actual)}`;
  }
  if ("present" in assertion) {
    return actual === undefined ? `${at}: expected a value, found none` : undefined;
  }
  if ("length" in assertion) {
    return Array.isArray(actual) && actual.length === assertion.length
      ? undefined
      : `${at}: expected an array of ${assertion.length}, found ${show(actual)}`;
  }
  // An absent multi-valued attribute is the empty set (RFC 7643 §2.5).
  const items = actual === undefined ? [] : actual;
  if (!Array.isArray(items)) return `${at}: expected an array, found ${show(actual)}`;
  const found = items
    .map((item) => (typeof item === "object" && item !== null ? item.value : undefined))
    .map(String)
    .sort();
  const expected = [...assertion.values].sort();
  return isDeepStrictEqual(found, expected)
    ? undefined
    : `${at}: expected values ${show(expected)}, found ${show(found)}`;
}

function headerValue(response: RawResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Every reason the response does not match the step's expectation. */
function mismatches(step: TraceStep, response: RawResponse): string[] {
  const expectation = step.expect;
  const problems: string[] = [];
  const statuses =
    typeof expectation.status === "number" ? [expectation.status] : expectation.status;
  if (!statuses.includes(response.status)) {
    problems.push(`expected status ${statuses.join(" or ")}, got ${response.status}`);
    return problems;
  }
  for (const [name, pattern] of Object.entries(expectation.headers ?? {})) {
    const actual = headerValue(response, name);
    const matches =
      actual !== undefined &&
      (typeof pattern === "string" ? actual === pattern : pattern.test(actual));
    if (!matches)
      problems.push(`header ${name}: expected ${String(pattern)}, found ${show(actual)}`);
  }
  if (expectation.body !== undefined) {
    const requireBody = expectation.requireBody ?? response.status !== 204;
    if (response.body === undefined) {
      if (requireBody) problems.push("expected a JSON body, found none");
    } else {
      for (const assertion of expectation.body) {
        const problem = checkAssertion(response.body, assertion);
        if (problem !== undefined) problems.push(problem);
      }
    }
  }
  return problems;
}

const truncate = (text: string, length = 1500) =>
  text.length > length ? `${text.slice(0, length)}...` : text;

/**
 * Replays a trace step by step over HTTP and stops at the first step whose
 * response does not match, throwing a ReplayError that shows the request, the
 * source it came from and the response.
 */
export async function replayTrace(trace: Trace, options: ReplayOptions): Promise<ReplayResult> {
  const basePath = options.basePath ?? "/scim/v2";
  const variables: Record<string, string> = { ...options.variables };
  const exchanges: ReplayExchange[] = [];
  for (const [index, step] of trace.steps.entries()) {
    const label = `${trace.id} step ${index + 1} "${step.name}" ${step.source}`;
    const request = substitute(step.request, variables);
    const expectStep: TraceStep = { ...step, expect: substitute(step.expect, variables) };
    const headers: Record<string, string> = {};
    const given = request.headers ?? {};
    const hasAuthorization = Object.keys(given).some(
      (name) => name.toLowerCase() === "authorization",
    );
    if (!hasAuthorization && variables.token !== undefined) {
      headers.Authorization = `Bearer ${variables.token}`;
    }
    for (const [name, value] of Object.entries(given)) if (value !== null) headers[name] = value;
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    if (
      body !== undefined &&
      !Object.keys(headers).some((name) => name.toLowerCase() === "content-type")
    ) {
      headers["Content-Type"] = "application/scim+json";
    }
    const target = `${basePath}${request.path}`;
    const response = await sendRawRequest(options.port, {
      method: request.method,
      target,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const exchange: ReplayExchange = { step, method: request.method, target, response };
    exchanges.push(exchange);
    const problems = mismatches(expectStep, response);
    for (const [name, pointer] of Object.entries(step.capture ?? {})) {
      const value = resolvePointer(response.body, pointer);
      if (typeof value === "string" || typeof value === "number") variables[name] = String(value);
      else problems.push(`cannot capture {{${name}}} from "${pointer}": found ${show(value)}`);
    }
    if (problems.length > 0) {
      throw new ReplayError(
        [
          `${label}: ${problems.join("; ")}`,
          `> ${request.method} ${target}`,
          ...(body === undefined ? [] : [`> ${truncate(body, 600)}`]),
          `< ${response.status} ${truncate(response.text)}`,
        ].join("\n"),
        trace.id,
        index,
        exchange,
      );
    }
  }
  return { variables, exchanges };
}
