import { describe, expect, it } from "vitest";
import type { ScimError } from "../src/errors";
import {
  type ApplyPatchInput,
  applyPatch,
  type PatchApplied,
  type PatchOptions,
} from "../src/patch/apply-patch";
import { createSchemaRegistry } from "../src/schema/create-schema-registry";
import type { ScimObject } from "../src/schema/types";
import type { MemberRef } from "../src/store/contract";

const registry = createSchemaRegistry();
const USER = registry.resourceSchema("User");
const GROUP = registry.resourceSchema("Group");
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const BABS = "2819c223-7f76-453a-919d-413861904646";
const JAMES = "08e1d05d-121c-4561-8b96-473d93df9210";

const body = (operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });

type Extra = Partial<Pick<ApplyPatchInput, "members" | "resourceSchema">> & {
  options?: PatchOptions;
};

function run(resource: ScimObject, operations: unknown[], extra: Extra = {}) {
  return applyPatch({
    resourceSchema: extra.resourceSchema ?? (resource.schemas === GROUP_SCHEMAS ? GROUP : USER),
    resource,
    request: body(operations),
    ...(extra.members === undefined ? {} : { members: extra.members }),
    ...(extra.options === undefined ? {} : { options: extra.options }),
  });
}

function applied(resource: ScimObject, operations: unknown[], extra: Extra = {}): PatchApplied {
  const result = run(resource, operations, extra);
  if (!result.ok) throw new Error(`expected success, got ${result.error.detail}`);
  if (result.value.kind !== "applied") throw new Error("expected applied, got needsMembers");
  return result.value;
}

function rejected(resource: ScimObject, operations: unknown[], extra: Extra = {}): ScimError {
  const result = run(resource, operations, extra);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

const GROUP_SCHEMAS = [GROUP_URN];
const group = (): ScimObject => ({ schemas: GROUP_SCHEMAS, id: "g1", displayName: "Tour Guides" });
const user = (): ScimObject => ({
  schemas: [USER_URN],
  id: "u1",
  userName: "bjensen",
  name: { givenName: "Barbara", familyName: "Jensen", formatted: "Ms. Barbara J Jensen" },
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" },
  ],
  addresses: [
    { type: "work", streetAddress: "100 Universal City Plaza", locality: "Hollywood" },
    { type: "home", streetAddress: "456 Hollywood Blvd", locality: "Hollywood" },
  ],
  active: true,
});

