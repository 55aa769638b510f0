export type * from "./ast";
export { MAX_ATTRIBUTE_PATH_LENGTH, parseAttributePath } from "./parse-attribute-path";
