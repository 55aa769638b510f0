import { memoryStore } from "@scimkit/store-memory";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ConsumerReport,
  createChangeConsumer,
  RetryLaterError,
} from "../src/feed/create-change-consumer";
import type { FeedChange } from "../src/feed/feed-change";
import { createScimService } from "../src/service/create-scim-service";
import type { ScimEventMap, ScimEventName } from "../src/service/events";
import type { ScimRequest } from "../src/service/types";
import type { ScimStore } from "../src/store/contract";
import { GROUP_SCHEMA, PATCH_SCHEMA, USER_SCHEMA } from "./service-harness";

const request = (method: string, path: string, body?: unknown, tenant = "acme"): ScimRequest => ({
  method,
  path,
  query: {},
  headers: {},
  body,
  tenant,
  baseUrl: "https://sp.example.com/scim/v2",
});

function directory(store: ScimStore = memoryStore()) {
  const service = createScimService({ store, deletion: { mode: "soft", retentionDays: 30 } });
  const call = async (method: string, path: string, body?: unknown, tenant = "acme") => {
    const response = await service.handle(request(method, path, body, tenant));
    if (response.status >= 400)
      throw new Error(`${method} ${path}: ${JSON.stringify(response.body)}`);
    return response.body as { id: string } & Record<string, unknown>;
  };
  const user = (userName: string, tenant = "acme") =>
    call("POST", "/Users", { schemas: [USER_SCHEMA], userName }, tenant);
  const patch = (path: string, operations: unknown[], tenant = "acme") =>
    call("PATCH", path, { schemas: [PATCH_SCHEMA], Operations: operations }, tenant);
  return { store, service, call, user, patch };
}

const quiet = (reports: ConsumerReport[]) => (report: ConsumerReport) => {
  reports.push(report);
};

