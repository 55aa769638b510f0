/**
 * A recorded-shape trace: the HTTP requests one identity provider sends during
 * a provisioning lifecycle, written from the vendor's documented request shapes
 * (the research notes' §4, cited per step), with what a correct server answers.
 *
 * Strings anywhere in a request or an expected value may contain `{{name}}`
 * placeholders, filled from variables captured by earlier steps (or given to the
 * runner, e.g. `{{token}}`).
 */
export interface Trace {
  /** Short stable identifier, used in test names: `entra`, `okta-oin`, ... */
  readonly id: string;
  /** The client as an operator would name it: "Microsoft Entra ID (aadOptscim062020)". */
  readonly client: string;
  /** What this trace exercises and what it assumes where the documentation is silent. */
  readonly description: string;
  readonly steps: readonly TraceStep[];
}

/**
 * One request and what it must produce.
 *
 * `kind: "idp"` (the default) is a request the IdP itself sends; `kind: "check"` is
 * an observation the replay adds (a GET nobody in the IdP's flow would send) to
 * prove the previous request had the documented effect.
 */
export interface TraceStep {
  readonly name: string;
  /**
   * Where the request shape comes from, as a source id of the research notes
   * (`[E1]`, `[O1]`, `[authentik A1]`, `[authentik#25837]`), or for a check the
   * requirement it verifies.
   */
  readonly source: string;
  /** @default "idp" */
  readonly kind?: "idp" | "check";
  readonly request: TraceRequest;
  readonly expect: TraceExpectation;
  /** Variables to capture from the response body: name -> JSON Pointer (RFC 6901). */
  readonly capture?: Readonly<Record<string, string>>;
}

export interface TraceRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /**
   * Path and query string relative to the tenant URL, byte for byte as the IdP
   * puts them on the wire (raw `"`, `+` for spaces, `%20`, flags). The runner
   * prepends the mount path (`/scim/v2`) and nothing else.
   */
  readonly path: string;
  /**
   * Headers as sent. `Authorization` defaults to `Bearer {{token}}` unless set
   * here (use `null` to send none).
   */
  readonly headers?: Readonly<Record<string, string | null>>;
  /** JSON body, serialised with `JSON.stringify`. */
  readonly body?: unknown;
}

export interface TraceExpectation {
  /** The status, or the statuses the RFC allows (PATCH: 200 or 204). */
  readonly status: number | readonly number[];
  /** Response headers (lower-case names) and a value or pattern each must match. */
  readonly headers?: Readonly<Record<string, string | RegExp>>;
  /** Assertions on the JSON body, checked only when the response has one unless `requireBody`. */
  readonly body?: readonly BodyAssertion[];
  /** Fail when the response has no body (e.g. a POST must return the resource). @default true when `body` is given and status is not 204 */
  readonly requireBody?: boolean;
}

/** One assertion on the value found at `pointer` (RFC 6901 JSON Pointer, `""` = whole body). */
export type BodyAssertion =
  /** Deep-equal, after placeholder substitution. */
  | { readonly pointer: string; readonly equals: unknown }
  /** Not deep-equal (e.g. a re-created user's id differs from the old one). */
  | { readonly pointer: string; readonly notEquals: unknown }
  /** The pointer resolves to nothing (attribute absent). */
  | { readonly pointer: string; readonly absent: true }
  /** The pointer resolves to a value other than `undefined`. */
  | { readonly pointer: string; readonly present: true }
  /** An array of this length. */
  | { readonly pointer: string; readonly length: number }
  /** An array of objects whose `value`s are exactly these ids, in any order (`[]` allowed). */
  | { readonly pointer: string; readonly values: readonly string[] };
