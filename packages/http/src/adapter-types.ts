/**
 * The request and reply shapes a framework adapter exchanges with the layer, so
 * Node adapters (Express, Fastify) hand over what their framework already has
 * instead of building a WHATWG `Request` and `Response` per request.
 */

/** Header names in lower case, as Node's `IncomingHttpHeaders` has them. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The outcome of reading a body stream with a byte limit. */
export type StreamRead =
  | { readonly ok: true; readonly bytes: Uint8Array }
  /** `tooLarge`: more than the limit arrived (stop buffering, answer 413); `aborted`: the client went away. */
  | { readonly ok: false; readonly reason: "tooLarge" | "aborted" };

/** Where the request body is. */
export type AdapterBody =
  /** The request declares no body (no Content-Length, or 0, and no Transfer-Encoding). */
  | { readonly kind: "none" }
  /** Unread; `read` is called at most once, after the headers have been accepted. */
  | { readonly kind: "stream"; read(limit: number): Promise<StreamRead> }
  /** Bytes an app-level parser already collected (a raw or text body parser). */
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  /** A value an app-level JSON parser already produced (`express.json()`). */
  | { readonly kind: "parsed"; readonly value: unknown };

/** One request as an adapter hands it over. */
export interface AdapterRequest<Raw> {
  /** The framework's own request, passed to `verify` and `onError`. */
  readonly raw: Raw;
  /** The HTTP method as received. */
  readonly method: string;
  /** The request target below the mount point, path and query as received: `/Users?filter=...`. */
  readonly target: string;
  /** The mount point's path without a trailing slash: `""` at the root, `/scim/v2`. */
  readonly mountPath: string;
  readonly headers: RequestHeaders;
  /** The scheme the client used to reach this server (before any proxy headers). */
  readonly protocol: "http" | "https";
  /** The host (and port) the client asked for, usually the Host header. */
  readonly host: string | undefined;
  /**
   * The framework's own answer to "are X-Forwarded-* believed for this request",
   * asked only when the `trustProxy` option is unset. @default () => false
   */
  readonly trustsProxy?: () => boolean;
  readonly body: AdapterBody;
}

/** One reply for the adapter to write as it is. */
export interface AdapterReply {
  readonly status: number;
  /**
   * Header names and values, alternating (`[name, value, name, value, ...]`, the
   * form Node's `writeHead` takes). `Content-Type` is among them when there is a
   * body; `Content-Length` is not (the adapter or runtime adds it).
   */
  readonly headers: readonly string[];
  /**
   * The serialised JSON body, or `undefined` for 204 and 304. Present for HEAD
   * too, so `Content-Length` can be computed: Node and fetch runtimes send no body
   * for HEAD.
   */
  readonly body: string | undefined;
}
