import { afterAll, describe, expect, it } from "vitest";
import { replayTrace } from "../src/replay-trace";
import { startScimServer } from "../src/start-scim-server";
import { storeDrivers } from "../src/store-drivers";
import { TRACES } from "../traces";

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
