export * from "./data-set";
export * from "./filter-corpus";
export * from "./run-store-conformance";
