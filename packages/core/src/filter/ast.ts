import type { AttributePath, ResolvedPath } from "../path/ast";

/**
 * The filter AST (RFC 7644 §3.4.2.2). Nodes are readonly and discriminated by
 * `kind`. `P` is the path type: `AttributePath` straight from the parser,
 * `ResolvedPath` once bound to a resource schema (what stores receive).
 */

export type ComparisonOperator = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";

/** A JSON literal as RFC 7644 compValue allows (false / null / true / number / string). */
export type FilterValue = string | number | boolean | null;

export interface ComparisonNode<P = AttributePath> {
  readonly kind: "Comparison";
  readonly path: P;
  readonly operator: ComparisonOperator;
  readonly value: FilterValue;
}

export interface PresentNode<P = AttributePath> {
  readonly kind: "Present";
  readonly path: P;
}

export interface LogicalNode<P = AttributePath> {
  readonly kind: "Logical";
  readonly operator: "and" | "or";
  readonly left: FilterNode<P>;
  readonly right: FilterNode<P>;
}

export interface NotNode<P = AttributePath> {
  readonly kind: "Not";
  readonly filter: FilterNode<P>;
}

/**
 * `emails[type eq "work" and value co "@example.com"]`: true when at least one
 * value of the multi-valued attribute `path` matches `filter`.
 * Unbound (parser output), paths inside `filter` name the sub-attribute as their
 * `attribute` (`type`). Bound, they are full paths (`attribute: "emails"`,
 * `subAttribute: "type"`) evaluated against each element of `path`.
 */
export interface ValuePathNode<P = AttributePath> {
  readonly kind: "ValuePath";
  readonly path: P;
  readonly filter: FilterNode<P>;
}

export type FilterNode<P = AttributePath> =
  | ComparisonNode<P>
  | PresentNode<P>
  | LogicalNode<P>
  | NotNode<P>
  | ValuePathNode<P>;

/** A filter bound to a resource schema: what stores receive. */
export type BoundFilter = FilterNode<ResolvedPath>;
