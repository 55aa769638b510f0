import { runStoreConformance } from "@scimkit/store-tests";
import { memoryStore } from "../src";

runStoreConformance({
  name: "memoryStore",
  createStore: () => memoryStore(),
  backdoor: (store) => {
    const inspector = store.inspect();
    return {
      readRecord: inspector.readRecord,
      readMembers: inspector.readMembers,
      readDeleted: (tenant, resourceType, id) => {
        const trashed = inspector.readTrash(tenant, resourceType, id);
        if (trashed === undefined) return undefined;
        return {
          id: trashed.entry.record.id,
          version: trashed.entry.record.version,
          purgeAfter: trashed.purgeAfter,
          data: trashed.entry.record.data,
          members: trashed.members.map((member) => member.value),
          memberOf: trashed.memberOf.map((group) => group.id),
        };
      },
    };
  },
});
