import type { ScimObject } from "../schema/types";

/** Deep equality of JSON values; keys holding `undefined` count as absent. */
export function jsonEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) {
    return false;
  }
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  if (Array.isArray(left)) {
    const other = right as unknown[];
    return (
      left.length === other.length && left.every((item, index) => jsonEqual(item, other[index]))
    );
  }
  const leftKeys = Object.keys(left).filter((key) => (left as ScimObject)[key] !== undefined);
  const rightKeys = Object.keys(right).filter((key) => (right as ScimObject)[key] !== undefined);
  return (
    leftKeys.length === rightKeys.length &&
    leftKeys.every((key) => jsonEqual((left as ScimObject)[key], (right as ScimObject)[key]))
  );
}
