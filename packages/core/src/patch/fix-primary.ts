/**
 * RFC 7643 §2.4: at most one value of a multi-valued attribute is primary. Both the
 * plain and the value-filter computations append or change elements, so the rule
 * has this one home.
 */
import { findAttribute } from "../schema/resolve-path";
import type { AttributeDefinition } from "../schema/types";
import { isObject } from "./json-value";

/** The sub-attribute that marks the preferred value of a multi-valued attribute. */
const PRIMARY = "primary";

/** Clears `primary` on every element but the last `touched` one that sets it: the one just set wins. */
export function fixPrimary(
  definition: AttributeDefinition,
  elements: unknown[],
  touched: readonly unknown[],
): void {
  const primary = findAttribute(definition.subAttributes, PRIMARY);
  if (primary === undefined || primary.type !== "boolean") return;
  let winner: Record<string, unknown> | undefined;
  for (const element of touched) {
    if (isObject(element) && element[primary.name] === true) winner = element;
  }
  if (winner === undefined) return;
  for (let index = 0; index < elements.length; index++) {
    const element = elements[index];
    if (element !== winner && isObject(element) && element[primary.name] === true) {
      elements[index] = Object.assign({}, element, { [primary.name]: false });
    }
  }
}
