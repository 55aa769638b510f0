export * from "./resolve-path";
export type * from "./types";
