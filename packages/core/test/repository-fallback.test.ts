import { memoryStore } from "@scimkit/store-memory";
import { runStoreConformance } from "@scimkit/store-tests";
import type { ScimStore } from "../src/store/contract";

/**
 * The memory store with its push-down switched off: the query method refuses any
 * filter, sort or cursor, so every such query in the conformance suite must be
 * answered by the repository's in-memory fallback, with the same results the
 * memory store gives.
 */
function withoutPushDown(inner: ReturnType<typeof memoryStore>) {
  const store: ScimStore & { inner: typeof inner } = {
    ...inner,
    inner,
    capabilities: {},
    query(tenant, query) {
      if (query.filter !== undefined || query.sort !== undefined || query.page.kind === "cursor") {
        throw new Error("the repository pushed down what the store does not support");
      }
      return inner.query(tenant, query);
    },
  };
  delete (store as { hasMembers?: unknown }).hasMembers;
  return store;
}

runStoreConformance({
  name: "repository fallback over a store without push-down",
  createStore: () => withoutPushDown(memoryStore()),
  backdoor: (store) => {
    const inspector = store.inner.inspect();
    return { readRecord: inspector.readRecord, readMembers: inspector.readMembers };
  },
});
