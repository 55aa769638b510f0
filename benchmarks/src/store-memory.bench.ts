/**
 * The memory store at directory scale: 100 000 users. Run with
 * `npx vitest bench --run src/store-memory.bench.ts` in benchmarks/. Besides the
 * bench tables it prints the bulk create rate, heap bytes per user (after a full
 * GC) and the cost of adding one member to a 100 000-member group against a
 * 10-member group, which must not grow with the group's size.
 */

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  bindFilter,
  createRepository,
  createSchemaRegistry,
  parseFilter,
  type Repository,
  type ScimObject,
  USER_SCHEMA,
} from "@scimkit/core";
import { memoryStore } from "@scimkit/store-memory";
import { afterAll, bench, describe } from "vitest";

const USERS = 100_000;
const TENANT = "bench";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const registry = createSchemaRegistry();
const userSchema = registry.resourceSchema("User");

const userData = (index: number): ScimObject => ({
  schemas: [USER_SCHEMA],
  userName: `user${index}@example.com`,
  externalId: `00u${index.toString(36).padStart(8, "0")}`,
  displayName: `User ${index}`,
  name: { givenName: `Given${index}`, familyName: `Family${index}` },
  emails: [{ value: `user${index}@example.com`, type: "work", primary: true }],
  active: true,
});

async function populate(repository: Repository, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const record = await repository.create(TENANT, { resourceType: "User", data: userData(index) });
    ids.push(record.id);
  }
  return ids;
}

const lines: string[] = [];

// Heap per user: a fresh store, measured after full GCs, then released before the benches.
async function heapPerUser(): Promise<string> {
  gc();
  const before = process.memoryUsage().heapUsed;
  const heapStore = memoryStore();
  const kept = await populate(createRepository({ store: heapStore, registry }), USERS);
  gc();
  const used = process.memoryUsage().heapUsed - before;
  // The ids array is the benchmark's, not the store's: subtract it.
  const idsBytes = kept.length * (8 + 56);
  return `heap per user: ${Math.round((used - idsBytes) / USERS)} bytes (${USERS} users in ${(used / 2 ** 20).toFixed(1)} MiB; store size ${heapStore.inspect().tenants.size} tenant)`;
}
lines.push(await heapPerUser());
gc();

// The store every bench below runs against.
const store = memoryStore();
const repository = createRepository({ store, registry });
const started = performance.now();
const userIds = await populate(repository, USERS);
const seconds = (performance.now() - started) / 1000;
lines.push(
  `bulk create: ${Math.round(USERS / seconds)} users/s (${USERS} in ${seconds.toFixed(2)} s)`,
);

const small = await repository.create(TENANT, {
  resourceType: "Group",
  data: { displayName: "Small" },
  members: userIds.slice(0, 10).map((value) => ({ value, type: "User" })),
});
const large = await repository.create(TENANT, {
  resourceType: "Group",
  data: { displayName: "Large" },
  members: userIds.map((value) => ({ value, type: "User" })),
});

/** Adds then removes one member: the group's size stays what it was. */
const toggleMember = async (groupId: string, memberId: string) => {
  await repository.update(TENANT, {
    resourceType: "Group",
    id: groupId,
    members: { add: [{ value: memberId, type: "User" }], remove: [] },
  });
  await repository.update(TENANT, {
    resourceType: "Group",
    id: groupId,
    members: { add: [], remove: [memberId] },
  });
};

// Distinct outsiders in rotation: V8 leaves deleted Map entries in their bucket until
// a rehash, so toggling one key on a 100k-entry Map would measure that, not the store.
const outsiders: string[] = [];
for (let index = 0; index < 1024; index += 1) {
  const record = await repository.create(TENANT, {
    resourceType: "User",
    data: { userName: `outsider-${index}` },
  });
  outsiders.push(record.id);
}
let rotation = 0;
const nextOutsider = () => outsiders[rotation++ & 1023]!;
const timeToggles = async (groupId: string, rounds: number) => {
  const start = performance.now();
  for (let round = 0; round < rounds; round += 1) await toggleMember(groupId, nextOutsider());
  return (performance.now() - start) / rounds;
};
await timeToggles(small.id, 2_000);
await timeToggles(large.id, 2_000);
const smallCost = await timeToggles(small.id, 20_000);
const largeCost = await timeToggles(large.id, 20_000);
lines.push(
  `add+remove one member: 10-member group ${(smallCost * 1000).toFixed(2)} µs, 100 000-member group ${(largeCost * 1000).toFixed(2)} µs, ratio ${(largeCost / smallCost).toFixed(2)}`,
);

const lookup = (name: string) => {
  const parsed = parseFilter(`userName eq "${name}"`);
  if (!parsed.ok) throw parsed.error;
  const bound = bindFilter(parsed.value, userSchema);
  if (!bound.ok) throw bound.error;
  return bound.value;
};
const preBound = Array.from({ length: 1024 }, (_, index) =>
  lookup(`USER${(index * 97) % USERS}@example.com`),
);

let counter = 0;
let created = USERS;

describe(`memory store with ${USERS} users`, () => {
  bench("create one user (repository.create)", async () => {
    await repository.create(TENANT, { resourceType: "User", data: userData(created++) });
  });

  bench("userName eq lookup (parse + bind + repository.query)", async () => {
    const index = (counter++ * 7919) % USERS;
    const result = await repository.query(TENANT, {
      resourceType: "User",
      filter: lookup(`User${index}@Example.com`),
      page: { kind: "index", startIndex: 1, count: 100 },
    });
    if (result.totalResults !== 1) throw new Error("lookup missed");
  });

  bench("userName eq lookup (repository.query, filter bound)", async () => {
    const result = await repository.query(TENANT, {
      resourceType: "User",
      filter: preBound[counter++ & 1023]!,
      page: { kind: "index", startIndex: 1, count: 100 },
    });
    if (result.totalResults !== 1) throw new Error("lookup missed");
  });

  bench("add + remove one member, 10-member group", async () => {
    await toggleMember(small.id, nextOutsider());
  });

  bench("add + remove one member, 100 000-member group", async () => {
    await toggleMember(large.id, nextOutsider());
  });
});

afterAll(() => {
  console.log(`\n${lines.join("\n")}`);
});
