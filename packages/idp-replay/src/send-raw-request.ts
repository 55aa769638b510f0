import http from "node:http";

/** What came back, with the body text and, when it is JSON, the parsed body. */
export interface RawResponse {
  readonly status: number;
  /** Lower-case header names, as node:http reports them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The parsed body when the text is JSON, else `undefined`. */
  readonly body: unknown;
}

export interface RawRequest {
  readonly method: string;
  /** Request target put on the wire byte for byte: `/scim/v2/Users?filter=externalId+eq+"x"`. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * Sends one request with node:http on 127.0.0.1. Unlike fetch, node:http does not
 * re-encode the target, so Entra's raw `"` and `+` reach the server as Entra sends them.
 */
export function sendRawRequest(port: number, request: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: "127.0.0.1",
        port,
        method: request.method,
        path: request.target,
        headers: {
          ...request.headers,
          ...(request.body === undefined
            ? {}
            : { "Content-Length": String(Buffer.byteLength(request.body)) }),
        },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown;
          try {
            body = text === "" ? undefined : JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body });
        });
      },
    );
    outgoing.on("error", reject);
    outgoing.end(request.body);
  });
}