describe("RFC 7644 §3.5.2 examples", () => {
  it("§3.5.2.1 add members: a delta, no member list read", () => {
    const outcome = applied(group(), [
      {
        op: "add",
        path: "members",
        value: [
          { display: "Babs Jensen", $ref: `https://example.com/v2/Users/${BABS}`, value: BABS },
        ],
      },
    ]);
    expect(outcome.members).toEqual({
      add: [{ value: BABS, type: "User", display: "Babs Jensen" }],
      remove: [],
    });
    expect(outcome.resource).toEqual(group());
    expect(outcome.changed).toBe(true);
  });

  it("§3.5.2.1 add without path appends the email and sets nickName", () => {
    const outcome = applied(user(), [
      {
        op: "add",
        value: {
          emails: [{ value: "babs@jensen.org", type: "home" }, { value: "b@x.org" }],
          nickname: "Babs",
        },
      },
    ]);
    expect(outcome.resource.nickName).toBe("Babs");
    // The existing home email is not duplicated; the new one is appended.
    expect(outcome.resource.emails).toEqual([
      ...(user().emails as unknown[]),
      { value: "b@x.org" },
    ]);
  });

  it("§3.5.2.2 remove one member by value filter", () => {
    const outcome = applied(group(), [{ op: "remove", path: `members[value eq "${BABS}"]` }]);
    expect(outcome.members).toEqual({ add: [], remove: [BABS] });
  });

  it("§3.5.2.2 remove all members", () => {
    const outcome = applied(group(), [{ op: "remove", path: "members" }]);
    expect(outcome.members).toEqual({ replaceAll: true, add: [], remove: [] });
  });

  it("§3.5.2.2 remove the work emails ending in example.com", () => {
    const outcome = applied(user(), [
      { op: "remove", path: 'emails[type eq "work" and value ew "example.com"]' },
    ]);
    expect(outcome.resource.emails).toEqual([{ value: "babs@jensen.org", type: "home" }]);
  });

  it("§3.5.2.2 remove two members in two operations", () => {
    const outcome = applied(group(), [
      { op: "remove", path: `members[value eq "${BABS}"]` },
      { op: "remove", path: `members[value eq "${JAMES}"]` },
    ]);
    expect(outcome.members).toEqual({ add: [], remove: [BABS, JAMES] });
  });

  it("§3.5.2.2 remove all then add is a replace of the member set", () => {
    const outcome = applied(group(), [
      { op: "remove", path: "members" },
      {
        op: "add",
        path: "members",
        value: [
          { display: "Babs Jensen", $ref: `https://example.com/v2/Users/${BABS}`, value: BABS },
          { display: "James Smith", $ref: `https://example.com/v2/Users/${JAMES}`, value: JAMES },
        ],
      },
    ]);
    expect(outcome.members?.replaceAll).toBe(true);
    expect(outcome.members?.add.map((member) => member.value)).toEqual([BABS, JAMES]);
  });

  it("§3.5.2.3 replace members", () => {
    const outcome = applied(group(), [
      {
        op: "replace",
        path: "members",
        value: [
          { display: "Babs Jensen", value: BABS },
          { display: "James Smith", value: JAMES },
        ],
      },
    ]);
    expect(outcome.members).toEqual({
      replaceAll: true,
      add: [
        { value: BABS, type: "User", display: "Babs Jensen" },
        { value: JAMES, type: "User", display: "James Smith" },
      ],
      remove: [],
    });
  });

  it("§3.5.2.3 replace the work address", () => {
    const work = {
      type: "work",
      streetAddress: "911 Universal City Plaza",
      locality: "Hollywood",
      region: "CA",
      postalCode: "91608",
      country: "US",
      formatted: "911 Universal City Plaza\nHollywood, CA 91608 US",
      primary: true,
    };
    const outcome = applied(user(), [
      { op: "replace", path: 'addresses[type eq "work"]', value: work },
    ]);
    expect(outcome.resource.addresses).toEqual([work, (user().addresses as unknown[])[1]]);
  });

  it("§3.5.2.3 replace the street of the work address", () => {
    const outcome = applied(user(), [
      {
        op: "replace",
        path: 'addresses[type eq "work"].streetAddress',
        value: "1010 Broadway Ave",
      },
    ]);
    expect(outcome.resource.addresses).toEqual([
      { type: "work", streetAddress: "1010 Broadway Ave", locality: "Hollywood" },
      { type: "home", streetAddress: "456 Hollywood Blvd", locality: "Hollywood" },
    ]);
  });

  it("§3.5.2.3 replace without path replaces emails and sets nickName", () => {
    const emails = [
      { value: "bjensen@example.com", type: "work", primary: true },
      { value: "babs@jensen.org", type: "home" },
    ];
    const outcome = applied(user(), [{ op: "replace", value: { emails, nickname: "Babs" } }]);
    expect(outcome.resource.emails).toEqual(emails);
    expect(outcome.resource.nickName).toBe("Babs");
  });
});

