export * from "./errors";
export * from "./filter";
export * from "./patch";
export * from "./path";
export * from "./query";
export * from "./schema";
export * from "./service";
export * from "./store";
