import type { FilterNode } from "../filter/ast";
import type { AttributeDefinition } from "../schema/types";

/**
 * An attribute path as written (RFC 7644 §3.10, 7643 §2.1), before it is bound
 * to a schema: `name.givenName`, `userName`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
 */
export interface AttributePath {
  readonly kind: "AttributePath";
  /** The schema URN prefix when written, as written. */
  readonly schema?: string;
  readonly attribute: string;
  readonly subAttribute?: string;
}

/**
 * An attribute path bound to a resource schema: names canonicalised
 * (`USERNAME` -> `userName`), the schema URN resolved (core or extension), and the
 * definitions attached so engines read `type`, `caseExact`, `multiValued`.
 */
export interface ResolvedPath {
  readonly kind: "ResolvedPath";
  /** Canonical schema URN this attribute belongs to. */
  readonly schema: string;
  /** True when `schema` is the resource type's core schema (attribute at top level). */
  readonly isCore: boolean;
  readonly attribute: string;
  readonly subAttribute?: string;
  /** Definition of the top-level attribute. */
  readonly definition: AttributeDefinition;
  /** Definition of the sub-attribute, when `subAttribute` is set. */
  readonly subDefinition?: AttributeDefinition;
}

/**
 * A PATCH operation path (RFC 7644 §3.5.2 `PATH` ABNF):
 * `attrPath / valuePath [subAttr]`, e.g. `members`, `name.familyName`,
 * `emails[type eq "work"]`, `emails[type eq "work"].value`.
 * With `filter` set, `subAttribute` is the part after the closing bracket.
 */
export interface PatchPath<P = AttributePath> {
  readonly kind: "PatchPath";
  /** The attribute (`attribute.subAttribute` when written `name.familyName` with no filter). */
  readonly path: P;
  /** The value filter in brackets, relative to the attribute's sub-attributes. */
  readonly filter?: FilterNode<AttributePath>;
  /** Sub-attribute after the brackets (`.value` in `emails[type eq "work"].value`). */
  readonly subAttribute?: string;
}
