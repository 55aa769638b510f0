/**
 * PATCH: scimkit against the peer libraries, measured in the same run.
 * `npm run bench` (which builds first), or `npx vitest bench --run src/patch.bench.ts`
 * in benchmarks/ after `npm run build`, prints the tables and, at the end, scimkit's
 * speed as a multiple of the fastest peer (user PATCHes) and how member operations
 * scale from a 10-member to a 100 000-member group.
 *
 * Fairness notes: every library runs as it is installed, loaded by Node from its
 * package (scimkit from its build, not from the TypeScript sources that vitest's
 * module runner would execute with a dictionary lookup on every call between
 * files). Every library leaves its input untouched (scim-patch runs with
 * `mutateDocument: false`, as scimkit never mutates), and each call starts from
 * the same resource. scimkit receives Entra's wire shapes (`"False"`, dotted and
 * URN-qualified keys); peers that cannot coerce get the typed, nested equivalents.
 * scimkit turns member operations into a delta and never sees the member list;
 * peers rewrite the member array, which is the point of the comparison.
 */
import { createRequire } from "node:module";
import type { ScimObject } from "@scimkit/core";
import { type ScimPatchOperation, type ScimResource, scimPatch } from "scim-patch";
import SCIMMY from "scimmy";
import { bench, describe } from "vitest";

// The peers load from node_modules, outside vitest's module runner; so does scimkit.
const { applyPatch, createSchemaRegistry } = createRequire(import.meta.url)(
  "@scimkit/core",
) as typeof import("@scimkit/core");
const registry = createSchemaRegistry();
const USERS = registry.resourceSchema("User");
const GROUPS = registry.resourceSchema("Group");
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp" as const;
const USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const throughput = new Map<string, number>();
/** Contenders per label; a label's ratio is printed once all of them have run. */
const contenders = new Map<string, readonly string[]>();
const reported = new Set<string>();
interface TinybenchTask {
  name: string;
  result?: { hz: number };
  addEventListener(type: "complete", listener: () => void): void;
}
// vitest bench does not run afterAll hooks, so results are reported as tasks complete.
const record = {
  setup(task: TinybenchTask, mode: "run" | "warmup") {
    if (mode !== "run") return;
    task.addEventListener("complete", () => {
      if (task.result === undefined) return;
      throughput.set(task.name, task.result.hz);
      const label = task.name.slice(0, task.name.indexOf(":"));
      report(label);
      reportScaling();
    });
  },
  time: 1000,
};
/** Peers on 100 000-member groups take hundreds of ms per call: a few samples suffice. */
const slow = { ...record, time: 300, iterations: 3, warmupIterations: 1, warmupTime: 0 };

function report(label: string) {
  const names = contenders.get(label);
  const ours = throughput.get(`${label}: scimkit`);
  if (names === undefined || ours === undefined || reported.has(label)) return;
  const peers = names.map((name) => [name, throughput.get(`${label}: ${name}`)] as const);
  if (peers.some(([, hz]) => hz === undefined)) return;
  reported.add(label);
  const [fastestName, fastestHz] = peers.sort(
    (left, right) => (right[1] ?? 0) - (left[1] ?? 0),
  )[0] as readonly [string, number];
  console.log(
    `${label}: scimkit is ${(ours / fastestHz).toFixed(1)}x the fastest peer (${fastestName})`,
  );
}

function reportScaling() {
  for (const kind of ["add", "remove"]) {
    const small = throughput.get(`patch-member-${kind}-10: scimkit`);
    const large = throughput.get(`patch-member-${kind}-100000: scimkit`);
    if (small === undefined || large === undefined || reported.has(kind)) continue;
    reported.add(kind);
    console.log(
      `patch-member-${kind}: scimkit at 100 000 members takes ${(small / large).toFixed(2)}x the time of 10 members`,
    );
  }
}

const user: ScimObject = {
  schemas: [USER_URN, ENTERPRISE],
  id: "2819c223-7f76-453a-919d-413861904646",
  externalId: "00u1abcd2EFGH3ijk4x7",
  userName: "bjensen@example.com",
  name: { formatted: "Ms. Barbara J Jensen", familyName: "Jensen", givenName: "Barbara" },
  displayName: "Babs Jensen",
  title: "Tour Guide",
  active: true,
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" },
  ],
  [ENTERPRISE]: { employeeNumber: "701984", costCenter: "4130" },
};

