import { z } from "zod";
import { badRequest, ok, type Result, type ScimError } from "../errors";
import { COMMON_ATTRIBUTES } from "./common-attributes";
import type { AttributeDefinition, ResourceSchema, SchemaDefinition, ScimObject } from "./types";
import { MAX_MULTI_VALUES, MAX_VALUE_BYTES, VALIDATION_MESSAGES } from "./validation-messages";

/** Options shared by `validateResource` and `validateAttributeValue`. */
export interface ValidationOptions {
  /**
   * Strict mode follows RFC 7643/7644 to the letter; lenient mode (the default)
   * tolerates what real IdPs send. Only these differ:
   * - unknown attributes (and data under unknown URNs): lenient drops them, strict
   *   fails with 400 `invalidValue`;
   * - `schemas`: lenient ignores it (output is rebuilt anyway), strict requires an
   *   array listing the core schema, only URNs of this resource type, and every
   *   extension that carries data;
   * - a value outside `canonicalValues`: lenient keeps it, strict fails;
   * - several `primary: true` values: lenient keeps the first, strict fails;
   * - a single value where a multi-valued attribute is expected: lenient wraps it
   *   in an array, strict fails.
   * Both modes coerce `"True"`/`"false"` to booleans, numeric strings to numbers,
   * a bare string to `{ value }` for a complex attribute with a `value`
   * sub-attribute, drop `null` and `[]` (unassigned, RFC 7643 §2.5), and drop
   * read-only attributes (RFC 7644 §3.3, §3.5.1).
   * @default false
   */
  readonly strict?: boolean;
}

export interface AttributeValueOptions extends ValidationOptions {
  /** Path named in error details, e.g. `emails.value`. @default the definition's name */
  readonly path?: string;
  /** Validate one value of a multi-valued attribute rather than the whole array. @default false */
  readonly element?: boolean;
}

type Schema = z.ZodType;
type Issue = z.core.$ZodIssue;
type Context = z.core.$RefinementCtx;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `null` and `[]` mean "unassigned" (RFC 7643 §2.5): treated as if the key were absent. */
export const isUnassigned = (value: unknown): boolean =>
  value === null || value === undefined || (Array.isArray(value) && value.length === 0);

type MessageEntry = { readonly code: string };
const addIssue = (
  context: Context,
  entry: MessageEntry,
  message: string,
  input: unknown,
  path?: PropertyKey[],
) =>
  context.addIssue({
    code: "custom",
    message,
    input,
    params: { code: entry.code },
    ...(path === undefined ? {} : { path }),
  });

const typeError = (definition: AttributeDefinition) => ({
  error: (issue: { input?: unknown }) =>
    issue.input === undefined
      ? VALIDATION_MESSAGES.required.message()
      : VALIDATION_MESSAGES.invalidType.message(definition),
});

function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      index++;
    } else bytes += 3;
  }
  return bytes;
}
const fitsLimit = (text: string) =>
  text.length * 3 <= MAX_VALUE_BYTES ||
  (text.length <= MAX_VALUE_BYTES && utf8Length(text) <= MAX_VALUE_BYTES);

const BOOLEAN_TEXT = /^(?:true|false)$/i;
const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const DECIMAL_TEXT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const DATE_TIME =
  /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))?$/;

/** xsd:dateTime (RFC 7643 §2.3.5), with calendar ranges checked. */
export function isDateTime(text: string): boolean {
  const match = DATE_TIME.exec(text);
  if (match === null) return false;
  const [, year, month, day, hour, minute, second, offsetHour, offsetMinute] = match.map(Number);
  if (month === undefined || month < 1 || month > 12) return false;
  const leap = year !== undefined && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (day === undefined || day < 1 || day > days) return false;
  if (hour === undefined || hour > 23 || minute === undefined || minute > 59) return false;
  if (second === undefined || second > 59) return false;
  if (offsetHour !== undefined && !Number.isNaN(offsetHour) && offsetHour > 14) return false;
  return !(offsetMinute !== undefined && !Number.isNaN(offsetMinute) && offsetMinute > 59);
}

const coerceBoolean = (value: unknown) =>
  typeof value === "string" && BOOLEAN_TEXT.test(value) ? value.toLowerCase() === "true" : value;

const coerceNumber = (pattern: RegExp) => (value: unknown) =>
  typeof value === "string" && pattern.test(value) ? Number(value) : value;

