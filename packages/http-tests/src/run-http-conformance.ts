import type { ScimHandlerOptions } from "@scimkit/http";
import { describe, it } from "vitest";
import { describeReplays } from "./replays";
import { describeServiceOverHttp } from "./service-over-http";
import { describeTranslation } from "./translation";

/** What the suite asks an adapter to serve. */
export interface StartOptions {
  /** Handler source and HTTP options exactly as a user passes them. */
  readonly options: ScimHandlerOptions<unknown>;
  /**
   * The mount path: `""` for the root, else starting with `/`, e.g. `/scim/v2`.
   * Requests the suite sends below it must reach the SCIM endpoint.
   */
  readonly basePath: string;
}

export interface StartedServer {
  /** The ephemeral port on 127.0.0.1. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  close(): Promise<void>;
}

/** One adapter under test. */
export interface HttpAdapterUnderTest {
  /** Shown in test names, e.g. `express 5`. */
  readonly name: string;
  /** Starts the adapter on 127.0.0.1 and an ephemeral port, serving SCIM at `basePath`. */
  start(options: StartOptions): Promise<StartedServer>;
  /** Tests this adapter cannot pass, by title, each with the reason. */
  readonly skip?: Readonly<Record<string, string>>;
}

/** `it`, or `it.skip` with the reason in the title when the adapter skips the test. */
export type ConformanceTest = (title: string, body: () => Promise<void>) => void;

/** Registers the whole suite for one adapter (call it at the top level of a vitest file). */
export function runHttpConformance(adapter: HttpAdapterUnderTest): void {
  const test: ConformanceTest = (title, body) => {
    const reason = adapter.skip?.[title];
    if (reason === undefined) it(title, body);
    else it.skip(`${title} (skipped: ${reason})`, body);
  };
  describe(`HTTP conformance: ${adapter.name}`, () => {
    describeTranslation(adapter, test);
    describeServiceOverHttp(adapter, test);
    describeReplays(adapter, test);
  });
}
