/** The member-change benchmark's data set, shared by its driver and its server. */

/** The groups: `g-<size>` holds users 1..size. */
export const GROUP_SIZES = [10, 20_000, 100_000] as const;
/** Users in groups (users 1..MEMBER_USERS). */
export const MEMBER_USERS = 100_000;
/** Users in no group, the members the benchmark adds and removes. */
export const SPARE_MEMBERS = 3_000;
export const groupId = (size: number) => `g-${size}`;
