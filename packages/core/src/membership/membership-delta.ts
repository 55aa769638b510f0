import { ok, type Result } from "../errors";
import type { BoundFilter } from "../filter/ast";
import { isObject } from "../patch/json-value";
import { patchError } from "../patch/messages";
import { findAttribute } from "../schema/resolve-path";
import type { AttributeDefinition } from "../schema/types";
import type { MemberRef, MembershipDelta } from "../store/contract";

/** Longest member id accepted. */
const MAX_MEMBER_ID_LENGTH = 1024;

/**
 * Resource type assumed for a member sent without `type` (Entra, Okta). The
 * service replaces it with the type the member really has before writing.
 */
export const DEFAULT_MEMBER_TYPE = "User";

function readKey(object: Record<string, unknown>, definition: AttributeDefinition, name: string) {
  const sub = findAttribute(definition.subAttributes, name);
  if (sub === undefined) return undefined;
  if (sub.name in object) return object[sub.name];
  const wanted = sub.name.toLowerCase();
  for (const key in object) if (key.toLowerCase() === wanted) return object[key];
  return undefined;
}

/**
 * The one reader of member lists, for POST and PUT bodies and PATCH values alike:
 * an array of `{value, display?, type?}` (keys in any case), one such object, the
 * `{"members": [...]}` wrapper (matrix row 4), `null` (no members), and unless
 * `strict` bare strings as member ids (row 9: MS Postman sends `"value": "<id>"`).
 * `$ref` is ignored (null for Entra). Types are canonicalised against the `type`
 * sub-attribute's canonical values; a missing type is `DEFAULT_MEMBER_TYPE`.
 * Failures are 400 `invalidValue` naming `where`.
 */
export function parseMembers(
  value: unknown,
  definition: AttributeDefinition,
  options: { readonly strict: boolean; readonly where: string },
): Result<MemberRef[]> {
  const invalid = () => ({
    ok: false as const,
    error: patchError("invalidValue", "patch.member_value", options.where),
  });
  let items: readonly unknown[];
  if (Array.isArray(value)) items = value;
  else if (isObject(value)) {
    const wrapped = value[definition.name] ?? findCaseInsensitive(value, definition.name);
    items = wrapped === undefined ? [value] : Array.isArray(wrapped) ? wrapped : [wrapped];
  } else if (typeof value === "string" && !options.strict) items = [value];
  else if (value === null) items = [];
  else return invalid();

  const typeDefinition = findAttribute(definition.subAttributes, "type");
  const members: MemberRef[] = [];
  for (const item of items) {
    let id: unknown;
    let display: unknown;
    let type: unknown;
    if (typeof item === "string" && !options.strict) id = item;
    else if (isObject(item)) {
      id = readKey(item, definition, "value");
      display = readKey(item, definition, "display");
      type = readKey(item, definition, "type");
    } else return invalid();
    if (typeof id !== "string" || id === "" || id.length > MAX_MEMBER_ID_LENGTH) return invalid();
    if (type !== undefined && type !== null && typeof type !== "string") return invalid();
    if (display !== undefined && display !== null && typeof display !== "string") return invalid();
    const canonicalType =
      typeof type === "string" && type !== ""
        ? (typeDefinition?.canonicalValues?.find(
            (candidate) => candidate.toLowerCase() === type.toLowerCase(),
          ) ?? type)
        : undefined;
    const memberType = canonicalType ?? DEFAULT_MEMBER_TYPE;
    members.push(
      typeof display === "string"
        ? { value: id, type: memberType, display }
        : { value: id, type: memberType },
    );
  }
  return ok(members);
}

function findCaseInsensitive(object: Record<string, unknown>, name: string): unknown {
  const wanted = name.toLowerCase();
  for (const key in object) if (key.toLowerCase() === wanted) return object[key];
  return undefined;
}

/**
 * The member ids a filter names when it is `value eq "a"` or an `or` of such
 * comparisons (`members[value eq "a" or value eq "b"]`); `undefined` for any other
 * filter, which needs the member list to evaluate.
 */
export function memberIdsOfFilter(filter: BoundFilter, valueName: string): string[] | undefined {
  const ids: string[] = [];
  const pending: BoundFilter[] = [filter];
  while (pending.length > 0) {
    const node = pending.pop() as BoundFilter;
    if (node.kind === "Logical" && node.operator === "or") {
      pending.push(node.right, node.left);
      continue;
    }
    if (
      node.kind === "Comparison" &&
      node.operator === "eq" &&
      node.path.subAttribute === valueName &&
      typeof node.value === "string"
    ) {
      ids.push(node.value);
      continue;
    }
    return undefined;
  }
  return ids;
}

/** Accumulates membership operations, in order, into one set-based delta. */
export class MembershipDeltaBuilder {
  private replaceAll = false;
  private added = new Map<string, MemberRef>();
  private readonly removed = new Set<string>();

  add(members: readonly MemberRef[]): void {
    for (const member of members) {
      this.removed.delete(member.value);
      this.added.set(member.value, member);
    }
  }

  remove(ids: readonly string[]): void {
    for (const id of ids) {
      this.added.delete(id);
      // After a replace-all nothing old is left to delete.
      if (!this.replaceAll) this.removed.add(id);
    }
  }

  replace(members: readonly MemberRef[]): void {
    this.replaceAll = true;
    this.added = new Map();
    this.removed.clear();
    this.add(members);
  }

  /** The delta, or `undefined` when the operations asked for no membership change. */
  build(): MembershipDelta | undefined {
    if (!this.replaceAll && this.added.size === 0 && this.removed.size === 0) return undefined;
    const add = [...this.added.values()];
    const remove = [...this.removed];
    return this.replaceAll ? { replaceAll: true, add, remove } : { add, remove };
  }
}

/** The delta between the loaded member list and the list the operations produced. */
export function diffMembers(
  before: readonly MemberRef[],
  after: unknown,
): MembershipDelta | undefined {
  const beforeIds = new Set(before.map((member) => member.value));
  const afterMembers = new Map<string, MemberRef>();
  for (const element of Array.isArray(after) ? after : []) {
    if (!isObject(element) || typeof element.value !== "string") continue;
    const type = typeof element.type === "string" ? element.type : undefined;
    const ref: MemberRef = {
      value: element.value,
      type: type ?? DEFAULT_MEMBER_TYPE,
      ...(typeof element.display === "string" ? { display: element.display } : {}),
    };
    afterMembers.set(ref.value, ref);
  }
  const add = [...afterMembers.values()].filter((member) => !beforeIds.has(member.value));
  const remove = [...beforeIds].filter((id) => !afterMembers.has(id));
  if (add.length === 0 && remove.length === 0) return undefined;
  return { add, remove };
}
