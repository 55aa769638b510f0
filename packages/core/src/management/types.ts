/**
 * The framework-agnostic boundary of the management API, shaped like the SCIM
 * service's: an HTTP adapter turns its request into a `ManagementRequest`,
 * authorises it, calls `handle` and writes the `ManagementResponse` back.
 */
export interface ManagementRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The path below the management mount point, starting with `/`: `/tenants/acme/tokens`. */
  readonly path: string;
  /** Decoded query parameters; repeated keys keep the first value. */
  readonly query: Readonly<Record<string, string>>;
  /** The parsed JSON body, `undefined` when there was none. */
  readonly body?: unknown;
}

export interface ManagementResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body (`application/json`), absent for 204. */
  readonly body?: unknown;
}

/** The body of every management error. */
export interface ManagementErrorBody {
  readonly error: {
    readonly status: number;
    /** Stable machine code, e.g. `tenant.not_found`, `invalid_request`. */
    readonly code: string;
    readonly message: string;
  };
}

export type ManagementHandler = (request: ManagementRequest) => Promise<ManagementResponse>;