function compileString(definition: AttributeDefinition, strict: boolean): Schema {
  let schema: Schema = z.string(typeError(definition)).refine(fitsLimit, {
    message: VALIDATION_MESSAGES.tooLong.message(),
    params: { code: VALIDATION_MESSAGES.tooLong.code },
  });
  if (definition.type === "dateTime") {
    schema = schema.refine((text) => isDateTime(text as string), {
      message: VALIDATION_MESSAGES.invalidType.message(definition),
      params: { code: VALIDATION_MESSAGES.invalidType.code },
    });
  }
  if (definition.required) {
    schema = schema.refine((text) => (text as string).length > 0, {
      message: VALIDATION_MESSAGES.empty.message(),
      params: { code: VALIDATION_MESSAGES.empty.code },
    });
  }
  const canonicalValues = definition.canonicalValues;
  if (canonicalValues !== undefined && canonicalValues.length > 0) {
    const byLowerCase = new Map(canonicalValues.map((value) => [value.toLowerCase(), value]));
    schema = schema.transform((text, context) => {
      const canonical = byLowerCase.get((text as string).toLowerCase());
      if (canonical !== undefined) return canonical;
      if (strict) {
        const entry = VALIDATION_MESSAGES.canonicalValue;
        addIssue(context, entry, entry.message(text, canonicalValues), text);
      }
      return text;
    });
  }
  return schema;
}

function compileSingleValue(definition: AttributeDefinition, strict: boolean): Schema {
  switch (definition.type) {
    case "boolean":
      return z.preprocess(coerceBoolean, z.boolean(typeError(definition)));
    case "integer":
      return z.preprocess(
        coerceNumber(INTEGER_TEXT),
        z.number(typeError(definition)).refine(Number.isSafeInteger, {
          message: VALIDATION_MESSAGES.notWhole.message(),
          params: { code: VALIDATION_MESSAGES.notWhole.code },
        }),
      );
    case "decimal":
      return z.preprocess(coerceNumber(DECIMAL_TEXT), z.number(typeError(definition)));
    case "complex":
      return compileObject(definition.subAttributes ?? [], strict, definition, true);
    default:
      return compileString(definition, strict);
  }
}

/**
 * Canonicalises the keys of one object against an attribute list: names match
 * case-insensitively, read-only and unassigned values are dropped, unknown keys
 * are dropped (lenient) or reported (strict). Only canonical names are copied,
 * so input keys such as `__proto__` never reach the output.
 */
function prepareObject(
  value: unknown,
  lookup: ReadonlyMap<string, AttributeDefinition>,
  strict: boolean,
  context: Context,
  bareValueKey: string | undefined,
  unwrapSingleton: boolean,
): unknown {
  // Entra's documented manager PATCH wraps the single-valued object in a
  // one-element array (`"value": [{"$ref": null, "value": "<id>"}]`).
  if (unwrapSingleton && Array.isArray(value) && value.length === 1) value = value[0];
  if (typeof value === "string" && bareValueKey !== undefined) return { [bareValueKey]: value };
  if (!isRecord(value)) return value;
  const output: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const entry = value[key];
    const definition = lookup.get(key.toLowerCase());
    if (definition === undefined) {
      if (strict && !isUnassigned(entry)) {
        const message = VALIDATION_MESSAGES.unknownAttribute;
        addIssue(context, message, message.message(), entry, [key]);
      }
      continue;
    }
    if (definition.mutability === "readOnly" || isUnassigned(entry)) continue;
    if (!Object.hasOwn(output, definition.name)) output[definition.name] = entry;
  }
  return output;
}

/** Drops keys whose value became unassigned; an object left empty is unassigned itself. */
function compact(value: Record<string, unknown>): Record<string, unknown> | undefined {
  const output: Record<string, unknown> = {};
  let empty = true;
  for (const [key, entry] of Object.entries(value)) {
    if (entry === undefined) continue;
    output[key] = entry;
    empty = false;
  }
  return empty ? undefined : output;
}

function shapeOf(attributes: readonly AttributeDefinition[], strict: boolean) {
  const shape: Record<string, Schema> = {};
  for (const definition of attributes) {
    if (definition.mutability === "readOnly") continue;
    const schema = compileAttribute(definition, strict, false);
    shape[definition.name] = definition.required ? schema : schema.optional();
  }
  return shape;
}

