import type { AttributePath, ResolvedPath } from "../path/ast";
import { printPath } from "../schema/resolve-path";
import type { FilterNode, LogicalNode } from "./ast";

const PRECEDENCE = { or: 1, and: 2 } as const;

/**
 * Canonical filter text: lower-case operators, JSON literals, single spaces,
 * parentheses only where precedence needs them. `parseFilter(printFilter(ast))`
 * deep-equals `ast` for every parser AST. Bound filters print too (paths inside a
 * value path as their sub-attribute), which is handy in logs and errors.
 */
export function printFilter(filter: FilterNode<AttributePath> | FilterNode<ResolvedPath>): string {
  return print(filter as FilterNode<AttributePath | ResolvedPath>, false);
}

function print(node: FilterNode<AttributePath | ResolvedPath>, inValuePath: boolean): string {
  switch (node.kind) {
    case "Comparison":
      return `${pathText(node.path, inValuePath)} ${node.operator} ${JSON.stringify(node.value)}`;
    case "Present":
      return `${pathText(node.path, inValuePath)} pr`;
    case "Not":
      return `not (${print(node.filter, inValuePath)})`;
    case "ValuePath":
      return `${pathText(node.path, false)}[${print(node.filter, true)}]`;
    case "Logical":
      return printLogical(node, inValuePath);
  }
}

/** Walks the left spine of a chain iteratively so `a or b or ... or z` costs no stack. */
function printLogical(
  node: LogicalNode<AttributePath | ResolvedPath>,
  inValuePath: boolean,
): string {
  const rights: string[] = [];
  let current: FilterNode<AttributePath | ResolvedPath> = node;
  while (current.kind === "Logical" && current.operator === node.operator) {
    rights.push(operand(current.right, node.operator, "right", inValuePath));
    current = current.left;
  }
  let text = operand(current, node.operator, "left", inValuePath);
  for (let index = rights.length - 1; index >= 0; index--) {
    text += ` ${node.operator} ${rights[index]}`;
  }
  return text;
}

function operand(
  node: FilterNode<AttributePath | ResolvedPath>,
  parent: "and" | "or",
  side: "left" | "right",
  inValuePath: boolean,
): string {
  const text = print(node, inValuePath);
  if (node.kind !== "Logical") return text;
  const child = PRECEDENCE[node.operator];
  const needsParentheses =
    side === "left" ? child < PRECEDENCE[parent] : child <= PRECEDENCE[parent];
  return needsParentheses ? `(${text})` : text;
}

function pathText(path: AttributePath | ResolvedPath, inValuePath: boolean): string {
  if (inValuePath && path.kind === "ResolvedPath" && path.subAttribute !== undefined) {
    return path.subAttribute;
  }
  return printPath(path);
}
