import type { AttributeDefinition } from "../schema/types";
import { isCanonicalDateTime, parseDateTime } from "./date-time";

/**
 * Orders two attribute values by the attribute's type (RFC 7644 §3.4.2.3):
 * strings case-insensitively unless `caseExact` (UTF-16 code units, no locale),
 * integer and decimal numerically, dateTime as instants, booleans false before
 * true. Returns a negative number, zero or a positive number, never NaN. A value
 * that does not fit the type (absent, null, wrong JSON type, unparsable date)
 * sorts after every value that does, so missing values come last when ascending.
 * For a multi-valued attribute, pass its primary value or else its first.
 */
export function compareValues(a: unknown, b: unknown, definition: AttributeDefinition): number {
  const left = sortKey(a, definition);
  const right = sortKey(b, definition);
  if (left === undefined || right === undefined) {
    return left === undefined ? (right === undefined ? 0 : 1) : -1;
  }
  return left < right ? -1 : left > right ? 1 : 0;
}

function sortKey(value: unknown, definition: AttributeDefinition): string | number | undefined {
  switch (definition.type) {
    case "integer":
    case "decimal": {
      const number =
        typeof value === "number"
          ? value
          : typeof value === "string" && value.trim() !== ""
            ? Number(value)
            : Number.NaN;
      return Number.isNaN(number) ? undefined : number;
    }
    case "boolean":
      if (typeof value === "boolean") return value ? 1 : 0;
      if (typeof value === "string") {
        const lower = value.toLowerCase();
        return lower === "true" ? 1 : lower === "false" ? 0 : undefined;
      }
      return undefined;
    case "dateTime":
      if (typeof value !== "string") return undefined;
      return isCanonicalDateTime(value) ? Date.parse(value) : parseDateTime(value);
    case "complex":
      return undefined;
    default:
      if (typeof value !== "string") return undefined;
      return definition.caseExact ? value : value.toLowerCase();
  }
}
