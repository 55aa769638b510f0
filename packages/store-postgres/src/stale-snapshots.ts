import { ScimError, unresolvedMembersError } from "@scimkit/core/store";
import { isVanishedMember } from "./rows";

/** Attempts of a statement that kept finding its snapshot older than the row it locked. */
const MAX_STALE_ATTEMPTS = 50;
const STALE: unique symbol = Symbol("stale");

/**
 * Runs a statement that locks a record row (`run`) until it ran on a snapshot
 * holding the version it locked (its row says `applied`), and returns that row;
 * `undefined` when `missing(row)` says the record is not there. A statement that
 * had to wait for the lock reads everything else with the snapshot it started
 * with, so it changes nothing and runs again (see `updateRecord`). A statement
 * that failed because a member it adds is no longer a record (the membership's
 * foreign key) runs again too, told so by `membersVanished`, and then adds only
 * members its snapshot holds (`liveMember`): core checked every member just
 * before, so the check is left to the foreign key until one fails it. When core
 * did not check them (`uncheckedMembers`, an update's `checkMembers`), such a
 * member is no race but a claim to resolve: `unresolvedMembersError`, nothing written.
 * After MAX_STALE_ATTEMPTS such runs it gives up with 503 `store.busy`.
 */
export async function untilFresh(
  id: string,
  run: (membersVanished: boolean) => Promise<Record<string, unknown> | undefined>,
  missing: (row: Record<string, unknown> | undefined) => boolean,
  uncheckedMembers = false,
): Promise<Record<string, unknown> | undefined> {
  let membersVanished = false;
  for (let attempt = 1; ; attempt += 1) {
    const row = await run(membersVanished).catch((error: unknown): typeof STALE => {
      if (!isVanishedMember(error)) throw error;
      if (uncheckedMembers) throw unresolvedMembersError(error);
      membersVanished = true;
      return STALE;
    });
    if (row !== STALE) {
      if (missing(row)) return undefined;
      if (row?.applied === true) return row;
    }
    if (attempt >= MAX_STALE_ATTEMPTS) {
      throw new ScimError({
        status: 503,
        detail: `Resource ${id} is being changed by many requests at once; retry.`,
        code: "store.busy",
      });
    }
  }
}
