import { afterAll, describe, expect, it } from "vitest";
import { replayTrace } from "../src/replay-trace";
import { startScimServer } from "../src/start-scim-server";
import { memoryDriver, storeDrivers } from "../src/store-drivers";
import { TRACES } from "../src/traces";

const drivers = storeDrivers();

describe.each(drivers)("recorded IdP traces on the $name store", (driver) => {
  afterAll(() => driver.dispose());

  it.each(TRACES)("$client", async (trace) => {
    const { store, close: closeStore } = await driver.open();
    const server = await startScimServer({ store });
    try {
      await replayTrace(trace, { port: server.port, variables: { token: server.token } });
      expect(server.unexpectedErrors).toEqual([]);
    } finally {
      await server.close();
      await closeStore();
    }
  });
});

describe("recorded IdP traces with patchResponse: noContent (204 for every PATCH)", () => {
  const driver = memoryDriver();

  it.each(TRACES)("$client", async (trace) => {
    const { store } = await driver.open();
    const server = await startScimServer({ store, patchResponse: "noContent" });
    try {
      const { exchanges } = await replayTrace(trace, {
        port: server.port,
        variables: { token: server.token },
      });
      for (const exchange of exchanges) {
        if (exchange.method === "PATCH" && exchange.response.status < 300) {
          expect(exchange.response.status).toBe(204);
          expect(exchange.response.text).toBe("");
        }
      }
    } finally {
      await server.close();
    }
  });
});