function lookupOf(attributes: readonly AttributeDefinition[]) {
  return new Map(attributes.map((definition) => [definition.name.toLowerCase(), definition]));
}

function compileObject(
  attributes: readonly AttributeDefinition[],
  strict: boolean,
  definition: AttributeDefinition,
  acceptsBareValue: boolean,
): Schema {
  const lookup = lookupOf(attributes);
  // A bare string for a complex attribute with a `value` sub-attribute is its
  // value (Entra sends `manager` as a plain id).
  const bareValueKey = acceptsBareValue ? lookup.get("value")?.name : undefined;
  const unwrapSingleton = !strict && !definition.multiValued;
  return z
    .preprocess(
      (value, context) =>
        prepareObject(value, lookup, strict, context, bareValueKey, unwrapSingleton),
      z.object(shapeOf(attributes, strict), typeError(definition)),
    )
    .transform(compact);
}

function compileMultiValued(definition: AttributeDefinition, strict: boolean): Schema {
  const element = compileAttribute(definition, strict, true);
  // RFC 7643 §2.4 defines `primary` by name for every multi-valued attribute,
  // so it is the one sub-attribute name the validator knows.
  const primary = definition.subAttributes?.find(
    (sub) => sub.name === "primary" && sub.type === "boolean",
  )?.name;
  return z
    .preprocess(
      (value) => {
        if (!Array.isArray(value)) return strict || isUnassigned(value) ? value : [value];
        return value.filter((entry) => !isUnassigned(entry));
      },
      z
        .array(element, {
          error: (issue) =>
            issue.input === undefined
              ? VALIDATION_MESSAGES.required.message()
              : VALIDATION_MESSAGES.notMultiValued.message(),
        })
        .max(MAX_MULTI_VALUES, { error: VALIDATION_MESSAGES.tooMany.message() }),
    )
    .transform((values, context) => {
      const kept = (values as unknown[]).filter((entry) => entry !== undefined);
      if (primary !== undefined) {
        let seen = false;
        for (const [index, entry] of kept.entries()) {
          if (!isRecord(entry) || entry[primary] !== true) continue;
          if (!seen) {
            seen = true;
            continue;
          }
          if (strict) {
            const message = VALIDATION_MESSAGES.primary;
            addIssue(context, message, message.message(), values, []);
            break;
          }
          kept[index] = Object.assign({}, entry, { [primary]: false });
        }
      }
      return kept.length === 0 ? undefined : kept;
    });
}

const attributeCache = new WeakMap<AttributeDefinition, Map<string, Schema>>();

function compileAttribute(
  definition: AttributeDefinition,
  strict: boolean,
  element: boolean,
): Schema {
  let byMode = attributeCache.get(definition);
  if (byMode === undefined) {
    byMode = new Map();
    attributeCache.set(definition, byMode);
  }
  const key = `${strict}:${element}`;
  let schema = byMode.get(key);
  if (schema === undefined) {
    schema =
      definition.multiValued && !element
        ? compileMultiValued(definition, strict)
        : compileSingleValue(definition, strict);
    byMode.set(key, schema);
  }
  return schema;
}

interface ResourcePlan {
  readonly core: SchemaDefinition;
  readonly topLevel: ReadonlyMap<string, AttributeDefinition>;
  readonly extensions: readonly { readonly schema: SchemaDefinition; readonly lowerId: string }[];
}

