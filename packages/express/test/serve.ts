// The Express tests cannot import @scimkit/http-tests (the suite reaches express through
// @scimkit/idp-replay, a workspace cycle), so these two helpers exist here too.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ScimHandler, ScimRequest, ScimResponse } from "@scimkit/core";
import type { Express } from "express";
import express5 from "express";
import express4 from "express4";

export const expressVersions = [
  { name: "express 5", create: (): Express => express5(), json: express5.json },
  { name: "express 4", create: (): Express => express4(), json: express4.json },
] as const;

export type ExpressVersion = (typeof expressVersions)[number];

/** A fake ScimHandler that records what it received and answers what the test says. */
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

/** Boots an app on an ephemeral port on 127.0.0.1; `setup` mounts the router. */
export async function serve(version: ExpressVersion, setup: (app: Express) => void) {
  const app = version.create();
  setup(app);
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/**
 * Sends a request with node:http, which puts the target on the wire byte for byte
 * (fetch would percent-encode the raw `"` Entra sends) and lets tests set `Host`.
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
