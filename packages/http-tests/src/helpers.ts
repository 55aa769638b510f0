import http from "node:http";
import type { ScimHandler, ScimRequest, ScimResponse } from "@scimkit/core";

/** A ScimHandler that records what it received and answers what the test says. */
export function fakeHandler(
  answer: (request: ScimRequest) => ScimResponse | Promise<ScimResponse> = () => ({
    status: 200,
    headers: {},
    body: { ok: true },
  }),
) {
  const received: ScimRequest[] = [];
  const handler: ScimHandler = async (request) => {
    received.push(request);
    return answer(request);
  };
  return {
    handler,
    received,
    last(): ScimRequest {
      const request = received.at(-1);
      if (request === undefined) throw new Error("the handler was not called");
      return request;
    },
  };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/**
 * Sends a request with node:http, which puts the target on the wire byte for byte
 * (fetch would percent-encode the raw `"` Entra sends) and lets tests set `Host`
 * and `Transfer-Encoding`.
 */
export function rawRequest(
  port: number,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    request.on("error", reject);
    request.end(options.body);
  });
}
