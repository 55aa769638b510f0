export * from "./compute-unique-keys";
export * from "./create-repository";
export * from "./cursor";
export * from "./query-in-memory";
export * from "./to-resource";
