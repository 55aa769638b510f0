import type { HttpAnswer, JsonObject, RequestOptions } from "./scim-client";
import type { Area, CheckLevel } from "./types";

/** Features a server can say it does not offer; checks needing one are skipped. */
export type Capability =
  | "patch"
  | "bulk"
  | "filter"
  | "sort"
  | "etag"
  | "changePassword"
  | "cursor"
  | "groups"
  | "enterprise";

/** What the run learned from `/ServiceProviderConfig` and `/ResourceTypes`. */
export interface Capabilities {
  /** `false` only when the server said so; unknown counts as offered. */
  readonly offered: Readonly<Record<Capability, boolean>>;
  /** `bulk.maxOperations`, when advertised. */
  readonly bulkMaxOperations?: number;
  /** `filter.maxResults`, when advertised. */
  readonly maxResults?: number;
}

/** What a check can do: talk to the server and make tracked, prefixed resources. */
export interface CheckContext {
  /** `scimkit-check-<random>-`: every userName, displayName and externalId starts with it. */
  readonly prefix: string;
  /** The base URL checked, without a trailing slash. */
  readonly baseUrl: string;
  readonly capabilities: Capabilities;
  /** Endpoint paths of the User and Group resource types, e.g. `/Users`. */
  readonly users: string;
  readonly groups: string;
  request(method: string, path: string, options?: RequestOptions): Promise<HttpAnswer>;
  /** A fresh name: `<prefix><label>-<n>`. */
  unique(label: string): string;
  /** Creates a User (userName from `unique`), tracked for deletion; skips the check if it fails. */
  createUser(attributes?: JsonObject): Promise<JsonObject>;
  /** Creates a Group (displayName from `unique`), tracked for deletion; skips the check if it fails. */
  createGroup(attributes?: JsonObject): Promise<JsonObject>;
  /** Remembers a resource the check created some other way, so the run deletes it. */
  track(endpoint: string, id: unknown): void;
  /** A fixture shared by several checks, made once per run (a failure skips each user of it). */
  shared<T>(key: string, make: () => Promise<T>): Promise<T>;
}

export interface CheckDefinition {
  readonly id: string;
  readonly area: Area;
  readonly title: string;
  readonly ref: string;
  /** @default "must" */
  readonly level?: CheckLevel;
  readonly idp?: "entra" | "okta";
  /** What a passing server does, in words (the report's `expected`). */
  readonly expected: string;
  /** Features the check needs; when the server says one is not offered, it is skipped. */
  readonly requires?: readonly Capability[];
  /**
   * Runs the check: resolves (optionally to a description of what was seen) when
   * the server behaved, throws `CheckFailure` when not, `CheckSkip` when it cannot run.
   */
  readonly run: (context: CheckContext) => Promise<unknown>;
}

/** The server broke the rule: `got` says how. */
export class CheckFailure extends Error {
  constructor(
    readonly got: string,
    readonly expected?: string,
  ) {
    super(got);
    this.name = "CheckFailure";
  }
}

/** The check cannot run (a prerequisite failed); the run reports it as skipped. */
export class CheckSkip extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "CheckSkip";
  }
}

export const fail = (got: string, expected?: string): never => {
  throw new CheckFailure(got, expected);
};

export const skip = (reason: string): never => {
  throw new CheckSkip(reason);
};

/** `201`, or `400 invalidValue: "detail"`, or `200 (not JSON)`: an answer in one line. */
export function describe(answer: HttpAnswer): string {
  const body = answer.body;
  let text = `${answer.method} ${answer.path} answered ${answer.status}`;
  if (isObject(body) && Array.isArray(body.schemas) && body.schemas.includes(ERROR_SCHEMA)) {
    const scimType = typeof body.scimType === "string" ? ` ${body.scimType}` : "";
    const detail = typeof body.detail === "string" ? `: ${truncate(body.detail, 160)}` : "";
    text += `${scimType}${detail}`;
  } else if (answer.status >= 400 && answer.text !== "") {
    text += `: ${truncate(answer.text, 160)}`;
  }
  return text;
}

