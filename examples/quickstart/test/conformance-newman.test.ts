import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import newman, { type NewmanRunSummary } from "newman";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import skipList from "./newman-skips.json" with { type: "json" };
import { type RunningServer, startServer } from "./start-server";

/**
 * Runs Microsoft's SCIMReferenceCode Postman collection (the one the Entra docs
 * point to) against the built quickstart. The collection is not part of this
 * repository: it is read from ../shared/conformance-data next to the checkout
 * and the test is skipped, saying why, when it is absent.
 */
const repoRoot = path.resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..");
const dataDir = path.resolve(
  repoRoot,
  "..",
  "shared",
  "conformance-data",
  "azuread-scimreferencecode",
);
const collectionFile = path.join(dataDir, "PostmanCollection.json");
const available = existsSync(collectionFile);
if (!available) {
  console.warn(
    `Skipping the SCIMReferenceCode conformance run: ${collectionFile} is not present (it lives outside the repository).`,
  );
}

interface Skip {
  readonly request: string;
  readonly assertion: string;
  readonly reason: string;
}
const skips: readonly Skip[] = skipList.skips;
const key = (request: string, assertion: string) => `${request} :: ${assertion}`;

interface CollectionItem {
  readonly name: string;
  readonly item?: CollectionItem[];
}

function runCollection(server: RunningServer): Promise<NewmanRunSummary> {
  const collection = JSON.parse(readFileSync(collectionFile, "utf8")) as { item: CollectionItem[] };
  // "Get Token" calls a /Token endpoint only Microsoft's reference server has; the token is passed instead.
  collection.item = collection.item.filter((item) => item.name !== "Get Token");
  const url = new URL(server.baseUrl);
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: collection as never,
        environment: {
          values: [
            { key: "Protocol", value: url.protocol.replace(":", ""), enabled: true },
            { key: "Server", value: url.hostname, enabled: true },
            { key: "Port", value: `:${url.port}`, enabled: true },
            { key: "Api", value: url.pathname.replace(/^\//, ""), enabled: true },
            { key: "token", value: server.token, enabled: true },
          ],
        } as never,
        reporters: [],
        timeoutRequest: 10_000,
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    );
  });
}

describe.runIf(available)("Microsoft SCIMReferenceCode Postman collection (newman)", () => {
  let server: RunningServer;
  let summary: NewmanRunSummary;
  beforeAll(async () => {
    server = await startServer({ SCIM_TOKEN: "newman-token" });
    summary = await runCollection(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("passes every assertion except the documented RFC 7644 contradictions", () => {
    const failed: string[] = [];
    const failedKeys = new Set<string>();
    let passed = 0;
    let total = 0;
    for (const execution of summary.run.executions) {
      const request = execution.item.name;
      for (const assertion of execution.assertions ?? []) {
        total += 1;
        const id = key(request, assertion.assertion);
        if (assertion.error === undefined || assertion.error === null) {
          passed += 1;
        } else {
          failed.push(`${id}: ${assertion.error.message}`);
          failedKeys.add(id);
        }
      }
    }
    const skipped = new Set(skips.map((skip) => key(skip.request, skip.assertion)));
    const unexpected = failed.filter(
      (failure) => !skipped.has(failure.slice(0, failure.lastIndexOf(": "))),
    );
    // A skip that no longer fails is stale: drop it from newman-skips.json.
    const stale = [...skipped].filter((id) => !failedKeys.has(id));
    console.log(
      `newman: ${total} assertions, ${passed} passed, ${failed.length - unexpected.length} skipped by design`,
    );
    // Connection failures and script errors are not assertions: none may happen.
    const requestErrors = summary.run.failures
      .filter((failure) => !String(failure.at).endsWith("in test-script"))
      .map((failure) => `${failure.source?.name}: ${failure.error.message}`);
    expect(requestErrors).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(stale).toEqual([]);
    expect(total).toBeGreaterThan(90);
  });
});
