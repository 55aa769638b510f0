export * from "./json-pointer";
export * from "./replay-trace";
export * from "./scim-client";
export * from "./send-raw-request";
export * from "./start-scim-server";
export * from "./store-drivers";
export type * from "./trace";
