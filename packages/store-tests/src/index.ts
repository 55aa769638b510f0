export * from "./data-set";
export * from "./filter-corpus";
export * from "./run-store-conformance";
export type { BackdoorDeletedRecord, SoftDeleteMethod } from "./soft-delete-conformance";
