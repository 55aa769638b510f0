import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyPatch } from "../src/patch/apply-patch";
import { computeValue, quickCompute } from "../src/patch/compute-value";
import { targetResolver } from "../src/patch/target-resolver";
import { createSchemaRegistry } from "../src/schema/create-schema-registry";
import type { ScimObject } from "../src/schema/types";

const USER = createSchemaRegistry().resourceSchema("User");
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

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

describe("PATCH fast paths agree with the general paths", () => {
  /** Single-valued targets the quick computation may take, with values it may or may not take. */
  const simplePath = fc.constantFrom(
    "displayName",
    "title",
    "nickName",
    "userType",
    "active",
    "name.givenName",
    "name.familyName",
    `${ENTERPRISE}:employeeNumber`,
    `${ENTERPRISE}:costCenter`,
    "userName",
    "id",
  );
  const simpleValue = fc.oneof(
    fc.constantFrom("", "x", "True", "false", "FALSE", "tRuE", "yes", "Babs", " "),
    fc.string({ maxLength: 8 }),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constant(null),
    fc.constant({ value: "x" }),
  );
  const before = fc.oneof(
    fc.constant(undefined),
    fc.constant("Babs"),
    fc.boolean(),
    fc.record({ givenName: word, familyName: word }, { requiredKeys: [] }),
  );

  it("the quick computation, when it answers, answers what the general one does", () => {
    fc.assert(
      fc.property(
        simplePath,
        fc.constantFrom("add", "replace", "replace", "remove") as fc.Arbitrary<
          "add" | "replace" | "remove"
        >,
        before,
        simpleValue,
        fc.boolean(),
        (path, op, current, value, strict) => {
          const resolved = targetResolver(USER, strict).operationPath(path);
          if (!resolved.ok || resolved.value.kind !== "attribute") throw new Error(path);
          const target = resolved.value.target;
          const frozen = deepFreeze(structuredClone(current));
          const quick = quickCompute(op, target, frozen, value);
          if (quick === undefined) return;
          const general = computeValue(op, target, frozen, value, {
            strict,
            where: "Operations[0]",
          });
          if (!general.ok) throw general.error;
          expect(quick).toEqual(general.value);
        },
      ),
      { numRuns: 1000 },
    );
  });

  /** Values each path accepts (and some it ignores or rejects), so most PATCHes apply. */
  const extensionValue = fc.oneof(
    fc.record(
      { employeeNumber: fc.constantFrom("701984", "1"), costCenter: fc.constantFrom("4130", "x") },
      { requiredKeys: [] },
    ),
    fc.constant({ schemas: [ENTERPRISE], employeeNumber: "701984" }),
  );
  const valuesByPath: Record<string, fc.Arbitrary<unknown>> = {
    displayName: fc.option(word, { nil: null }),
    title: fc.option(word, { nil: null }),
    active: fc.constantFrom(true, false, "True", "False"),
    name: fc.option(fc.record({ givenName: word }, { requiredKeys: [] }), { nil: null }),
    "name.givenName": fc.option(word, { nil: null }),
    "name.familyName": word,
    emails: fc.array(email, { maxLength: 2 }),
    'emails[type eq "work"].value': fc.constantFrom("x@y.org", "z@y.org"),
    [ENTERPRISE]: extensionValue,
    [`${ENTERPRISE}:employeeNumber`]: fc.option(fc.constantFrom("701984", "1"), { nil: null }),
    [`${ENTERPRISE}:costCenter`]: fc.constantFrom("4130", "x"),
  };
  const pathOperation = fc.constantFrom(...Object.keys(valuesByPath)).chain((path) =>
    fc.oneof(
      fc.record({
        op: fc.constantFrom("add", "replace"),
        path: fc.constant(path),
        value: valuesByPath[path] as fc.Arbitrary<unknown>,
      }),
      fc.record({ op: fc.constant("remove"), path: fc.constant(path) }),
    ),
  );
  // No-path keys are attribute paths: no value filters.
  const {
    emails: _emails,
    'emails[type eq "work"].value': _filtered,
    ...noPathValues
  } = valuesByPath;
  const noPathOperation = fc.record({
    op: fc.constantFrom("add", "replace"),
    value: fc.record(
      { ...noPathValues, schemas: fc.constant(["x"]), id: fc.constant("u1") },
      { requiredKeys: [] },
    ),
  });
  const anyOperation: fc.Arbitrary<Operation> = fc.oneof(pathOperation, noPathOperation);
  const withExtension = fc.record(
    {
      employeeNumber: fc.constantFrom("701984", "1"),
      costCenter: fc.constant("4130"),
    },
    { requiredKeys: [] },
  );

  it("changed is exactly whether the new resource differs from the original", () => {
    fc.assert(
      fc.property(
        model,
        fc.option(withExtension, { nil: undefined }),
        fc.array(anyOperation, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (initial, extension, operations, strict) => {
          const resource: Record<string, unknown> = {
            schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
            ...structuredClone(initial),
          };
          if (extension !== undefined && Object.keys(extension).length > 0) {
            resource.schemas = [...(resource.schemas as string[]), ENTERPRISE];
            resource[ENTERPRISE] = extension;
          }
          const original = structuredClone(resource);
          const result = applyPatch({
            resourceSchema: USER,
            resource: deepFreeze(resource) as ScimObject,
            request: { schemas: [PATCH_OP], Operations: operations },
            options: { strict },
          });
          if (!result.ok) return;
          if (result.value.kind !== "applied") throw new Error("unexpected needsMembers");
          expect(result.value.changed).toBe(!isEqual(result.value.resource, original));
        },
      ),
      { numRuns: 1000 },
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
