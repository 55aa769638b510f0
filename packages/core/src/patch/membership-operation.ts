/**
 * PATCH operations on the membership attribute when the member list is not loaded:
 * every form whose effect is a set operation goes into the delta builder, so
 * adding one member to a 100 000-member group never reads the list. Forms that can
 * only be evaluated against the list answer `needsMembers`. Member lists are read
 * by the one member parser (membership/membership-delta.ts).
 */
import { ok, type Result } from "../errors";
import {
  type MembershipDeltaBuilder,
  memberIdsOfFilter,
  parseMembers,
} from "../membership/membership-delta";
import { findAttribute } from "../schema/resolve-path";
import type { PatchOperationName } from "./parse-patch-request";
import type { AttributeTarget } from "./target-resolver";

/** `recorded` in the delta, or `needsMembers`: load the list and run the PATCH again. */
export type MembershipStep = "recorded" | "needsMembers";

const RECORDED: Result<MembershipStep> = ok("recorded");
const NEEDS_MEMBERS: Result<MembershipStep> = ok("needsMembers");

/** Records one operation on the membership attribute `target` into `membership`. */
export function applyMembershipOperation(
  membership: MembershipDeltaBuilder,
  op: PatchOperationName,
  target: AttributeTarget,
  value: unknown,
  options: { readonly strict: boolean; readonly where: string },
): Result<MembershipStep> {
  const { definition } = target;
  if (target.subDefinition !== undefined) return NEEDS_MEMBERS;
  if (target.filter === undefined) {
    if (op === "remove") {
      if (value === undefined || value === null) {
        membership.replace([]);
        return RECORDED;
      }
      // Removing given members (rows 3-4) cannot grant access: bare ids are fine in both modes.
      const members = parseMembers(value, definition, { strict: false, where: options.where });
      if (!members.ok) return members;
      membership.remove(members.value.map((member) => member.value));
      return RECORDED;
    }
    const members = parseMembers(value, definition, options);
    if (!members.ok) return members;
    if (op === "add") membership.add(members.value);
    else membership.replace(members.value);
    return RECORDED;
  }
  if (op !== "remove" || options.strict) return NEEDS_MEMBERS;
  const valueName = findAttribute(definition.subAttributes, "value")?.name;
  const ids =
    valueName === undefined ? undefined : memberIdsOfFilter(target.filter.filter, valueName);
  if (ids === undefined) return NEEDS_MEMBERS;
  membership.remove(ids);
  return RECORDED;
}
