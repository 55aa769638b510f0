export * from "./data-set";
export * from "./filter-corpus";
export type {
  BackdoorDeletedRecord,
  BackdoorRecord,
  ConformanceHarness,
  OptionalStoreMethod,
  StoreBackdoor,
  StoreConformanceOptions,
  StoreNeed,
} from "./harness";
export { runStoreConformance } from "./run-store-conformance";
