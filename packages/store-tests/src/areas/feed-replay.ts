import {
  type ChangeRecord,
  createScimService,
  PATCH_OP_SCHEMA,
  type ScimObject,
  type ScimRequest,
  type ScimService,
  type ScimStore,
} from "@scimkit/core";
import fc from "fast-check";
import { afterAll, beforeEach, describe, expect } from "vitest";
import { type ConformanceHarness, newTenant } from "../harness";

/**
 * The feed as a consumer uses it: replaying a tenant's changes from position 0
 * onto an empty model must rebuild the directory the store holds (users with
 * their `active` flag, groups with their names and members), after any sequence
 * of the writes an IdP makes. Driven through core's service, so the changes are
 * the drafts core really records.
 */

/** One write of the random sequence; numbers pick among the ids created so far. */
type Operation =
  | { readonly kind: "createUser"; readonly active: boolean }
  | { readonly kind: "setActive"; readonly user: number; readonly active: boolean }
  | { readonly kind: "putUser"; readonly user: number; readonly active: boolean }
  | { readonly kind: "createGroup"; readonly members: readonly number[] }
  | { readonly kind: "renameGroup"; readonly group: number }
  | { readonly kind: "addMembers"; readonly group: number; readonly users: readonly number[] }
  | { readonly kind: "removeMember"; readonly group: number; readonly user: number }
  | { readonly kind: "replaceMembers"; readonly group: number; readonly users: readonly number[] }
  | { readonly kind: "deleteUser"; readonly user: number; readonly soft: boolean }
  | { readonly kind: "deleteGroup"; readonly group: number; readonly soft: boolean }
  | { readonly kind: "restore"; readonly trashed: number };

const pick = fc.nat({ max: 12 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("createUser"), active: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("setActive"), user: pick, active: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("putUser"), user: pick, active: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("createGroup"),
      members: fc.array(pick, { maxLength: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("renameGroup"), group: pick }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("addMembers"),
      group: pick,
      users: fc.array(pick, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("removeMember"), group: pick, user: pick }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("replaceMembers"),
      group: pick,
      users: fc.array(pick, { maxLength: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("deleteUser"), user: pick, soft: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("deleteGroup"), group: pick, soft: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("restore"), trashed: pick }) },
);

/** Users and a group with members to start from, so the random writes have targets. */
const PRELUDE: readonly Operation[] = [
  { kind: "createUser", active: true },
  { kind: "createUser", active: true },
  { kind: "createUser", active: false },
  { kind: "createGroup", members: [0, 1] },
];

/** The change types `replayChanges` applies. */
const REPLAYED: ReadonlySet<string> = new Set([
  "user.created",
  "user.updated",
  "user.deactivated",
  "user.reactivated",
  "user.deleted",
  "user.restored",
  "group.created",
  "group.updated",
  "group.renamed",
  "group.membersChanged",
  "group.deleted",
  "group.restored",
]);

interface Directory {
  readonly users: Map<string, { active: boolean }>;
  readonly groups: Map<string, { displayName: string; members: Set<string> }>;
}

const resourceOf = (change: ChangeRecord) => change.data.resource as ScimObject;

/** A consumer's model: the directory rebuilt from the feed, change by change. */
export function replayChanges(changes: readonly ChangeRecord[]): Directory {
  const users: Directory["users"] = new Map();
  const groups: Directory["groups"] = new Map();
  for (const change of changes) {
    const { id, data } = change;
    switch (change.type) {
      case "user.created":
      case "user.updated":
      case "user.restored":
        users.set(id, { active: resourceOf(change).active !== false });
        break;
      case "user.deactivated":
      case "user.reactivated": {
        const user = users.get(id);
        if (user !== undefined) user.active = change.type === "user.reactivated";
        break;
      }
      case "user.deleted":
        users.delete(id);
        for (const group of groups.values()) group.members.delete(id);
        break;
      case "group.created":
      case "group.restored":
        groups.set(id, {
          displayName: resourceOf(change).displayName as string,
          members: new Set(data.memberIds as string[]),
        });
        break;
      case "group.updated": {
        const group = groups.get(id);
        if (group !== undefined) group.displayName = resourceOf(change).displayName as string;
        break;
      }
      case "group.renamed": {
        const group = groups.get(id);
        if (group !== undefined) group.displayName = data.displayName as string;
        break;
      }
      case "group.membersChanged": {
        const group = groups.get(id);
        for (const member of (data.added as string[] | undefined) ?? []) group?.members.add(member);
        for (const member of (data.removed as string[] | undefined) ?? [])
          group?.members.delete(member);
        break;
      }
      case "group.deleted":
        groups.delete(id);
        break;
      default:
        break;
    }
  }
  return { users, groups };
}

const PAGE = 500;

async function readFeed(store: ScimStore, tenant: string): Promise<ChangeRecord[]> {
  const all: ChangeRecord[] = [];
  for (;;) {
    const page = await store.feed!.read(tenant, { after: all.at(-1)?.position ?? 0, limit: PAGE });
    all.push(...page);
    if (page.length < PAGE) return all;
  }
}

export function defineFeedReplayConformance(harness: ConformanceHarness): void {
  const { current } = harness;

  describe("change feed replay", () => {
    beforeEach(harness.prepare);
    afterAll(harness.finish);

    harness.test("replaying the feed from position 0 rebuilds the users, their active flags, the groups and their members", async () => {
      const store = current();
      const trash = store.softDelete !== undefined && store.restoreDeleted !== undefined;
      const hard = createScimService({ store });
      const soft = trash
        ? createScimService({ store, deletion: { mode: "soft", retentionDays: 30 } })
        : hard;
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(
          fc.array(operation, { minLength: 10, maxLength: 40, size: "max" }),
          async (operations) => {
            const tenant = newTenant("replay");
            await runOperations(tenant, [...PRELUDE, ...operations], hard, soft, trash);
            const changes = await readFeed(store, tenant);
            for (const change of changes) seen.add(change.type);
            expect(replayChanges(changes)).toEqual(await directoryOf(hard, tenant));
          },
        ),
        { numRuns: 25 },
      );
      await Promise.all([hard.flush(), soft.flush()]);
      // The runs exercised every change the model replays (else the property proves little).
      const expected = [...REPLAYED].filter((type) => trash || !type.endsWith(".restored"));
      expect([...seen].filter((type) => REPLAYED.has(type)).sort()).toEqual(expected.sort());
    }, ["feed"]);
  });
}

