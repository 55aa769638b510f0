import { runStoreConformance } from "@scimkit/store-tests";
import { memoryStore } from "../src";

runStoreConformance({
  name: "memoryStore",
  createStore: () => memoryStore(),
  backdoor: (store) => {
    const inspector = store.inspect();
    return { readRecord: inspector.readRecord, readMembers: inspector.readMembers };
  },
});
