/**
 * The framework-agnostic protocol boundary: an HTTP adapter (e.g. @scimkit/express)
 * turns its request into a `ScimRequest`, calls `handle`, and writes the
 * `ScimResponse` back. Nothing here knows about any web framework.
 */

export interface ScimRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /**
   * The path below the SCIM mount point, starting with `/`, percent-decoded per
   * segment: `/Users`, `/Users/2819c223`, `/.search`, `/Schemas/urn:...:User`.
   */
  readonly path: string;
  /**
   * Query parameters, decoded (`+` already turned into a space). Repeated keys keep
   * the first value. Unknown parameters are ignored by the service.
   */
  readonly query: Readonly<Record<string, string>>;
  /** Request headers with lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The parsed JSON body, `undefined` when the request had none. */
  readonly body?: unknown;
  /** The tenant the credentials belong to; scopes every store call. */
  readonly tenant: string;
  /**
   * Absolute URL of the SCIM mount point without a trailing slash, e.g.
   * `https://app.example.com/scim/v2`; used for `meta.location` and `Location`.
   */
  readonly baseUrl: string;
  /**
   * The id of the stored token that authenticated the request (absent for
   * static tokens), for the provisioning log and per-token rate limits.
   */
  readonly tokenId?: string;
}

export interface ScimResponse {
  readonly status: number;
  /** Extra headers (`ETag`, `Location`); the adapter sets `Content-Type` when there is a body. */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body, absent for 204/304. */
  readonly body?: unknown;
}

/** The whole protocol as one function. */
export type ScimHandler = (request: ScimRequest) => Promise<ScimResponse>;
