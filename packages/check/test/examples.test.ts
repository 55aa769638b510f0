import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckReport, runChecks } from "../src";
import { EXPECTED_FAILURES } from "./expected-failures";
import { EXAMPLES, exampleFolders, type RunningExample, startExample } from "./start-example";

const TOKEN = "scimkit-check-ci-token-0123456789";

describe("every example is configured here", () => {
  it("has an entry in EXAMPLES for each folder of examples/", () => {
    expect(EXAMPLES.map((example) => example.name).sort()).toEqual(exampleFolders().sort());
  });
});

for (const example of EXAMPLES) {
  for (const variant of example.variants) {
    describe(`scimkit-check against examples/${example.name} (${variant.label})`, () => {
      let server: RunningExample;
      let report: CheckReport;
      beforeAll(async () => {
        server = await startExample(example, variant, TOKEN);
        report = await runChecks({ baseUrl: server.baseUrl, token: TOKEN });
      }, 180_000);
      afterAll(async () => {
        await server?.stop();
      });

      it("runs at least 150 checks", () => {
        expect(report.checks.length).toBeGreaterThanOrEqual(150);
        expect(new Set(report.checks.map((result) => result.id)).size).toBe(report.checks.length);
      });

      it("fails or warns only on the listed gaps", () => {
        const listed = new Map(EXPECTED_FAILURES.map((entry) => [entry.id, entry.status]));
        const unexpected = report.checks
          .filter((result) => result.status === "failed" || result.status === "warned")
          .filter((result) => listed.get(result.id) !== result.status)
          .map((result) => `${result.id} (${result.status}): ${result.got}`);
        expect(unexpected).toEqual([]);
      });

      it("still fails every listed gap (a fixed gap must leave the list)", () => {
        const stale = EXPECTED_FAILURES.filter(
          (entry) =>
            report.checks.find((result) => result.id === entry.id)?.status !== entry.status,
        ).map(
          (entry) =>
            `${entry.id} is now ${report.checks.find((result) => result.id === entry.id)?.status}`,
        );
        expect(stale).toEqual([]);
      });

      it("skips only what /ServiceProviderConfig says is not offered", () => {
        const skips = report.checks.filter((result) => result.status === "skipped");
        expect(
          skips
            .map((result) => `${result.id}: ${result.reason}`)
            .filter((text) => !text.includes("does not offer")),
        ).toEqual([]);
        expect(report.summary.ok).toBe(false);
      });

      it("leaves nothing behind", async () => {
        expect(report.leftovers).toEqual([]);
        for (const [endpoint, attribute] of [
          ["/Users", "userName"],
          ["/Groups", "displayName"],
        ]) {
          const filter = encodeURIComponent(`${attribute} sw "${report.runPrefix}"`);
          const answer = await fetch(`${server.baseUrl}${endpoint}?filter=${filter}`, {
            headers: { authorization: `Bearer ${TOKEN}` },
          });
          expect(await answer.json()).toMatchObject({ totalResults: 0 });
        }
      });
    });
  }
}
