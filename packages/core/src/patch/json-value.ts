/** Plain-JSON helpers for the PATCH engine (values come from JSON.parse: no cycles, no classes). */

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Structural equality of JSON values; object key order does not matter. */
export function deepEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) {
    return false;
  }
  if (Array.isArray(left)) {
    if (!Array.isArray(right) || left.length !== right.length) return false;
    for (let index = 0; index < left.length; index++) {
      if (!deepEqual(left[index], right[index])) return false;
    }
    return true;
  }
  if (Array.isArray(right)) return false;
  const leftObject = left as Record<string, unknown>;
  const rightObject = right as Record<string, unknown>;
  let leftCount = 0;
  for (const key in leftObject) {
    if (leftObject[key] === undefined) continue;
    leftCount++;
    if (!deepEqual(leftObject[key], rightObject[key])) return false;
  }
  let rightCount = 0;
  for (const key in rightObject) if (rightObject[key] !== undefined) rightCount++;
  return leftCount === rightCount;
}

/** Deep copy of a JSON value. */
export function cloneJson<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = cloneJson((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** Whether a value is an object with at least one key (an empty one is unassigned). */
export function hasKeys(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const _key in value) return true;
  return false;
}
