import type { ScimObject } from "../schema/types";
import type { AppliedMembership, ChangeDraft } from "./contract";

/**
 * What a draft records once its write committed with `membership` applied:
 * its data, or for a membership draft the data with `added` and `removed`;
 * `undefined` when a membership draft does not stand (no row changed). The one
 * reading of `ChangeDraft.membership` for stores and the service alike.
 */
export function committedData(
  change: ChangeDraft,
  membership: AppliedMembership | undefined,
): ScimObject | undefined {
  if (change.membership !== true) return change.data;
  if (
    membership === undefined ||
    (membership.added.length === 0 && membership.removed.length === 0)
  )
    return undefined;
  return Object.assign({}, change.data, {
    added: [...membership.added],
    removed: [...membership.removed],
  });
}