function prepareResource(
  input: Record<string, unknown>,
  plan: ResourcePlan,
  strict: boolean,
  context: Context,
): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  const extensionData = new Map<SchemaDefinition, Record<string, unknown>>();
  const dataFor = (schema: SchemaDefinition) => {
    let data = extensionData.get(schema);
    if (data === undefined) {
      // Null prototype: raw client keys are stored here until the extension's
      // own preprocessing canonicalises them.
      data = Object.create(null) as Record<string, unknown>;
      extensionData.set(schema, data);
    }
    return data;
  };
  const corePrefix = `${plan.core.id.toLowerCase()}:`;
  let schemasValue: unknown;
  for (const key of Object.keys(input)) {
    const value = input[key];
    const lowerKey = key.toLowerCase();
    if (lowerKey === "schemas") {
      schemasValue = value;
      continue;
    }
    const definition =
      plan.topLevel.get(lowerKey) ??
      (lowerKey.startsWith(corePrefix)
        ? plan.topLevel.get(lowerKey.slice(corePrefix.length))
        : undefined);
    if (definition !== undefined) {
      if (definition.mutability === "readOnly" || isUnassigned(value)) continue;
      if (!Object.hasOwn(output, definition.name)) output[definition.name] = value;
      continue;
    }
    const extension = plan.extensions.find((entry) => entry.lowerId === lowerKey);
    if (extension !== undefined) {
      if (isUnassigned(value)) continue;
      if (!isRecord(value)) {
        output[extension.schema.id] = value;
        continue;
      }
      const data = dataFor(extension.schema);
      for (const name of Object.keys(value)) if (!(name in data)) data[name] = value[name];
      continue;
    }
    // `urn:...:enterprise:2.0:User:employeeNumber` written as a top-level key.
    const qualifying = plan.extensions.find((entry) => lowerKey.startsWith(`${entry.lowerId}:`));
    if (qualifying !== undefined) {
      if (!isUnassigned(value))
        dataFor(qualifying.schema)[key.slice(qualifying.lowerId.length + 1)] = value;
      continue;
    }
    if (strict && !isUnassigned(value)) {
      const message = VALIDATION_MESSAGES.unknownAttribute;
      addIssue(context, message, message.message(), value, [key]);
    }
  }
  for (const [schema, data] of extensionData) {
    if (!Object.hasOwn(output, schema.id)) output[schema.id] = data;
  }
  if (strict) checkSchemas(schemasValue, plan, output, context);
  return output;
}

function checkSchemas(
  value: unknown,
  plan: ResourcePlan,
  output: Record<string, unknown>,
  context: Context,
): void {
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === "string")) {
    const message = VALIDATION_MESSAGES.schemasInvalid;
    addIssue(context, message, message.message(), value, ["schemas"]);
    return;
  }
  const listed = new Set(value.map((urn) => urn.toLowerCase()));
  if (!listed.has(plan.core.id.toLowerCase())) {
    const message = VALIDATION_MESSAGES.schemasMissing;
    addIssue(context, message, message.message(plan.core.id), value, ["schemas"]);
  }
  const known = new Set([plan.core.id, ...plan.extensions.map((entry) => entry.schema.id)]);
  const knownLower = new Set([...known].map((urn) => urn.toLowerCase()));
  for (const urn of value) {
    if (!knownLower.has(urn.toLowerCase())) {
      const message = VALIDATION_MESSAGES.schemasUnknown;
      addIssue(context, message, message.message(urn), value, ["schemas"]);
    }
  }
  for (const { schema, lowerId } of plan.extensions) {
    if (Object.hasOwn(output, schema.id) && !listed.has(lowerId)) {
      const message = VALIDATION_MESSAGES.extensionNotListed;
      addIssue(context, message, message.message(), value, [schema.id]);
    }
  }
}

function compileResource(resourceSchema: ResourceSchema, strict: boolean): Schema {
  const topLevelAttributes = [...COMMON_ATTRIBUTES, ...resourceSchema.core.attributes];
  const plan: ResourcePlan = {
    core: resourceSchema.core,
    topLevel: lookupOf(topLevelAttributes),
    extensions: resourceSchema.extensions.map(({ schema }) => ({
      schema,
      lowerId: schema.id.toLowerCase(),
    })),
  };
  const shape = shapeOf(topLevelAttributes, strict);
  for (const { schema, required } of resourceSchema.extensions) {
    const extensionSchema = compileObject(
      schema.attributes,
      strict,
      {
        name: schema.id,
        type: "complex",
        multiValued: false,
        required,
        caseExact: false,
        mutability: "readWrite",
        returned: "default",
        uniqueness: "none",
      },
      false,
    );
    shape[schema.id] = required ? extensionSchema : extensionSchema.optional();
  }
  return z
    .preprocess(
      (input, context) => prepareResource(input as Record<string, unknown>, plan, strict, context),
      z.object(shape),
    )
    .transform((data) => {
      const schemas = [resourceSchema.core.id];
      for (const { schema } of resourceSchema.extensions) {
        if (data[schema.id] !== undefined) schemas.push(schema.id);
      }
      const resource: ScimObject = { schemas };
      for (const [key, value] of Object.entries(data)) {
        if (value !== undefined) resource[key] = value;
      }
      return resource;
    });
}

