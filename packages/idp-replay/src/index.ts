// What other workspace packages use (the HTTP conformance suite replays the traces
// through every adapter): the traces and the runner, free of any framework or store.
// `start-scim-server` and `store-drivers` (Express, Postgres) serve this package's own tests.
export * from "./json-pointer";
export * from "./replay-trace";
export * from "./send-raw-request";
export type * from "./trace";
export * from "./traces";
