/**
 * The targets of the framework benchmark: for each framework a bare route
 * answering a JSON body (the limit) and the SCIM endpoint on it.
 * `express-baseline` is `scimRouter` from an earlier commit (see README).
 */
export const TARGETS = ["express-bare", "express-scim", "express-baseline"] as const;
export type Target = (typeof TARGETS)[number];
