import type {
  AttributeDefinition,
  AttributeType,
  Mutability,
  Returned,
  SchemaDefinition,
  Uniqueness,
} from "./types";

/**
 * The characteristics an attribute may override. Anything left out takes the
 * RFC 7643 §2.2 default: `multiValued: false`, `required: false`,
 * `caseExact: false`, `mutability: "readWrite"`, `returned: "default"`,
 * `uniqueness: "none"`.
 */
export interface AttributeOptions {
  /** @default false */
  readonly multiValued?: boolean;
  readonly description?: string;
  /** @default false */
  readonly required?: boolean;
  /** @default false */
  readonly caseExact?: boolean;
  /** @default "readWrite" */
  readonly mutability?: Mutability;
  /** @default "default" */
  readonly returned?: Returned;
  /** @default "none" */
  readonly uniqueness?: Uniqueness;
  readonly canonicalValues?: readonly string[];
  /** For `reference` attributes. @default ["external"] */
  readonly referenceTypes?: readonly string[];
}

type Flag<O, K extends keyof AttributeOptions> = O extends { readonly [P in K]: true }
  ? true
  : false;

/**
 * An attribute built by `attribute` or `complex`: a full `AttributeDefinition`
 * whose `name`, `type`, `multiValued`, `required` and `subAttributes` keep their
 * literal types so `InferResource` can derive TypeScript types from the data.
 */
export type BuiltAttribute<
  N extends string,
  T extends AttributeType,
  O extends AttributeOptions,
  S extends readonly AttributeDefinition[] | undefined = undefined,
> = AttributeDefinition & {
  readonly name: N;
  readonly type: T;
  readonly multiValued: Flag<O, "multiValued">;
  readonly required: Flag<O, "required">;
  readonly subAttributes: S;
};

function build(
  name: string,
  type: AttributeType,
  options: AttributeOptions,
  subAttributes: readonly AttributeDefinition[] | undefined,
): AttributeDefinition {
  // Key order is the order `/Schemas` serves, matching RFC 7643 §8.7.
  return {
    name,
    type,
    multiValued: options.multiValued ?? false,
    ...(options.description === undefined ? {} : { description: options.description }),
    required: options.required ?? false,
    caseExact: options.caseExact ?? false,
    mutability: options.mutability ?? "readWrite",
    returned: options.returned ?? "default",
    uniqueness: options.uniqueness ?? "none",
    ...(options.canonicalValues === undefined ? {} : { canonicalValues: options.canonicalValues }),
    ...(type === "reference" ? { referenceTypes: options.referenceTypes ?? ["external"] } : {}),
    ...(subAttributes === undefined ? {} : { subAttributes }),
  };
}

/** A simple (non-complex) attribute with every characteristic filled in. */
export function attribute<
  const N extends string,
  const T extends Exclude<AttributeType, "complex">,
  const O extends AttributeOptions = AttributeOptions,
>(name: N, type: T, options?: O): BuiltAttribute<N, T, O> {
  return build(name, type, options ?? {}, undefined) as BuiltAttribute<N, T, O>;
}

/** A complex attribute with every characteristic filled in; sub-attributes come built. */
export function complex<
  const N extends string,
  const S extends readonly AttributeDefinition[],
  const O extends AttributeOptions = AttributeOptions,
>(name: N, subAttributes: S, options?: O): BuiltAttribute<N, "complex", O, S> {
  return build(name, "complex", options ?? {}, subAttributes) as BuiltAttribute<N, "complex", O, S>;
}

/** Declares a schema; the identity function that pins the literal type of the data. */
export function defineSchema<const S extends SchemaDefinition>(schema: S): S {
  return schema;
}
