import { describe, expect, it } from "vitest";
import { resourceTypeBatches } from "../src/resource-type-batches";

/** A lookup over a fixed table that records each call's tenant and ids. */
function fakeLookup(table: Record<string, Record<string, string[]>>) {
  const calls: { tenant: string; ids: readonly string[] }[] = [];
  let failNext = false;
  const lookup = async (tenant: string, ids: readonly string[]) => {
    calls.push({ tenant, ids });
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (failNext) {
      failNext = false;
      throw new Error("connection lost");
    }
    const found = new Map<string, string[]>();
    for (const id of ids) {
      const types = table[tenant]?.[id];
      if (types !== undefined) found.set(id, types);
    }
    return found;
  };
  return { lookup, calls, failOnce: () => (failNext = true) };
}

const table = {
  a: { u1: ["User"], u2: ["User"], g1: ["Group"], both: ["User", "Group"] },
  b: { u1: ["User"], x: ["User"] },
};

describe("batched resource type lookups", () => {
  it("calls made while one runs share the next statement; each caller gets only its ids", async () => {
    const { lookup, calls } = fakeLookup(table);
    const resourceTypes = resourceTypeBatches(lookup);
    const asked = [["u1"], ["u2", "nope"], ["g1", "u1"], ["both"], ["nope"]];
    const answers = await Promise.all(asked.map((ids) => resourceTypes("a", ids)));
    expect(answers.map((found) => Object.fromEntries(found))).toEqual([
      { u1: ["User"] },
      { u2: ["User"] },
      { g1: ["Group"], u1: ["User"] },
      { both: ["User", "Group"] },
      {},
    ]);
    // The first ran at once; the four that came while it ran went together, once per id.
    expect(calls.map((call) => call.ids)).toEqual([["u1"], ["u2", "nope", "g1", "u1", "both"]]);
  });

  it("never mixes tenants", async () => {
    const { lookup, calls } = fakeLookup(table);
    const resourceTypes = resourceTypeBatches(lookup);
    const [a, b, a2, b2] = await Promise.all([
      resourceTypes("a", ["u1"]),
      resourceTypes("b", ["u1"]),
      resourceTypes("a", ["x"]),
      resourceTypes("b", ["x"]),
    ]);
    expect([a, b, a2, b2].map((found) => Object.fromEntries(found))).toEqual([
      { u1: ["User"] },
      { u1: ["User"] },
      {},
      { x: ["User"] },
    ]);
    for (const call of calls) expect(["a", "b"]).toContain(call.tenant);
    expect(calls.filter((call) => call.tenant === "a").flatMap((call) => call.ids)).toEqual([
      "u1",
      "x",
    ]);
  });

  it("a failed statement fails the callers it served, and the next calls run again", async () => {
    const { lookup, failOnce } = fakeLookup(table);
    const resourceTypes = resourceTypeBatches(lookup);
    const first = resourceTypes("a", ["u1"]);
    failOnce();
    const waiting = [resourceTypes("a", ["u2"]), resourceTypes("a", ["g1"])];
    // The first call's statement is the one that fails (the flag is read as it finishes).
    await expect(first).rejects.toThrow("connection lost");
    expect(Object.fromEntries(await waiting[0]!)).toEqual({ u2: ["User"] });
    expect(Object.fromEntries(await waiting[1]!)).toEqual({ g1: ["Group"] });
    expect(Object.fromEntries(await resourceTypes("a", ["u1"]))).toEqual({ u1: ["User"] });
  });
});