const scimkit = (resource: ScimObject, operations: unknown[], members = USERS) => {
  const result = applyPatch({
    resourceSchema: members,
    resource,
    request: { schemas: [PATCH_OP], Operations: operations },
  });
  if (!result.ok || result.value.kind !== "applied") throw new Error("scimkit PATCH failed");
  return result.value;
};
const scimPatchPeer = (resource: ScimObject, operations: unknown[]) =>
  scimPatch(resource as unknown as ScimResource, operations as ScimPatchOperation[], {
    mutateDocument: false,
  });
const scimmyUser = (resource: ScimObject, operations: unknown[]) =>
  new SCIMMY.Messages.PatchOp({
    schemas: [PATCH_OP],
    Operations: operations as SCIMMY.Messages.PatchOp.PatchOpOperation[],
  }).apply(new SCIMMY.Schemas.User(resource));
const scimmyGroup = (resource: ScimObject, operations: unknown[]) =>
  new SCIMMY.Messages.PatchOp({
    schemas: [PATCH_OP],
    Operations: operations as SCIMMY.Messages.PatchOp.PatchOpOperation[],
  }).apply(new SCIMMY.Schemas.Group(resource));

const PEERS = ["scim-patch", "scimmy"];

describe("patch-user-active", () => {
  const label = "patch-user-active";
  contenders.set(label, PEERS);
  const entra = [{ op: "Replace", path: "active", value: "False" }];
  const typed = [{ op: "replace", path: "active", value: false }];
  bench(`${label}: scimkit`, () => void scimkit(user, entra), record);
  bench(`${label}: scim-patch`, () => void scimPatchPeer(user, typed), record);
  bench(`${label}: scimmy`, async () => void (await scimmyUser(user, typed)), record);
});

describe("patch-user-multi", () => {
  const label = "patch-user-multi";
  contenders.set(label, PEERS);
  // Entra's aadOptscim062020 shape: one no-path replace with dotted and URN-qualified keys.
  const entra = [
    {
      op: "replace",
      value: {
        displayName: "Barbara Jensen",
        title: "Senior Tour Guide",
        "name.givenName": "Barbara",
        "name.familyName": "Jensen-Smith",
        [`${ENTERPRISE}:employeeNumber`]: "701985",
        active: "True",
      },
    },
  ];
  const nested = {
    displayName: "Barbara Jensen",
    title: "Senior Tour Guide",
    name: { givenName: "Barbara", familyName: "Jensen-Smith" },
    active: true,
  };
  const typed = [
    { op: "replace", value: { ...nested, [ENTERPRISE]: { employeeNumber: "701985" } } },
  ];
  // SCIMMY's User schema carries no enterprise extension unless one is declared.
  const scimmyTyped = [{ op: "replace", value: nested }];
  bench(`${label}: scimkit`, () => void scimkit(user, entra), record);
  bench(`${label}: scim-patch`, () => void scimPatchPeer(user, typed), record);
  bench(`${label}: scimmy`, async () => void (await scimmyUser(user, scimmyTyped)), record);
});

const SIZES = [10, 10_000, 100_000] as const;
const groupWith = (size: number): ScimObject => ({
  schemas: [GROUP_URN],
  id: "e9e30dba-f08f-4109-8486-d5c6a331660a",
  displayName: "Tour Guides",
  members: Array.from({ length: size }, (_, index) => ({
    value: `member-${index}`,
    display: `Member ${index}`,
    type: "User",
  })),
});
/** What scimkit receives: the group's attributes; members live in the store's relation. */
const groupAttributes: ScimObject = { schemas: [GROUP_URN], id: "g", displayName: "Tour Guides" };

const MEMBER_OPERATIONS = {
  add: [{ op: "Add", path: "members", value: [{ $ref: null, value: "new-member" }] }],
  remove: [{ op: "remove", path: 'members[value eq "member-5"]' }],
};

for (const [kind, operations] of Object.entries(MEMBER_OPERATIONS)) {
  for (const size of SIZES) {
    const label = `patch-member-${kind}-${size}`;
    const group = groupWith(size);
    const options = size === 100_000 ? slow : record;
    contenders.set(label, PEERS);
    describe(label, () => {
      bench(`${label}: scimkit`, () => void scimkit(groupAttributes, operations, GROUPS), record);
      bench(`${label}: scim-patch`, () => void scimPatchPeer(group, operations), options);
      bench(
        `${label}: scimmy`,
        async () => void (await scimmyGroup(group, operations)),
        size >= 10_000 ? slow : record,
      );
    });
  }
}
