export * from "./memory-store";
