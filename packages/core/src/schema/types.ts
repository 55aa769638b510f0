/**
 * Schema definitions as data (RFC 7643 §7). These objects are what `/Schemas`
 * serves, what validation is compiled from, and what the filter, PATCH and
 * projection engines read. Shared engines branch on these characteristics,
 * never on attribute names.
 */

export type AttributeType =
  | "string"
  | "boolean"
  | "decimal"
  | "integer"
  | "dateTime"
  | "reference"
  | "binary"
  | "complex";

export type Mutability = "readOnly" | "readWrite" | "immutable" | "writeOnly";
export type Returned = "always" | "never" | "default" | "request";
export type Uniqueness = "none" | "server" | "global";

/** One attribute, as RFC 7643 §7 describes it (every characteristic explicit). */
export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description?: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  /** For `type: "reference"`: e.g. `["User", "Group"]`, `["external"]`, `["uri"]`. */
  readonly referenceTypes?: readonly string[];
  /** For `type: "complex"`. */
  readonly subAttributes?: readonly AttributeDefinition[];
}

/** A schema (RFC 7643 §7): a URN id and its attributes. */
export interface SchemaDefinition {
  /** The schema URN, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`. */
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly attributes: readonly AttributeDefinition[];
}

/** A resource type (RFC 7643 §6). */
export interface ResourceTypeDefinition {
  /** e.g. `User`; also the value of `meta.resourceType`. */
  readonly id: string;
  readonly name: string;
  /** e.g. `/Users`. */
  readonly endpoint: string;
  readonly description?: string;
  /** The core schema URN. */
  readonly schema: string;
  readonly schemaExtensions: readonly { readonly schema: string; readonly required: boolean }[];
  /**
   * scimkit extension, not served on `/ResourceTypes`: the multi-valued attribute
   * of this type that is stored as a membership relation (Group `members`), so a
   * one-member change touches one row and reads may skip loading it.
   */
  readonly membersAttribute?: string;
  /**
   * scimkit extension, not served: the read-only attribute derived from the
   * membership relation on the member side (User `groups`).
   */
  readonly memberOfAttribute?: string;
  /**
   * scimkit extension, not served: the single-valued string attribute that is
   * this type's display text where other resources reference it (Group
   * `displayName`, shown as `groups[].display` on its members).
   */
  readonly displayAttribute?: string;
}

/**
 * The schemas of one resource type, resolved: what the filter binder, PATCH
 * engine, validation and projection read.
 */
export interface ResourceSchema {
  readonly resourceType: ResourceTypeDefinition;
  readonly core: SchemaDefinition;
  readonly extensions: readonly {
    readonly schema: SchemaDefinition;
    readonly required: boolean;
  }[];
}

/** A SCIM resource as JSON: core attributes at the top level, extensions under their URN. */
export type ScimObject = { [key: string]: unknown };
