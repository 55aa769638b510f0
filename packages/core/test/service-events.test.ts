import { describe, expect, it, vi } from "vitest";
import { SCIM_EVENT_NAMES, type ScimEventMap, type ScimEventName } from "../src/service/events";
import { patchOp, setup } from "./service-harness";

/** Records every event the service emits, in order. */
function record(service: ReturnType<typeof setup>["service"]) {
  const seen: { name: ScimEventName; event: ScimEventMap[ScimEventName] }[] = [];
  for (const name of SCIM_EVENT_NAMES) service.on(name, (event) => void seen.push({ name, event }));
  return seen;
}

describe("change events", () => {
  it("user lifecycle: created, deactivated, reactivated, deleted, each once, with tenant and id", async () => {
    const { service, call, createUser } = setup();
    const seen = record(service);
    const user = await createUser("life@example.com", { active: true });
    expect(seen).toEqual([
      {
        name: "user.created",
        event: expect.objectContaining({ tenant: "tenant-a", resourceType: "User", id: user.id }),
      },
    ]);
    expect(
      (seen[0]!.event as unknown as { resource: { userName: string } }).resource.userName,
    ).toBe("life@example.com");
    seen.length = 0;

    await call(
      "PATCH",
      `/Users/${user.id}`,
      patchOp({ op: "Replace", path: "active", value: "False" }),
    );
    expect(seen.map((entry) => entry.name)).toEqual(["user.updated", "user.deactivated"]);
    expect((seen[1]!.event as unknown as { resource: { active: boolean } }).resource.active).toBe(
      false,
    );
    seen.length = 0;

    // Okta's no-path deactivate of an already inactive user: a no-op, no events.
    await call("PATCH", `/Users/${user.id}`, patchOp({ op: "replace", value: { active: false } }));
    expect(seen).toEqual([]);

    await call("PUT", `/Users/${user.id}`, { userName: "life@example.com", active: true });
    expect(seen.map((entry) => entry.name)).toEqual(["user.updated", "user.reactivated"]);
    seen.length = 0;

    await call("DELETE", `/Users/${user.id}`);
    expect(seen).toEqual([
      {
        name: "user.deleted",
        event: { tenant: "tenant-a", resourceType: "User", id: user.id, soft: false },
      },
    ]);
  });

  it("group: renamed with old and new names, members changed with exactly the real changes", async () => {
    const { service, call, createUser, createGroup } = setup();
    const alice = await createUser("alice");
    const bob = await createUser("bob");
    const seen = record(service);
    const group = await createGroup("Sales", [alice.id]);
    expect(seen).toEqual([
      {
        name: "group.created",
        event: expect.objectContaining({
          id: group.id,
          memberIds: [alice.id],
          policyName: "sales",
        }),
      },
    ]);
    seen.length = 0;

    await call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOp({ op: "Replace", path: "displayName", value: "Revenue" }),
    );
    expect(seen.map((entry) => entry.name)).toEqual(["group.updated", "group.renamed"]);
    expect(seen[1]?.event).toMatchObject({
      previousDisplayName: "Sales",
      displayName: "Revenue",
      previousPolicyName: "sales",
      policyName: "revenue",
    });
    seen.length = 0;

    // Entra re-sends an existing member and a rename to the same value: nothing happens.
    await call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOp(
        { op: "Add", path: "members", value: [{ value: alice.id }] },
        { op: "Replace", path: "displayName", value: "Revenue" },
      ),
    );
    expect(seen).toEqual([]);

    await call(
      "PATCH",
      `/Groups/${group.id}`,
      patchOp(
        { op: "add", path: "members", value: [{ value: alice.id }, { value: bob.id }] },
        { op: "remove", path: `members[value eq "${alice.id}"]` },
      ),
    );
    expect(seen).toEqual([
      {
        name: "group.membersChanged",
        event: {
          tenant: "tenant-a",
          resourceType: "Group",
          id: group.id,
          added: [bob.id],
          removed: [alice.id],
        },
      },
    ]);
    seen.length = 0;

    await call("DELETE", `/Groups/${group.id}`);
    expect(seen.map((entry) => entry.name)).toEqual(["group.deleted"]);
  });

  it("emits nothing for failed requests", async () => {
    const { service, call, createUser } = setup();
    await createUser("taken");
    const seen = record(service);
    expect((await call("POST", "/Users", { userName: "TAKEN" })).status).toBe(409);
    expect((await call("DELETE", "/Users/nope")).status).toBe(404);
    expect(seen).toEqual([]);
  });

  it("a throwing or rejecting listener never fails the request and reaches onError", async () => {
    const onError = vi.fn();
    const { service, createUser } = setup({ onError });
    service.on("user.created", () => {
      throw new Error("listener bug");
    });
    service.on("user.created", async () => {
      throw new Error("async listener bug");
    });
    const later = vi.fn();
    service.on("user.created", later);
    const user = await createUser("safe");
    expect(user.id).toBeTruthy();
    expect(later).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(2));
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: "listener bug" }), {
      event: "user.created",
    });
  });

  it("on returns an unsubscribe function; events is the same subscription surface", async () => {
    const { service, createUser } = setup();
    const listener = vi.fn();
    const unsubscribe = service.on("user.created", listener);
    await createUser("one");
    unsubscribe();
    await createUser("two");
    expect(listener).toHaveBeenCalledOnce();
    const viaEvents = vi.fn();
    service.events.on("user.created", viaEvents);
    await createUser("three");
    expect(viaEvents).toHaveBeenCalledOnce();
    expect(() => service.on("user.created", "nope" as never)).toThrow(TypeError);
  });
});
