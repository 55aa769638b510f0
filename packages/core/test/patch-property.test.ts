import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyPatch } from "../src/patch/apply-patch";
import { createSchemaRegistry } from "../src/schema/create-schema-registry";
import type { ScimObject } from "../src/schema/types";

const USER = createSchemaRegistry().resourceSchema("User");
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

interface Email {
  type: string;
  value: string;
}

/** The reference model: the handful of attributes the generated operations touch. */
interface Model {
  id: string;
  userName: string;
  displayName?: string;
  title?: string;
  active?: boolean;
  name?: { givenName?: string; familyName?: string };
  emails?: Email[];
}

type Operation = { op: string; path?: string; value?: unknown };

const word = fc.constantFrom("a", "b", "Babs", "Jensen");
const emailType = fc.constantFrom("work", "home");
const email = fc.record({ type: emailType, value: fc.constantFrom("x@y.org", "z@y.org") });
const opName = (name: string) =>
  fc.constantFrom(name, name.toUpperCase(), name[0]!.toUpperCase() + name.slice(1));

const model: fc.Arbitrary<Model> = fc
  .record(
    {
      id: fc.constant("u1"),
      userName: fc.constant("bjensen"),
      displayName: word,
      title: word,
      active: fc.boolean(),
      name: fc.record({ givenName: word, familyName: word }, { requiredKeys: [] }),
      emails: fc.uniqueArray(email, {
        minLength: 1,
        maxLength: 3,
        selector: (item) => `${item.type}/${item.value}`,
      }),
    },
    { requiredKeys: ["id", "userName"] },
  )
  .map((generated) => {
    // An empty complex value is unassigned (RFC 7643 §2.5): the model never holds one.
    if (generated.name !== undefined && Object.keys(generated.name).length === 0) {
      const { name: _name, ...rest } = generated;
      return rest;
    }
    return generated;
  });

const validOperation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({
    op: opName("replace"),
    path: fc.constant("displayName"),
    value: fc.option(word, { nil: null }),
  }),
  fc.record({ op: opName("add"), path: fc.constant("title"), value: word }),
  fc.record({ op: opName("remove"), path: fc.constant("title") }),
  fc.record({
    op: opName("replace"),
    path: fc.constant("active"),
    value: fc.constantFrom(true, false, "True", "False"),
  }),
  fc.record({ op: opName("replace"), path: fc.constant("name.givenName"), value: word }),
  fc.record({ op: opName("remove"), path: fc.constant("name.givenName") }),
  fc.record({
    op: opName("add"),
    path: fc.constant("emails"),
    value: fc.array(email, { maxLength: 2 }),
  }),
  emailType.map((type) => ({ op: "remove", path: `emails[type eq "${type}"]` })),
);

/** Operations that always fail, whatever the resource holds. */
const invalidOperation: fc.Arbitrary<Operation> = fc.constantFrom<Operation>(
  { op: "replace", path: "id", value: "someone-else" },
  { op: "remove", path: "userName" },
  { op: "add", path: "noSuchAttribute", value: "x" },
  { op: "replace", path: "active", value: "perhaps" },
  { op: "remove" },
  { op: "move", path: "title" },
);

/** What RFC 7644 says the operation does to the model; `undefined` when it must fail. */
function step(state: Model, operation: Operation): Model | undefined {
  const next: Model = structuredClone(state);
  const value = operation.value;
  switch (`${operation.op.toLowerCase()} ${operation.path}`) {
    case "replace displayName":
      if (value === null) delete next.displayName;
      else next.displayName = value as string;
      return next;
    case "add title":
      next.title = value as string;
      return next;
    case "remove title":
      delete next.title;
      return next;
    case "replace active":
      next.active = value === true || value === "True";
      return next;
    case "replace name.givenName":
      next.name = { ...next.name, givenName: value as string };
      return next;
    case "remove name.givenName":
      if (next.name !== undefined) {
        delete next.name.givenName;
        if (Object.keys(next.name).length === 0) delete next.name;
      }
      return next;
    case "add emails": {
      const emails = [...(next.emails ?? [])];
      for (const item of value as Email[]) {
        if (
          !emails.some((existing) => existing.type === item.type && existing.value === item.value)
        ) {
          emails.push(item);
        }
      }
      if (emails.length > 0) next.emails = emails;
      return next;
    }
    default: {
      const match = /^remove emails\[type eq "(\w+)"\]$/.exec(
        `${operation.op.toLowerCase()} ${operation.path}`,
      );
      if (match === null) return undefined;
      const emails = next.emails ?? [];
      const kept = emails.filter((item) => item.type !== match[1]);
      if (kept.length === emails.length) return undefined; // noTarget
      if (kept.length === 0) delete next.emails;
      else next.emails = kept;
      return next;
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const patch = (resource: object, operations: Operation[]) =>
  applyPatch({
    resourceSchema: USER,
    resource: resource as ScimObject,
    request: { schemas: [PATCH_OP], Operations: operations },
  });

describe("PATCH properties", () => {
  it("matches a reference model on random operation sequences", () => {
    fc.assert(
      fc.property(
        model,
        fc.array(validOperation, { minLength: 1, maxLength: 8 }),
        (initial, operations) => {
          let expected: Model | undefined = initial;
          for (const operation of operations) {
            if (expected === undefined) break;
            expected = step(expected, operation);
          }
          const result = patch(deepFreeze(structuredClone(initial)), operations);
          if (expected === undefined) {
            expect(result.ok).toBe(false);
            return;
          }
          if (!result.ok) throw result.error;
          if (result.value.kind !== "applied") throw new Error("unexpected needsMembers");
          expect(result.value.resource).toEqual(expected);
          expect(result.value.changed).toBe(!isEqual(expected, initial));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is atomic: one failing operation anywhere fails the PATCH and changes nothing", () => {
    fc.assert(
      fc.property(
        model,
        fc.array(validOperation, { maxLength: 6 }),
        invalidOperation,
        fc.nat(),
        (initial, operations, invalid, position) => {
          const all = [...operations];
          all.splice(position % (operations.length + 1), 0, invalid);
          const input = deepFreeze(structuredClone(initial));
          const result = patch(input, all);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error.status).toBe(400);
          expect(input).toEqual(initial);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a PATCH restating current values is no change", () => {
    fc.assert(
      fc.property(model, fc.boolean(), (initial, noPath) => {
        const { id: _id, userName, ...rest } = initial;
        const operations: Operation[] = noPath
          ? [{ op: "replace", value: { ...rest, id: initial.id, userName } }]
          : Object.entries(rest).map(([path, value]) => ({
              op: path === "emails" ? "add" : "replace",
              path,
              value,
            }));
        if (operations.length === 0)
          operations.push({ op: "replace", path: "userName", value: userName });
        const result = patch(deepFreeze(structuredClone(initial)), operations);
        if (!result.ok) throw result.error;
        if (result.value.kind !== "applied") throw new Error("unexpected needsMembers");
        expect(result.value.changed).toBe(false);
        expect(result.value.resource).toEqual(initial);
      }),
      { numRuns: 200 },
    );
  });
});

/** Structural equality ignoring key order, for the model. */
function isEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) {
    return false;
  }
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left);
  if (leftKeys.length !== Object.keys(right).length) return false;
  return leftKeys.every((key) =>
    isEqual((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]),
  );
}