describe("the change feed through the service", () => {
  it("records exactly what service.on emits, in order, with positions", async () => {
    const { store, service, user, patch, call } = directory();
    const emitted: { type: ScimEventName; event: unknown }[] = [];
    for (const type of [
      "user.created",
      "user.updated",
      "user.deactivated",
      "group.created",
      "group.membersChanged",
      "group.renamed",
      "group.updated",
      "user.deleted",
    ] as const) {
      service.on(type, (event) => {
        emitted.push({ type, event });
      });
    }
    const ann = await user("ann@example.com");
    await patch(`/Users/${ann.id}`, [{ op: "Replace", path: "active", value: "False" }]);
    const group = await call("POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: "Eng" });
    await patch(`/Groups/${group.id}`, [
      { op: "Add", path: "members", value: [{ value: ann.id }] },
    ]);
    // A no-op (re-adding a member) records and emits nothing.
    await patch(`/Groups/${group.id}`, [
      { op: "Add", path: "members", value: [{ value: ann.id }] },
    ]);
    await patch(`/Groups/${group.id}`, [
      { op: "Replace", path: "displayName", value: "Engineering" },
    ]);
    await call("DELETE", `/Users/${ann.id}`);

    const changes = await store.feed!.read("acme", { after: 0, limit: 100 });
    expect(changes.map((change) => change.position)).toEqual(changes.map((_, index) => index + 1));
    expect(changes.map((change) => change.type)).toEqual(emitted.map((entry) => entry.type));
    expect(changes.map((change) => change.type)).toEqual([
      "user.created",
      "user.updated",
      "user.deactivated",
      "group.created",
      "group.membersChanged",
      "group.updated",
      "group.renamed",
      "user.deleted",
    ]);
    const asEvents = changes.map((change) => ({
      type: change.type,
      event: {
        tenant: change.tenant,
        resourceType: change.resourceType,
        id: change.id,
        ...change.data,
      },
    }));
    expect(asEvents).toEqual(emitted);
    expect(changes[4]?.data).toEqual({ added: [ann.id], removed: [] });
  });

  it("records nothing with changeFeed: false, while service.on still fires", async () => {
    const store = memoryStore();
    const service = createScimService({ store, changeFeed: false });
    const seen: string[] = [];
    service.on("user.created", ({ id }) => {
      seen.push(id);
    });
    const response = await service.handle(
      request("POST", "/Users", { schemas: [USER_SCHEMA], userName: "x@example.com" }),
    );
    expect(response.status).toBe(201);
    expect(seen).toHaveLength(1);
    expect(await store.feed!.read("acme", { after: 0, limit: 10 })).toEqual([]);
  });

  it("replaying the feed from position 0 reproduces users, active flags, groups and memberships", async () => {
    type Op =
      | { kind: "user"; name: number }
      | { kind: "active"; user: number; value: boolean }
      | { kind: "group"; name: number }
      | { kind: "rename"; group: number; name: number }
      | { kind: "add"; group: number; users: number[] }
      | { kind: "remove"; group: number; user: number }
      | { kind: "replaceMembers"; group: number; users: number[] }
      | { kind: "delete"; user: number }
      | { kind: "deleteGroup"; group: number }
      | { kind: "restore"; user: number };
    const index = fc.nat({ max: 5 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("user" as const), name: fc.nat({ max: 7 }) }),
      fc.record({ kind: fc.constant("active" as const), user: index, value: fc.boolean() }),
      fc.record({ kind: fc.constant("group" as const), name: fc.nat({ max: 3 }) }),
      fc.record({ kind: fc.constant("rename" as const), group: index, name: fc.nat({ max: 3 }) }),
      fc.record({
        kind: fc.constant("add" as const),
        group: index,
        users: fc.array(index, { maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant("remove" as const), group: index, user: index }),
      fc.record({
        kind: fc.constant("replaceMembers" as const),
        group: index,
        users: fc.array(index, { maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant("delete" as const), user: index }),
      fc.record({ kind: fc.constant("deleteGroup" as const), group: index }),
      fc.record({ kind: fc.constant("restore" as const), user: index }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const { store, service } = directory();
        const users: string[] = [];
        const groups: string[] = [];
        const deleted: string[] = [];
        const send = (method: string, path: string, body?: unknown) =>
          service.handle(request(method, path, body));
        const patchOps = (path: string, operations: unknown[]) =>
          send("PATCH", path, { schemas: [PATCH_SCHEMA], Operations: operations });
        for (const step of ops) {
          const pick = (list: string[], at: number) => list[at % Math.max(1, list.length)];
          if (step.kind === "user") {
            const created = await send("POST", "/Users", {
              schemas: [USER_SCHEMA],
              userName: `u${step.name}`,
            });
            if (created.status === 201) users.push((created.body as { id: string }).id);
          } else if (step.kind === "group") {
            const created = await send("POST", "/Groups", {
              schemas: [GROUP_SCHEMA],
              displayName: `g${step.name}`,
            });
            groups.push((created.body as { id: string }).id);
          } else if (step.kind === "active" && users.length > 0) {
            await patchOps(`/Users/${pick(users, step.user)}`, [
              { op: "replace", path: "active", value: step.value },
            ]);
          } else if (step.kind === "rename" && groups.length > 0) {
            await patchOps(`/Groups/${pick(groups, step.group)}`, [
              { op: "replace", path: "displayName", value: `g${step.name}` },
            ]);
          } else if (step.kind === "add" && groups.length > 0 && users.length > 0) {
            const value = step.users.map((at) => ({ value: pick(users, at) }));
            await patchOps(`/Groups/${pick(groups, step.group)}`, [
              { op: "add", path: "members", value },
            ]);
          } else if (step.kind === "remove" && groups.length > 0 && users.length > 0) {
            await patchOps(`/Groups/${pick(groups, step.group)}`, [
              { op: "remove", path: `members[value eq "${pick(users, step.user)}"]` },
            ]);
          } else if (step.kind === "replaceMembers" && groups.length > 0 && users.length > 0) {
            const value = step.users.map((at) => ({ value: pick(users, at) }));
            await patchOps(`/Groups/${pick(groups, step.group)}`, [
              { op: "replace", path: "members", value },
            ]);
          } else if (step.kind === "delete" && users.length > 0) {
            const id = pick(users, step.user)!;
            if ((await send("DELETE", `/Users/${id}`)).status === 204) deleted.push(id);
          } else if (step.kind === "deleteGroup" && groups.length > 0) {
            await send("DELETE", `/Groups/${pick(groups, step.group)}`);
          } else if (step.kind === "restore" && deleted.length > 0) {
            await service
              .restoreDeleted("acme", "User", pick(deleted, step.user)!)
              .catch(() => undefined);
          }
        }
        // The model: what a consumer keeps when it applies every change in order.
        const modelUsers = new Map<string, boolean>();
        const modelGroups = new Map<string, { name: unknown; members: Set<string> }>();
        for (const change of await store.feed!.read("acme", { after: 0, limit: 100_000 })) {
          const data = change.data as Record<string, never>;
          const resource = data.resource as { active?: boolean; displayName?: string } | undefined;
          switch (change.type) {
            case "user.created":
            case "user.updated":
            case "user.deactivated":
            case "user.reactivated":
            case "user.restored":
              modelUsers.set(change.id, resource?.active !== false);
              break;
            case "user.deleted":
              modelUsers.delete(change.id);
              for (const group of modelGroups.values()) group.members.delete(change.id);
              break;
            case "group.created":
            case "group.restored":
              modelGroups.set(change.id, {
                name: resource?.displayName,
                members: new Set(data.memberIds),
              });
              break;
            case "group.updated":
            case "group.renamed":
              modelGroups.get(change.id)!.name = resource?.displayName;
              break;
            case "group.membersChanged": {
              const group = modelGroups.get(change.id)!;
              for (const id of data.added as unknown as string[]) group.members.add(id);
              for (const id of data.removed as unknown as string[]) group.members.delete(id);
              break;
            }
            case "group.deleted":
              modelGroups.delete(change.id);
              for (const group of modelGroups.values()) group.members.delete(change.id);
              break;
          }
        }
        const listed = async (path: string) =>
          (
            (await service.handle({ ...request("GET", path), query: { count: "1000" } })).body as {
              Resources?: Record<string, unknown>[];
            }
          ).Resources ?? [];
        const actualUsers = new Map(
          (await listed("/Users")).map((entry) => [entry.id as string, entry.active !== false]),
        );
        const actualGroups = new Map(
          (await listed("/Groups")).map((entry) => [
            entry.id as string,
            {
              name: entry.displayName,
              members: new Set(
                ((entry.members as { value: string }[] | undefined) ?? []).map(
                  (member) => member.value,
                ),
              ),
            },
          ]),
        );
        expect(modelUsers).toEqual(actualUsers);
        expect(modelGroups).toEqual(actualGroups);
      }),
      {
        numRuns: 100,
        // The case a naive feed gets wrong: a restored user rejoins its group.
        examples: [
          [
            [
              { kind: "user", name: 0 },
              { kind: "group", name: 0 },
              { kind: "add", group: 0, users: [0] },
              { kind: "delete", user: 0 },
              { kind: "restore", user: 0 },
            ],
          ],
        ],
      },
    );
  });
});

describe("createChangeConsumer", () => {
  const collect = () => {
    const handled: FeedChange[] = [];
    return { handled, handle: async (change: FeedChange) => void handled.push(change) };
  };

  it("validates its options when it runs", () => {
    const store = memoryStore();
    expect(() =>
      createChangeConsumer({ store: { ...store, feed: undefined }, name: "x", handle: () => {} }),
    ).toThrow(TypeError);
    expect(() => createChangeConsumer({ store, name: "bad name!", handle: () => {} })).toThrow(
      TypeError,
    );
    expect(() => createChangeConsumer({ store, name: "ok", handle: 5 as never })).toThrow(
      TypeError,
    );
    expect(() =>
      createChangeConsumer({ store, name: "ok", handle: () => {}, batchSize: 0 }),
    ).toThrow(TypeError);
  });

  it("hands every change to the handler once, in order, for every tenant, and checkpoints", async () => {
    const { store, user } = directory();
    await user("a@example.com");
    await user("b@example.com", "other");
    const { handled, handle } = collect();
    const consumer = createChangeConsumer({ store, name: "audit", handle, pollIntervalMs: 10 });
    consumer.start();
    await consumer.caughtUp();
    await user("c@example.com");
    await consumer.caughtUp();
    await consumer.stop();
    expect(
      handled.map((change) => `${change.event.tenant}#${change.position}:${change.type}`).sort(),
    ).toEqual(["acme#1:user.created", "acme#2:user.created", "other#1:user.created"]);
    expect(await store.feed!.checkpoints("audit")).toEqual(
      new Map([
        ["acme", 2],
        ["other", 1],
      ]),
    );
    const event = handled.find((change) => change.event.tenant === "acme")!
      .event as ScimEventMap["user.created"];
    expect(event.resource.userName).toBe("a@example.com");
  });

  it("resumes after a restart from its checkpoint, and redelivers what was not checkpointed", async () => {
    const { store, user } = directory();
    await user("a@example.com");
    const first = collect();
    const consumer = createChangeConsumer({
      store,
      name: "resume",
      handle: first.handle,
      pollIntervalMs: 10,
    });
    consumer.start();
    await consumer.caughtUp();
    await consumer.stop();
    await user("b@example.com");
    await user("c@example.com");
    const second = collect();
    const restarted = createChangeConsumer({
      store,
      name: "resume",
      handle: second.handle,
      pollIntervalMs: 10,
    });
    restarted.start();
    await restarted.caughtUp();
    await restarted.stop();
    expect(first.handled.map((change) => change.position)).toEqual([1]);
    expect(second.handled.map((change) => change.position)).toEqual([2, 3]);
  });

  it("retries a failing change with backoff, honours RetryLaterError, then dead-letters it and moves on", async () => {
    const { store, user } = directory();
    const ann = await user("ann@example.com");
    await user("bob@example.com");
    const attempts: number[] = [];
    const times: number[] = [];
    const reports: ConsumerReport[] = [];
    const consumer = createChangeConsumer({
      store,
      name: "flaky",
      pollIntervalMs: 10,
      retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 50 },
      onReport: quiet(reports),
      handle: async (change) => {
        if (change.event.id !== ann.id) return;
        attempts.push(change.position);
        times.push(Date.now());
        if (attempts.length === 1) throw new RetryLaterError(40);
        throw new Error("receiver said 500");
      },
    });
    consumer.start();
    await consumer.caughtUp();
    await consumer.stop();
    expect(attempts).toEqual([1, 1, 1]);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(35);
    const letters = await store.feed!.deadLetters("flaky", { limit: 10 });
    expect(letters).toEqual([
      expect.objectContaining({
        tenant: "acme",
        position: 1,
        id: ann.id,
        attempts: 3,
        error: "Error: receiver said 500",
      }),
    ]);
    expect(reports.map((report) => report.kind)).toEqual(["handler", "handler", "deadLetter"]);
    expect(await store.feed!.checkpoints("flaky")).toEqual(new Map([["acme", 2]]));
  });

  it("keeps each resource's changes in order while resources run concurrently", async () => {
    const { store, user, patch } = directory();
    const ids: string[] = [];
    for (let index = 0; index < 6; index += 1) ids.push((await user(`u${index}@example.com`)).id);
    for (let round = 0; round < 4; round += 1) {
      for (const id of ids)
        await patch(`/Users/${id}`, [{ op: "replace", path: "title", value: `t${round}` }]);
    }
    const order = new Map<string, number[]>();
    let inFlight = 0;
    let most = 0;
    const consumer = createChangeConsumer({
      store,
      name: "ordered",
      concurrency: 4,
      batchSize: 50,
      pollIntervalMs: 10,
      handle: async (change) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        order.set(change.event.id, [...(order.get(change.event.id) ?? []), change.position]);
        inFlight -= 1;
      },
    });
    consumer.start();
    await consumer.caughtUp();
    await consumer.stop();
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
    for (const positions of order.values()) {
      expect(positions).toEqual([...positions].sort((left, right) => left - right));
      expect(positions).toHaveLength(5);
    }
  });

  it("lets one consumer per name be active; the other takes over when it stops", async () => {
    const { store, user, service } = directory();
    await user("a@example.com");
    const one = collect();
    const two = collect();
    const first = createChangeConsumer({
      store,
      name: "leader",
      handle: one.handle,
      pollIntervalMs: 10,
      wakeOn: service,
    });
    const second = createChangeConsumer({
      store,
      name: "leader",
      handle: two.handle,
      pollIntervalMs: 10,
      leaseSeconds: 1,
    });
    first.start();
    await first.caughtUp();
    second.start();
    await user("b@example.com");
    await first.caughtUp();
    await second.caughtUp();
    expect(first.active).toBe(true);
    expect(second.active).toBe(false);
    await first.stop();
    await user("c@example.com");
    await second.caughtUp();
    await second.stop();
    expect(one.handled.map((change) => change.position)).toEqual([1, 2]);
    expect(two.handled.map((change) => change.position)).toEqual([3]);
  });

  it("wakes at once on a local commit instead of waiting for the next poll", async () => {
    const { store, user, service } = directory();
    const { handled, handle } = collect();
    const consumer = createChangeConsumer({
      store,
      name: "fast",
      handle,
      pollIntervalMs: 60_000,
      wakeOn: service,
    });
    consumer.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await user("now@example.com");
    const deadline = Date.now() + 1000;
    while (handled.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    await consumer.stop();
    expect(handled).toHaveLength(1);
  });

  it("reports a gap when changes were pruned before it read them", async () => {
    const store = memoryStore();
    await store.create("acme", {
      resourceType: "User",
      id: "old",
      created: "2000-01-01T00:00:00.000Z",
      data: { userName: "old" },
      uniqueKeys: [{ attribute: "userName", value: "old" }],
      changes: [{ type: "user.created", data: {} }],
    });
    await store.create("acme", {
      resourceType: "User",
      id: "new",
      created: "2999-01-01T00:00:00.000Z",
      data: { userName: "new" },
      uniqueKeys: [{ attribute: "userName", value: "new" }],
      changes: [{ type: "user.created", data: {} }],
    });
    await store.feed!.prune("2001-01-01T00:00:00.000Z", 10);
    const reports: ConsumerReport[] = [];
    const { handled, handle } = collect();
    const consumer = createChangeConsumer({
      store,
      name: "late",
      handle,
      pollIntervalMs: 10,
      onReport: quiet(reports),
    });
    consumer.start();
    await consumer.caughtUp();
    await consumer.stop();
    expect(handled.map((change) => change.position)).toEqual([2]);
    expect(reports).toEqual([{ kind: "gap", tenant: "acme", from: 1, to: 1 }]);
  });
});
