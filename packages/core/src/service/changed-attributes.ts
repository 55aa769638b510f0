import type { ScimObject } from "../schema/types";
import { jsonEqual } from "./json-equal";

const isObject = (value: unknown): value is ScimObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isUrn = (key: string) => key.toLowerCase().startsWith("urn:");

/**
 * The names (never the values) of the attributes that differ between two
 * versions of a record's data, for the provisioning log: core attributes by
 * name, extension attributes as `urn:...:name`, `schemas` left out. Sorted.
 */
export function changedAttributeNames(before: ScimObject, after: ScimObject): string[] {
  const names = new Set<string>();
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key === "schemas" || jsonEqual(before[key], after[key])) continue;
    const left = before[key];
    const right = after[key];
    if (isUrn(key) && (isObject(left) || isObject(right))) {
      const inner = changedAttributeNames(isObject(left) ? left : {}, isObject(right) ? right : {});
      for (const name of inner) names.add(`${key}:${name}`);
    } else {
      names.add(key);
    }
  }
  return [...names].sort();
}