describe("PATCH semantics", () => {
  it("replace of a missing attribute adds it; single-valued add replaces", () => {
    expect(applied(user(), [{ op: "replace", path: "title", value: "Boss" }]).resource.title).toBe(
      "Boss",
    );
    expect(
      applied({ ...user(), title: "A" }, [{ op: "add", path: "title", value: "B" }]).resource.title,
    ).toBe("B");
  });

  it("replace on a complex attribute keeps sub-attributes it does not name", () => {
    const outcome = applied(user(), [
      { op: "replace", path: "name", value: { givenName: "Babs" } },
    ]);
    expect(outcome.resource.name).toEqual({
      givenName: "Babs",
      familyName: "Jensen",
      formatted: "Ms. Barbara J Jensen",
    });
  });

  it("sub-attribute paths set and remove one sub-attribute", () => {
    const set = applied(user(), [{ op: "replace", path: "name.familyName", value: "Smith" }]);
    expect((set.resource.name as ScimObject).familyName).toBe("Smith");
    const removed = applied(user(), [{ op: "remove", path: "name.formatted" }]);
    expect(removed.resource.name).toEqual({ givenName: "Barbara", familyName: "Jensen" });
  });

  it("removing the last sub-attribute unassigns the complex attribute", () => {
    const outcome = applied({ ...user(), name: { givenName: "B" } }, [
      { op: "remove", path: "name.givenName" },
    ]);
    expect(outcome.resource).not.toHaveProperty("name");
  });

  it("replace or remove with a filter that matches nothing is 400 noTarget", () => {
    expect(rejected(user(), [{ op: "remove", path: 'emails[type eq "other"]' }]).scimType).toBe(
      "noTarget",
    );
    expect(
      rejected(user(), [
        { op: "replace", path: 'addresses[locality eq "Paris"]', value: { type: "x" } },
      ]).scimType,
    ).toBe("noTarget");
  });

  it("setting primary on one value clears the others", () => {
    const outcome = applied(user(), [
      { op: "replace", path: 'emails[type eq "home"].primary', value: true },
    ]);
    expect(outcome.resource.emails).toEqual([
      { value: "bjensen@example.com", type: "work", primary: false },
      { value: "babs@jensen.org", type: "home", primary: true },
    ]);
    const added = applied(user(), [
      { op: "add", path: "emails", value: [{ value: "new@x.org", type: "other", primary: true }] },
    ]);
    expect((added.resource.emails as ScimObject[]).map((email) => email.primary)).toEqual([
      false,
      undefined,
      true,
    ]);
  });

  it("URN-qualified paths and whole-extension paths", () => {
    const qualified = applied(user(), [
      { op: "add", path: `${ENTERPRISE}:employeeNumber`, value: "701984" },
    ]);
    expect(qualified.resource[ENTERPRISE]).toEqual({ employeeNumber: "701984" });
    expect(qualified.resource.schemas).toEqual([USER_URN, ENTERPRISE]);

    const whole = applied(qualified.resource, [
      { op: "replace", path: ENTERPRISE, value: { costCenter: "4130", manager: { value: "m1" } } },
    ]);
    expect(whole.resource[ENTERPRISE]).toEqual({
      employeeNumber: "701984",
      costCenter: "4130",
      manager: { value: "m1" },
    });

    const removed = applied(whole.resource, [{ op: "remove", path: ENTERPRISE }]);
    expect(removed.resource).not.toHaveProperty(ENTERPRISE);
    expect(removed.resource.schemas).toEqual([USER_URN]);
  });

  it("remove without path is 400 noTarget", () => {
    const error = rejected(user(), [{ op: "remove" }]);
    expect(error.scimType).toBe("noTarget");
    expect(error.code).toBe("patch.remove_without_path");
    expect(rejected(user(), [{ op: "remove", path: USER_URN }]).code).toBe(
      "patch.remove_core_schema",
    );
  });

  it("removing a required attribute is 400 mutability (RFC 7644 §3.5.2.2)", () => {
    expect(rejected(user(), [{ op: "remove", path: "userName" }]).scimType).toBe("mutability");
    expect(rejected(user(), [{ op: "replace", path: "userName", value: null }]).scimType).toBe(
      "mutability",
    );
  });

  it("readOnly attributes: equal values ignored, different values 400 mutability", () => {
    expect(applied(user(), [{ op: "replace", path: "id", value: "u1" }]).changed).toBe(false);
    expect(rejected(user(), [{ op: "replace", path: "id", value: "u2" }]).scimType).toBe(
      "mutability",
    );
    expect(rejected(user(), [{ op: "remove", path: "id" }]).scimType).toBe("mutability");
  });

  it("immutable attributes can be set while unassigned, not changed", () => {
    const withMember = applied(group(), [{ op: "add", path: "members", value: [{ value: "a" }] }], {
      members: [{ value: "b", type: "User", display: "Bee" }],
    });
    expect(withMember.members).toEqual({ add: [{ value: "a", type: "User" }], remove: [] });
    const error = rejected(
      group(),
      [{ op: "replace", path: 'members[value eq "b"].display', value: "Other" }],
      { members: [{ value: "b", type: "User", display: "Bee" }] },
    );
    expect(error.scimType).toBe("mutability");
  });

  it("values go through the schema validators", () => {
    const error = rejected(user(), [{ op: "replace", path: "active", value: "maybe" }]);
    expect(error.status).toBe(400);
    expect(error.scimType).toBe("invalidValue");
    expect(rejected(user(), [{ op: "replace", path: "nope", value: 1 }]).scimType).toBe(
      "invalidPath",
    );
    expect(rejected(user(), [{ op: "replace", value: { nope: 1 } }]).scimType).toBe("invalidPath");
  });

  it("validates the envelope", () => {
    const envelope = (request: unknown) =>
      applyPatch({ resourceSchema: USER, resource: user(), request });
    const code = (request: unknown) => {
      const result = envelope(request);
      return result.ok ? "ok" : `${result.error.scimType}:${result.error.code}`;
    };
    expect(code("nope")).toBe("invalidSyntax:patch.body_not_object");
    expect(code({ schemas: ["urn:x"], Operations: [] })).toBe("invalidSyntax:patch.missing_schema");
    expect(code({ schemas: [PATCH_OP], Operations: [] })).toBe("invalidSyntax:patch.no_operations");
    expect(code({ schemas: [PATCH_OP], Operations: [{ op: "move", path: "title" }] })).toBe(
      "invalidSyntax:patch.unknown_op",
    );
    expect(code({ schemas: [PATCH_OP], Operations: [{ op: "add", path: "title" }] })).toBe(
      "invalidSyntax:patch.missing_value",
    );
    expect(code({ schemas: [PATCH_OP], Operations: [{ op: "add", path: 7, value: 1 }] })).toBe(
      "invalidPath:patch.path_not_string",
    );
    expect(code({ schemas: [PATCH_OP], Operations: [{ op: "add", value: "x" }] })).toBe(
      "invalidValue:patch.value_not_object",
    );
    expect(
      code({ schemas: [PATCH_OP], Operations: [{ op: "add", path: "emails[", value: 1 }] }),
    ).toMatch(/^invalid(Path|Filter):/);
  });

  it("never reads Object.prototype names as operations or attributes", () => {
    for (const op of ["constructor", "__proto__", "toString"]) {
      const error = rejected(user(), [{ op, path: "title", value: "x" }]);
      expect(error.code).toBe("patch.unknown_op");
    }
    const error = rejected(user(), [{ op: "add", value: JSON.parse('{"__proto__": {"x": 1}}') }]);
    expect(error.scimType).toBe("invalidPath");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("bounds the number of operations (400 tooMany)", () => {
    const operations = Array.from({ length: 4 }, () => ({ op: "add", path: "title", value: "x" }));
    const result = applyPatch({
      resourceSchema: USER,
      resource: user(),
      request: body(operations),
      options: { maxOperations: 3 },
    });
    expect(result.ok ? undefined : result.error.scimType).toBe("tooMany");
  });

  it("never mutates the input and applies nothing when a later operation fails", () => {
    const input = user();
    const snapshot = structuredClone(input);
    const error = rejected(input, [
      { op: "replace", path: "title", value: "Boss" },
      { op: "add", path: "emails", value: [{ value: "x@y.org" }] },
      { op: "remove", path: 'emails[type eq "nope"]' },
    ]);
    expect(error.scimType).toBe("noTarget");
    expect(input).toEqual(snapshot);
  });

  it("reports changed: false for a PATCH that changes nothing", () => {
    const outcome = applied(user(), [
      { op: "replace", path: "userName", value: "bjensen" },
      { op: "add", path: "emails", value: [{ value: "babs@jensen.org", type: "home" }] },
      { op: "replace", value: { active: "True", name: { givenName: "Barbara" } } },
    ]);
    expect(outcome.changed).toBe(false);
    expect(outcome.resource).toEqual(user());
    expect(outcome).not.toHaveProperty("members");
  });
});

describe("whole-extension values carrying the resource's schemas key (issue 14)", () => {
  const stray = { schemas: [ENTERPRISE], employeeNumber: "701985" };
  const forms = [
    { op: "add", path: ENTERPRISE, value: stray },
    { op: "replace", path: ENTERPRISE, value: stray },
    { op: "add", value: { [ENTERPRISE]: stray } },
    { op: "replace", value: { [ENTERPRISE]: stray } },
  ];

  it("lenient: the key is ignored, as PUT ignores it, and never stored in the extension", () => {
    for (const operation of forms) {
      const outcome = applied(user(), [operation]);
      expect(outcome.resource[ENTERPRISE]).toEqual({ employeeNumber: "701985" });
      expect(outcome.resource.schemas).toEqual([USER_URN, ENTERPRISE]);
      expect(outcome.changed).toBe(true);
    }
    const current = {
      ...user(),
      schemas: [USER_URN, ENTERPRISE],
      [ENTERPRISE]: { costCenter: "4130" },
    };
    const merged = applied(current, [{ op: "add", path: ENTERPRISE, value: stray }]);
    expect(merged.resource[ENTERPRISE]).toEqual({ costCenter: "4130", employeeNumber: "701985" });
    const same = applied(merged.resource, [{ op: "replace", path: ENTERPRISE, value: stray }]);
    expect(same.changed).toBe(false);
    const meta = applied(user(), [
      { op: "add", path: ENTERPRISE, value: { meta: { version: "W/1" }, employeeNumber: "1" } },
    ]);
    expect(meta.resource[ENTERPRISE]).toEqual({ employeeNumber: "1" });
  });

  it("strict: 400 invalidValue naming the operation, since the path itself is valid", () => {
    for (const operation of forms) {
      const error = rejected(user(), [{ op: "replace", path: "title", value: "x" }, operation], {
        options: { strict: true },
      });
      expect(error.scimType).toBe("invalidValue");
      expect(error.code).toBe("patch.envelope_in_schema");
      expect(error.detail).toContain("Operations[1]");
    }
  });

  it("an unknown attribute inside the extension is still 400 invalidPath in both modes", () => {
    for (const strict of [false, true]) {
      const error = rejected(user(), [{ op: "add", path: ENTERPRISE, value: { nope: "x" } }], {
        options: { strict },
      });
      expect(error.scimType).toBe("invalidPath");
    }
  });
});

describe("membership", () => {
  it("reads the members attribute from the resource type, never from the name", () => {
    const teams = {
      ...GROUP,
      resourceType: { ...GROUP.resourceType, membersAttribute: undefined },
    };
    const outcome = applied(group(), [{ op: "add", path: "members", value: [{ value: "a" }] }], {
      resourceSchema: teams,
    });
    expect(outcome).not.toHaveProperty("members");
    expect(outcome.resource.members).toEqual([{ value: "a" }]);
  });

  it("never returns the membership attribute in the resource", () => {
    const outcome = applied({ ...group(), members: [{ value: "x", type: "User" }] }, [
      { op: "replace", path: "displayName", value: "Renamed" },
    ]);
    expect(outcome.resource).toEqual({ ...group(), displayName: "Renamed" });
    expect(outcome.members).toBeUndefined();
  });

  it("removing with an or-filter of ids is a delta", () => {
    const outcome = applied(group(), [
      { op: "remove", path: 'members[value eq "a" or value eq "b" or value eq "c"]' },
    ]);
    expect(outcome.members).toEqual({ add: [], remove: ["a", "b", "c"] });
  });

  it("other member filters need the member list, then evaluate against it", () => {
    const operations = [{ op: "remove", path: 'members[display eq "Bee" or type eq "Group"]' }];
    const first = run(group(), operations);
    expect(first.ok && first.value.kind).toBe("needsMembers");
    const members: MemberRef[] = [
      { value: "a", type: "User", display: "Ay" },
      { value: "b", type: "User", display: "Bee" },
      { value: "c", type: "Group" },
    ];
    const outcome = applied(group(), operations, { members });
    expect(outcome.members).toEqual({ add: [], remove: ["b", "c"] });
  });

  it("filter forms on a 100 000-member list stay linear", () => {
    const members: MemberRef[] = Array.from({ length: 100_000 }, (_, index) => ({
      value: `m${index}`,
      type: index % 2 === 0 ? "User" : "Group",
    }));
    const started = performance.now();
    const outcome = applied(
      group(),
      [
        { op: "remove", path: 'members[type eq "Group"]' },
        { op: "remove", path: "members", value: members.slice(0, 5000) },
      ],
      { members },
    );
    expect(outcome.members?.remove).toHaveLength(52_500);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("a member filter matching nothing with the list loaded is 400 noTarget", () => {
    const error = rejected(group(), [{ op: "remove", path: 'members[display eq "Zed"]' }], {
      members: [{ value: "a", type: "User" }],
    });
    expect(error.scimType).toBe("noTarget");
  });

  it("with the list loaded, adding an existing member is no change", () => {
    const outcome = applied(group(), [{ op: "add", path: "members", value: [{ value: "a" }] }], {
      members: [{ value: "a", type: "User" }],
    });
    expect(outcome.changed).toBe(false);
    expect(outcome.members).toBeUndefined();
  });

  it("later operations win: add then remove of the same id cancels", () => {
    const outcome = applied(group(), [
      { op: "add", path: "members", value: [{ value: "a" }, { value: "b", type: "group" }] },
      { op: "remove", path: 'members[value eq "a"]' },
    ]);
    expect(outcome.members).toEqual({ add: [{ value: "b", type: "Group" }], remove: ["a"] });
  });

  it("rejects members without a string id", () => {
    expect(
      rejected(group(), [{ op: "add", path: "members", value: [{ display: "x" }] }]).scimType,
    ).toBe("invalidValue");
  });
});

describe("tolerance matrix (§4.7), lenient by default", () => {
  it("row 1: capitalised op values", () => {
    const outcome = applied(user(), [{ op: "Replace", path: "title", value: "CEO" }]);
    expect(outcome.resource.title).toBe("CEO");
  });

  it('row 2: "True"/"False" strings for booleans', () => {
    const outcome = applied(user(), [
      { op: "Replace", path: "active", value: "False" },
      { op: "replace", path: 'emails[type eq "home"].primary', value: "True" },
    ]);
    expect(outcome.resource.active).toBe(false);
    expect((outcome.resource.emails as ScimObject[])[1]?.primary).toBe(true);
  });

  it("row 3: remove members with a value array removes exactly those", () => {
    const outcome = applied(group(), [
      { op: "Remove", path: "members", value: [{ $ref: null, value: "a" }] },
    ]);
    expect(outcome.members).toEqual({ add: [], remove: ["a"] });
  });

  it('row 4: remove with a {"members": [...]} wrapper', () => {
    const outcome = applied(group(), [
      { op: "remove", path: "members", value: { members: [{ value: "a" }, { value: "b" }] } },
    ]);
    expect(outcome.members).toEqual({ add: [], remove: ["a", "b"] });
  });

  it("rows 3-4 with the list loaded and on other multi-valued attributes", () => {
    const loaded = applied(group(), [{ op: "remove", path: "members", value: [{ value: "a" }] }], {
      members: [
        { value: "a", type: "User" },
        { value: "b", type: "User" },
      ],
    });
    expect(loaded.members).toEqual({ add: [], remove: ["a"] });
    const emails = applied(user(), [
      { op: "remove", path: "emails", value: [{ value: "babs@jensen.org" }] },
    ]);
    expect(emails.resource.emails).toEqual([
      { value: "bjensen@example.com", type: "work", primary: true },
    ]);
  });

  it("row 5: no-path replace with dotted and URN-qualified keys", () => {
    const outcome = applied(user(), [
      {
        op: "replace",
        value: {
          "name.givenName": "Babs",
          "name.familyName": "Jensen-Smith",
          [`${ENTERPRISE}:employeeNumber`]: "42",
          [`${ENTERPRISE}:manager`]: "m1",
          active: "True",
        },
      },
    ]);
    expect(outcome.resource.name).toEqual({
      givenName: "Babs",
      familyName: "Jensen-Smith",
      formatted: "Ms. Barbara J Jensen",
    });
    expect(outcome.resource[ENTERPRISE]).toEqual({
      employeeNumber: "42",
      manager: { value: "m1" },
    });
  });

  it("row 6: Okta's id (and meta, schemas) inside a replace value", () => {
    const outcome = applied(group(), [
      {
        op: "replace",
        value: { id: "g1", displayName: "Renamed", schemas: ["x"], meta: { version: "W/1" } },
      },
    ]);
    expect(outcome.resource).toEqual({ ...group(), displayName: "Renamed" });
    const error = rejected(group(), [{ op: "replace", value: { id: "other" } }]);
    expect(error.scimType).toBe("mutability");
  });

  it("row 7: manager as a bare string", () => {
    const outcome = applied(user(), [
      { op: "Add", path: `${ENTERPRISE}:manager`, value: "boss-id" },
    ]);
    expect(outcome.resource[ENTERPRISE]).toEqual({ manager: { value: "boss-id" } });
  });

  it("row 8: members without type, with $ref null, with display", () => {
    const outcome = applied(group(), [
      { op: "add", path: "members", value: [{ $ref: null, value: "a", display: "Ay" }] },
    ]);
    expect(outcome.members?.add).toEqual([{ value: "a", type: "User", display: "Ay" }]);
  });

  it("row 9: members add with a bare string is one member id", () => {
    const outcome = applied(group(), [{ op: "add", path: "members", value: "a" }]);
    expect(outcome.members?.add).toEqual([{ value: "a", type: "User" }]);
  });

  it("row 15: replace with null removes the attribute", () => {
    const outcome = applied({ ...user(), title: "CEO" }, [
      { op: "replace", value: { title: null } },
      { op: "replace", path: "nickName", value: null },
    ]);
    expect(outcome.resource).not.toHaveProperty("title");
    expect(outcome.changed).toBe(true);
  });

  it("row 17: attribute names in any case come back canonical", () => {
    const outcome = applied(user(), [
      { op: "replace", path: "DISPLAYNAME", value: "Babs" },
      { op: "replace", path: 'EMAILS[TYPE eq "home"].Primary', value: true },
    ]);
    expect(outcome.resource.displayName).toBe("Babs");
    expect((outcome.resource.emails as ScimObject[])[1]).toEqual({
      value: "babs@jensen.org",
      type: "home",
      primary: true,
    });
  });

  it("row 18: renaming a group to its current name is no change", () => {
    const outcome = applied(group(), [
      { op: "Replace", path: "displayName", value: "Tour Guides" },
    ]);
    expect(outcome.changed).toBe(false);
  });

  it("row 19: replace members with [] empties the group", () => {
    const outcome = applied(group(), [{ op: "replace", path: "members", value: [] }]);
    expect(outcome.members).toEqual({ replaceAll: true, add: [], remove: [] });
    expect(outcome.changed).toBe(true);
    const okta = applied(group(), [
      { op: "replace", value: { id: "g1", displayName: "Tour Guides", members: [] } },
    ]);
    expect(okta.members).toEqual({ replaceAll: true, add: [], remove: [] });
  });

  it('row 20: add/replace emails[type eq "work"].value creates the work email', () => {
    const home = { ...user(), emails: [{ value: "babs@jensen.org", type: "home" }] };
    for (const op of ["add", "replace"]) {
      const outcome = applied(home, [
        { op, path: 'emails[type eq "work"].value', value: "w@example.com" },
      ]);
      expect(outcome.resource.emails).toEqual([
        { value: "babs@jensen.org", type: "home" },
        { type: "work", value: "w@example.com" },
      ]);
    }
  });

  it("row 21: a complex value sent as a JSON string", () => {
    const outcome = applied(user(), [
      { op: "replace", path: "name", value: '{"givenName":"Babs"}' },
    ]);
    expect((outcome.resource.name as ScimObject).givenName).toBe("Babs");
  });

  it("a PatchOp without schemas is accepted", () => {
    const result = applyPatch({
      resourceSchema: USER,
      resource: user(),
      request: { Operations: [{ op: "replace", path: "title", value: "x" }] },
    });
    expect(result.ok).toBe(true);
  });
});

describe("strict mode turns the unsafe leniencies off", () => {
  const strict = { options: { strict: true } };

  it("requires schemas", () => {
    const result = applyPatch({
      resourceSchema: USER,
      resource: user(),
      request: { Operations: [{ op: "replace", path: "title", value: "x" }] },
      options: { strict: true },
    });
    expect(result.ok ? undefined : result.error.code).toBe("patch.missing_schema");
  });

  it("rejects bare-string members (row 9)", () => {
    expect(rejected(group(), [{ op: "add", path: "members", value: "a" }], strict).scimType).toBe(
      "invalidValue",
    );
  });

  it("replace with an unmatched filter is noTarget (row 20 for add stays)", () => {
    const home = { ...user(), emails: [{ value: "babs@jensen.org", type: "home" }] };
    expect(
      rejected(
        home,
        [{ op: "replace", path: 'emails[type eq "work"].value', value: "w@x" }],
        strict,
      ).scimType,
    ).toBe("noTarget");
    expect(
      applied(home, [{ op: "add", path: 'emails[type eq "work"].value', value: "w@x" }], strict)
        .changed,
    ).toBe(true);
  });

  it("rejects complex values sent as JSON strings (row 21)", () => {
    expect(
      rejected(user(), [{ op: "replace", path: "name", value: '{"givenName":"B"}' }], strict)
        .scimType,
    ).toBe("invalidValue");
  });

  it("asks for the member list so removing a non-member is noTarget", () => {
    const operations = [{ op: "remove", path: 'members[value eq "zz"]' }];
    const first = run(group(), operations, strict);
    expect(first.ok && first.value.kind).toBe("needsMembers");
    expect(
      rejected(group(), operations, { ...strict, members: [{ value: "a", type: "User" }] })
        .scimType,
    ).toBe("noTarget");
  });

  it("rejects read-only attributes the resource does not hold", () => {
    expect(
      rejected(user(), [{ op: "add", path: "groups", value: [{ value: "g" }] }], strict).scimType,
    ).toBe("mutability");
    expect(applied(user(), [{ op: "add", path: "groups", value: [{ value: "g" }] }]).changed).toBe(
      false,
    );
  });

  it("keeps the safe leniencies", () => {
    const outcome = applied(
      user(),
      [
        { op: "Replace", path: "active", value: "False" },
        { op: "replace", value: { "name.givenName": "B", id: "u1" } },
      ],
      strict,
    );
    expect(outcome.resource.active).toBe(false);
    expect((outcome.resource.name as ScimObject).givenName).toBe("B");
  });
});
