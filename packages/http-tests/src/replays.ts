import { createScimService } from "@scimkit/core";
import { replayTrace, TRACES } from "@scimkit/idp-replay";
import { memoryStore } from "@scimkit/store-memory";
import { describe, expect } from "vitest";
import type { ConformanceTest, HttpAdapterUnderTest } from "./run-http-conformance";

/**
 * The recorded IdP traces (Entra ID, Okta, Google Workspace, OneLogin, authentik)
 * replayed byte for byte through the adapter, with the default PATCH answers and
 * with `patchResponse: "noContent"`.
 */
export function describeReplays(adapter: HttpAdapterUnderTest, test: ConformanceTest): void {
  describe("recorded IdP traces", () => {
    for (const patchResponse of [undefined, "noContent"] as const) {
      for (const trace of TRACES) {
        const title = `${trace.client}${patchResponse === undefined ? "" : ` (patchResponse: ${patchResponse})`}`;
        test(title, async () => {
          const unexpected: unknown[] = [];
          const service = createScimService({
            store: memoryStore(),
            ...(patchResponse === undefined ? {} : { patchResponse }),
            onError: (error) => unexpected.push(error),
          });
          const token = "replay-token";
          const server = await adapter.start({
            options: {
              handler: service.handle,
              auth: { tokens: [{ token, tenant: "replay" }] },
              onError: (error) => unexpected.push(error),
            },
            basePath: "/scim/v2",
          });
          try {
            const { exchanges } = await replayTrace(trace, {
              port: server.port,
              basePath: "/scim/v2",
              variables: { token },
            });
            if (patchResponse === "noContent") {
              for (const exchange of exchanges) {
                if (exchange.method === "PATCH" && exchange.response.status < 300) {
                  expect(exchange.response.status).toBe(204);
                  expect(exchange.response.text).toBe("");
                }
              }
            }
            expect(unexpected).toEqual([]);
          } finally {
            await server.close();
          }
        });
      }
    }
  });
}