export function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/** JSON in one line, shortened, for `got` texts. */
export function show(value: unknown, length = 200): string {
  if (value === undefined) return "(absent)";
  return truncate(JSON.stringify(value), length);
}

export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
export const LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const SEARCH_REQUEST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
export const BULK_REQUEST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
export const BULK_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
export const RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
export const SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads `value.a.b.0.c` without throwing; `undefined` where the path breaks. */
export function pick(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof key === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[key];
    } else {
      if (!isObject(current)) return undefined;
      current = current[key];
    }
  }
  return current;
}

/** The status must be one of `allowed`; otherwise the check fails, describing the answer. */
export function expectStatus(answer: HttpAnswer, ...allowed: number[]): void {
  if (!allowed.includes(answer.status)) {
    fail(`${describe(answer)} (expected ${allowed.join(" or ")})`);
  }
}

/** The answer must be a JSON object; returns it. */
export function expectObject(answer: HttpAnswer): JsonObject {
  if (!isObject(answer.body)) {
    fail(`${answer.method} ${answer.path} answered ${answer.status} without a JSON object body`);
  }
  return answer.body as JsonObject;
}

/**
 * The answer must be a SCIM error with `status` (as the Error schema's string,
 * RFC 7644 §3.12) and, when `scimTypes` is given, one of those `scimType` values.
 */
export function expectError(answer: HttpAnswer, status: number, scimTypes?: string[]): void {
  expectStatus(answer, status);
  const body = answer.body;
  if (!isObject(body) || !Array.isArray(body.schemas) || !body.schemas.includes(ERROR_SCHEMA)) {
    fail(`${describe(answer)} without a SCIM Error body (schemas ["${ERROR_SCHEMA}"])`);
  }
  const error = body as JsonObject;
  if (error.status !== String(status)) {
    fail(`the Error body's status is ${show(error.status)}, not the string "${status}"`);
  }
  if (scimTypes !== undefined && !scimTypes.includes(String(error.scimType))) {
    fail(`${describe(answer)}; scimType ${show(error.scimType)} is not ${scimTypes.join(" or ")}`);
  }
}

/** The answer must be a ListResponse; returns its `Resources` (empty when absent). */
export function expectList(answer: HttpAnswer): JsonObject[] {
  expectStatus(answer, 200);
  const body = expectObject(answer);
  if (!Array.isArray(body.schemas) || !body.schemas.includes(LIST_RESPONSE_SCHEMA)) {
    fail(`${describe(answer)} but the body is not a ListResponse: ${show(body.schemas)}`);
  }
  const resources = body.Resources ?? [];
  if (!Array.isArray(resources)) fail(`Resources is ${show(resources)}, not an array`);
  return (resources as unknown[]).filter(isObject);
}

/** `equal` with a failure that shows both sides. */
export function expectEqual(label: string, got: unknown, expected: unknown): void {
  if (!jsonEqual(got, expected)) {
    fail(`${label} is ${show(got)}, expected ${show(expected)}`);
  }
}

/** Deep equality of JSON values (object key order ignored). */
export function jsonEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (Array.isArray(left) && Array.isArray(right)) {
    return (
      left.length === right.length && left.every((item, index) => jsonEqual(item, right[index]))
    );
  }
  if (isObject(left) && isObject(right)) {
    const keys = Object.keys(left);
    if (keys.length !== Object.keys(right).length) return false;
    return keys.every((key) => key in right && jsonEqual(left[key], right[key]));
  }
  return false;
}

/** Sorted ids of list resources, for set comparisons. */
export function idsOf(resources: readonly JsonObject[]): string[] {
  return resources.map((resource) => String(resource.id)).sort();
}

/** A PATCH request body. */
export function patchBody(...operations: unknown[]): JsonObject {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

/** Declares a check (identity function that fixes the type). */
export const check = (definition: CheckDefinition): CheckDefinition => definition;