const resourceCache = new WeakMap<ResourceSchema, Map<boolean, Schema>>();

function resourceValidator(resourceSchema: ResourceSchema, strict: boolean): Schema {
  let byMode = resourceCache.get(resourceSchema);
  if (byMode === undefined) {
    byMode = new Map();
    resourceCache.set(resourceSchema, byMode);
  }
  let schema = byMode.get(strict);
  if (schema === undefined) {
    schema = compileResource(resourceSchema, strict);
    byMode.set(strict, schema);
  }
  return schema;
}

/** `emails[0].value`, `urn:...:enterprise:2.0:User:manager.value`. */
function formatPath(prefix: string | undefined, path: readonly PropertyKey[]): string {
  let text = prefix ?? "";
  let afterUrn = false;
  for (const segment of path) {
    if (typeof segment === "number") {
      text += `[${segment}]`;
      continue;
    }
    const name = String(segment);
    text += text === "" ? name : `${afterUrn ? ":" : "."}${name}`;
    afterUrn = name.includes(":");
  }
  return text;
}

function toScimError(issue: Issue, prefix: string | undefined): ScimError {
  const path = formatPath(prefix, issue.path);
  let code: string = VALIDATION_MESSAGES.invalidType.code;
  if (issue.code === "custom") {
    const params = issue.params as { code?: string } | undefined;
    code = params?.code ?? code;
  } else if (issue.code === "invalid_type" && issue.input === undefined) {
    code = VALIDATION_MESSAGES.required.code;
  } else if (issue.code === "too_big") {
    code = VALIDATION_MESSAGES.tooMany.code;
  }
  const subject = path === "" ? "The resource" : `Attribute "${path}"`;
  return badRequest("invalidValue", `${subject} ${issue.message}`, code);
}

function runSchema(schema: Schema, input: unknown, prefix: string | undefined): Result<unknown> {
  const parsed = schema.safeParse(input, { reportInput: true });
  if (parsed.success) return ok(parsed.data);
  const first = parsed.error.issues[0];
  return {
    ok: false,
    error:
      first === undefined
        ? badRequest("invalidValue", "The resource is invalid.", "schema.invalid")
        : toScimError(first, prefix),
  };
}

/**
 * Validates a POST or PUT body against a resource type's schemas and returns
 * the canonical resource: canonical attribute names (`UserName` -> `userName`),
 * values coerced as `ValidationOptions` describes, read-only and unassigned
 * attributes dropped, and `schemas` rebuilt as the core schema plus every
 * extension that carries data. Never throws: a body that is not a JSON object
 * fails with 400 `invalidSyntax`, anything else wrong with 400 `invalidValue`
 * whose detail names the attribute path. Strings over 64 KiB and multi-valued
 * attributes over 100 000 values are rejected.
 *
 * The validator is compiled from the definitions with zod once per resource
 * schema and mode, and cached.
 */
export function validateResource(
  resourceSchema: ResourceSchema,
  input: unknown,
  options: ValidationOptions = {},
): Result<ScimObject> {
  if (!isRecord(input)) {
    return {
      ok: false,
      error: badRequest(
        "invalidSyntax",
        `The request body must be a JSON object representing a ${resourceSchema.resourceType.name}.`,
        "schema.not_an_object",
      ),
    };
  }
  const validator = resourceValidator(resourceSchema, options.strict ?? false);
  return runSchema(validator, input, undefined) as Result<ScimObject>;
}

/**
 * Validates and coerces the value of one attribute or sub-attribute, as the
 * PATCH engine receives it: the same coercions and checks as `validateResource`
 * (multi-valued arrays included unless `element` is set). `null` and `[]` return
 * `ok(undefined)` (unassigned). Mutability is the caller's concern: a read-only
 * attribute's own value is checked, though read-only sub-attributes inside a
 * complex value are dropped.
 */
export function validateAttributeValue(
  definition: AttributeDefinition,
  value: unknown,
  options: AttributeValueOptions = {},
): Result<unknown> {
  if (isUnassigned(value)) return ok(undefined);
  const schema = compileAttribute(definition, options.strict ?? false, options.element ?? false);
  return runSchema(schema, value, options.path ?? definition.name);
}
