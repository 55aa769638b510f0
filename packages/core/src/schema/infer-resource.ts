import type { COMMON_ATTRIBUTES } from "./common-attributes";
import type { enterpriseUserSchema } from "./enterprise-user-schema";
import type { groupSchema } from "./group-schema";
import type { AttributeDefinition } from "./types";
import type { ENTERPRISE_USER_SCHEMA } from "./urns";
import type { userSchema } from "./user-schema";

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The TypeScript type of one value of an attribute (ignoring `multiValued`). */
export type InferAttributeValue<A> = A extends {
  readonly type: "complex";
  readonly subAttributes: infer S extends readonly AttributeDefinition[];
}
  ? InferAttributes<S>
  : A extends { readonly type: "boolean" }
    ? boolean
    : A extends { readonly type: "integer" | "decimal" }
      ? number
      : string;

/** The TypeScript type of an attribute: an array when `multiValued: true`. */
export type InferAttribute<A> = A extends { readonly multiValued: true }
  ? InferAttributeValue<A>[]
  : InferAttributeValue<A>;

/** An object type from an attribute list: `required: true` keys required, the rest optional. */
export type InferAttributes<S extends readonly AttributeDefinition[]> = Simplify<
  {
    -readonly [A in S[number] as A extends { readonly required: true }
      ? A["name"]
      : never]: InferAttribute<A>;
  } & {
    -readonly [A in S[number] as A extends { readonly required: true }
      ? never
      : A["name"]]?: InferAttribute<A>;
  }
>;

/** The common attributes (RFC 7643 §3.1) every resource carries, plus `schemas`. */
export type CommonResourceAttributes = InferAttributes<typeof COMMON_ATTRIBUTES> & {
  schemas: string[];
};

/**
 * A resource type inferred from a schema defined with `defineSchema`,
 * `attribute` and `complex`: the schema's attributes plus the common ones.
 */
export type InferResource<Schema extends { readonly attributes: readonly AttributeDefinition[] }> =
  Simplify<InferAttributes<Schema["attributes"]> & CommonResourceAttributes>;

/** The Enterprise User extension's attributes (the object under its URN). */
export type EnterpriseUser = InferAttributes<(typeof enterpriseUserSchema)["attributes"]>;

/** A User resource (RFC 7643 §4.1) with the optional Enterprise User extension. */
export type ScimUser = Simplify<
  InferResource<typeof userSchema> & {
    [K in typeof ENTERPRISE_USER_SCHEMA]?: EnterpriseUser;
  }
>;

/** A Group resource (RFC 7643 §4.2). */
export type ScimGroup = InferResource<typeof groupSchema>;