const request = (tenant: string, overrides: Partial<ScimRequest>): ScimRequest => ({
  method: "GET",
  path: "/",
  query: {},
  headers: {},
  tenant,
  baseUrl: "https://scim.example.com/scim/v2",
  ...overrides,
});

const patch = (...operations: object[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations: operations });

async function runOperations(
  tenant: string,
  operations: readonly Operation[],
  hard: ScimService,
  soft: ScimService,
  trash: boolean,
): Promise<void> {
  const users: string[] = [];
  const groups: string[] = [];
  const trashed: { resourceType: string; id: string }[] = [];
  let names = 0;
  const of = (ids: readonly string[], index: number) =>
    ids.length === 0 ? "00000000-0000-4000-8000-000000000000" : ids[index % ids.length]!;
  const send = async (service: ScimService, overrides: Partial<ScimRequest>) => {
    const response = await service.handle(request(tenant, overrides));
    // Writes on resources deleted meanwhile answer 4xx, never 500.
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
    return response;
  };
  const members = (indexes: readonly number[]) =>
    [...new Set(indexes.map((index) => of(users, index)))].map((value) => ({ value }));

  for (const step of operations) {
    switch (step.kind) {
      case "createUser": {
        names += 1;
        const response = await send(hard, {
          method: "POST",
          path: "/Users",
          body: { userName: `user${names}@example.com`, active: step.active },
        });
        users.push((response.body as { id: string }).id);
        break;
      }
      case "setActive":
        await send(hard, {
          method: "PATCH",
          path: `/Users/${of(users, step.user)}`,
          body: patch({ op: "Replace", path: "active", value: step.active ? "True" : "False" }),
        });
        break;
      case "putUser": {
        const id = of(users, step.user);
        const current = await hard.handle(request(tenant, { path: `/Users/${id}` }));
        if (current.status !== 200) break;
        const { userName } = current.body as { userName: string };
        await send(hard, {
          method: "PUT",
          path: `/Users/${id}`,
          body: { userName, active: step.active, displayName: `Put ${names}` },
        });
        break;
      }
      case "createGroup": {
        names += 1;
        const response = await send(hard, {
          method: "POST",
          path: "/Groups",
          body: { displayName: `Group ${names}`, members: members(step.members) },
        });
        if (response.status === 201) groups.push((response.body as { id: string }).id);
        break;
      }
      case "renameGroup":
        names += 1;
        await send(hard, {
          method: "PATCH",
          path: `/Groups/${of(groups, step.group)}`,
          body: patch({ op: "Replace", path: "displayName", value: `Renamed ${names}` }),
        });
        break;
      case "addMembers":
        await send(hard, {
          method: "PATCH",
          path: `/Groups/${of(groups, step.group)}`,
          body: patch({ op: "Add", path: "members", value: members(step.users) }),
        });
        break;
      case "removeMember":
        await send(hard, {
          method: "PATCH",
          path: `/Groups/${of(groups, step.group)}`,
          body: patch({ op: "Remove", path: `members[value eq "${of(users, step.user)}"]` }),
        });
        break;
      case "replaceMembers":
        await send(hard, {
          method: "PATCH",
          path: `/Groups/${of(groups, step.group)}`,
          body: patch({ op: "Replace", path: "members", value: members(step.users) }),
        });
        break;
      case "deleteUser":
      case "deleteGroup": {
        const resourceType = step.kind === "deleteUser" ? "User" : "Group";
        const id = step.kind === "deleteUser" ? of(users, step.user) : of(groups, step.group);
        const softly = step.soft && trash;
        const response = await send(softly ? soft : hard, {
          method: "DELETE",
          path: `/${resourceType}s/${id}`,
        });
        if (softly && response.status === 204) trashed.push({ resourceType, id });
        break;
      }
      case "restore": {
        if (trashed.length === 0) break;
        const [entry] = trashed.splice(step.trashed % trashed.length, 1);
        try {
          await soft.restoreDeleted(tenant, entry!.resourceType, entry!.id);
        } catch (error) {
          // Its userName was taken meanwhile: it stays trashed, and nothing is recorded.
          expect(error).toMatchObject({ status: 409 });
        }
        break;
      }
    }
  }
}

/** The directory as the service answers it now. */
async function directoryOf(service: ScimService, tenant: string): Promise<Directory> {
  const list = async (path: string) => {
    const response = await service.handle(
      request(tenant, { path, query: { count: "1000", attributes: "active,displayName,members" } }),
    );
    return (response.body as { Resources: ScimObject[] }).Resources;
  };
  const users: Directory["users"] = new Map();
  for (const user of await list("/Users")) {
    users.set(user.id as string, { active: user.active !== false });
  }
  const groups: Directory["groups"] = new Map();
  for (const group of await list("/Groups")) {
    groups.set(group.id as string, {
      displayName: group.displayName as string,
      members: new Set(
        ((group.members as { value: string }[] | undefined) ?? []).map((m) => m.value),
      ),
    });
  }
  return { users, groups };
}
