/**
 * The targets of the framework benchmark: for each framework a bare route
 * answering a JSON body (the limit) and the SCIM endpoint on it.
 * `express-baseline` is `scimRouter` from an earlier commit (see README).
 */
export const TARGETS = [
  "express-bare",
  "express-scim",
  "express-baseline",
  "fastify-bare",
  "fastify-scim",
  "hono-bare",
  "hono-scim",
  // Express + SCIM with static tokens and no provisioning log, against tokens
  // checked in the store on every request with the log on (issue 10's budget).
  "auth-static",
  "auth-store",
] as const;
export type Target = (typeof TARGETS)[number];
