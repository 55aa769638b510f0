import type { ScimStore } from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";

/** The stores this example can run on, chosen with the `STORE` environment variable. */
export const STORES = ["memory"] as const;

/**
 * Creates the store named by `STORE` (default `memory`: data lives in this
 * process and is gone when it stops).
 */
export async function createStore(
  kind: string = process.env.STORE ?? "memory",
): Promise<ScimStore> {
  switch (kind) {
    case "memory":
      return memoryStore();
    default:
      throw new Error(`Unknown STORE "${kind}"; use one of: ${STORES.join(", ")}.`);
  }
}
