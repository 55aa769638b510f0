import {
  type CheckContext,
  type CheckDefinition,
  check,
  ENTERPRISE_SCHEMA,
  expectError,
  expectList,
  expectObject,
  expectStatus,
  fail,
  GROUP_SCHEMA,
  isObject,
  pick,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SPC_SCHEMA,
  show,
  USER_SCHEMA,
} from "../check";
import type { JsonObject } from "../scim-client";

const SPC = "RFC 7643 §5";
const ATTRIBUTE_TYPES = [
  "string",
  "boolean",
  "decimal",
  "integer",
  "dateTime",
  "reference",
  "complex",
  "binary",
];
/** RFC 7643 §5: the sub-attributes each core feature object may carry. */
const FEATURE_ATTRIBUTES: Record<string, readonly string[]> = {
  patch: ["supported"],
  bulk: ["supported", "maxOperations", "maxPayloadSize"],
  filter: ["supported", "maxResults"],
  changePassword: ["supported"],
  sort: ["supported"],
  etag: ["supported"],
};
const SPC_TOP_LEVEL = [
  "schemas",
  "documentationUri",
  "patch",
  "bulk",
  "filter",
  "changePassword",
  "sort",
  "etag",
  "authenticationSchemes",
  "meta",
  // RFC 9865 §4 adds this one.
  "pagination",
];
const AUTH_SCHEME_ATTRIBUTES = [
  "type",
  "name",
  "description",
  "specUri",
  "documentationUri",
  "primary",
];

const spc = (context: CheckContext) =>
  context.shared("spc", async () => {
    const answer = await context.request("GET", "/ServiceProviderConfig");
    expectStatus(answer, 200);
    return expectObject(answer);
  });

const schemaList = (context: CheckContext) =>
  context.shared("schemas", async () => expectList(await context.request("GET", "/Schemas")));

const resourceTypeList = (context: CheckContext) =>
  context.shared("resourceTypes", async () =>
    expectList(await context.request("GET", "/ResourceTypes")),
  );

const schemaById = async (context: CheckContext, id: string) => {
  const found = (await schemaList(context)).find((schema) => schema.id === id);
  if (found === undefined) fail(`/Schemas lists no schema with id "${id}"`);
  return found as JsonObject;
};

const attributesOf = (schema: JsonObject): JsonObject[] =>
  Array.isArray(schema.attributes) ? schema.attributes.filter(isObject) : [];

const filterRejected = (path: string): CheckDefinition["run"] => {
  return async (context) => {
    const answer = await context.request("GET", path, { query: { filter: 'id eq "x"' } });
    expectStatus(answer, 403);
  };
};

export const discoveryChecks: CheckDefinition[] = [
  check({
    id: "discovery.spc.status",
    area: "discovery",
    title: "GET /ServiceProviderConfig answers 200 with application/scim+json.",
    ref: "RFC 7644 §4; RFC 7644 §3.1",
    expected: "200 with Content-Type application/scim+json",
    run: async (context) => {
      const answer = await context.request("GET", "/ServiceProviderConfig");
      expectStatus(answer, 200);
      const type = answer.headers.get("content-type") ?? "";
      if (!/^application\/scim\+json/i.test(type)) fail(`Content-Type is "${type}"`);
    },
  }),
  check({
    id: "discovery.spc.schema",
    area: "discovery",
    title: "The ServiceProviderConfig names its schema URN.",
    ref: SPC,
    expected: `schemas contains "${SPC_SCHEMA}"`,
    run: async (context) => {
      const schemas = (await spc(context)).schemas;
      if (!Array.isArray(schemas) || !schemas.includes(SPC_SCHEMA)) {
        fail(`schemas is ${show(schemas)}`);
      }
    },
  }),
  check({
    id: "discovery.spc.required",
    area: "discovery",
    title: "Every REQUIRED feature is present with a boolean `supported`.",
    ref: SPC,
    expected:
      "patch, bulk, filter, changePassword, sort and etag are objects with a boolean supported; authenticationSchemes is an array",
    run: async (context) => {
      const body = await spc(context);
      for (const feature of Object.keys(FEATURE_ATTRIBUTES)) {
        if (typeof pick(body, feature, "supported") !== "boolean") {
          fail(`${feature} is ${show(body[feature])}`);
        }
      }
      if (!Array.isArray(body.authenticationSchemes)) {
        fail(`authenticationSchemes is ${show(body.authenticationSchemes)}`);
      }
    },
  }),
  check({
    id: "discovery.spc.limits",
    area: "discovery",
    title: "Advertised limits are integers: bulk maxOperations/maxPayloadSize, filter maxResults.",
    ref: SPC,
    expected:
      "bulk.maxOperations and bulk.maxPayloadSize (when bulk is supported) and filter.maxResults (when filter is supported) are integers",
    run: async (context) => {
      const body = await spc(context);
      const numbers: [string, unknown, boolean][] = [
        [
          "bulk.maxOperations",
          pick(body, "bulk", "maxOperations"),
          pick(body, "bulk", "supported") === true,
        ],
        [
          "bulk.maxPayloadSize",
          pick(body, "bulk", "maxPayloadSize"),
          pick(body, "bulk", "supported") === true,
        ],
        [
          "filter.maxResults",
          pick(body, "filter", "maxResults"),
          pick(body, "filter", "supported") === true,
        ],
      ];
      for (const [name, value, needed] of numbers) {
        if (needed && !Number.isInteger(value)) fail(`${name} is ${show(value)}`);
      }
    },
  }),
  check({
    id: "discovery.spc.core-attributes",
    area: "discovery",
    title:
      "Core ServiceProviderConfig attributes are exactly the ones RFC 7643 defines (plus RFC 9865's pagination); extras belong in an extension.",
    ref: "RFC 7643 §5; RFC 7643 §3.3; RFC 9865 §4",
    expected:
      "no members besides RFC 7643 §5's inside patch, bulk, filter, changePassword, sort, etag, authenticationSchemes, and no unknown non-URN top-level attribute",
    run: async (context) => {
      const body = await spc(context);
      const extras: string[] = [];
      for (const [feature, allowed] of Object.entries(FEATURE_ATTRIBUTES)) {
        const value = body[feature];
        if (!isObject(value)) continue;
        for (const key of Object.keys(value)) {
          if (!allowed.includes(key)) extras.push(`${feature}.${key}`);
        }
      }
      for (const key of Object.keys(body)) {
        if (!SPC_TOP_LEVEL.includes(key) && !key.startsWith("urn:")) extras.push(key);
      }
      const schemes = Array.isArray(body.authenticationSchemes) ? body.authenticationSchemes : [];
      schemes.filter(isObject).forEach((scheme, index) => {
        for (const key of Object.keys(scheme)) {
          if (!AUTH_SCHEME_ATTRIBUTES.includes(key))
            extras.push(`authenticationSchemes[${index}].${key}`);
        }
      });
      if (extras.length > 0) fail(`attributes RFC 7643 §5 does not define: ${extras.join(", ")}`);
    },
  }),
  check({
    id: "discovery.spc.authentication-schemes",
    area: "discovery",
    title: "Each authentication scheme has a known type, a name and a description.",
    ref: SPC,
    expected:
      "at least one scheme; each has type (oauth, oauth2, oauthbearertoken, httpbasic or httpdigest), name and description as strings",
    run: async (context) => {
      const schemes = (await spc(context)).authenticationSchemes;
      if (!Array.isArray(schemes) || schemes.length === 0) {
        fail(`authenticationSchemes is ${show(schemes)}`);
      }
      const types = ["oauth", "oauth2", "oauthbearertoken", "httpbasic", "httpdigest"];
      for (const scheme of schemes as unknown[]) {
        if (
          !types.includes(String(pick(scheme, "type"))) ||
          typeof pick(scheme, "name") !== "string" ||
          typeof pick(scheme, "description") !== "string"
        ) {
          fail(`scheme ${show(scheme)}`);
        }
      }
    },
  }),
  check({
    id: "discovery.spc.pagination",
    area: "discovery",
    title: "An advertised `pagination` object has the RFC 9865 types.",
    ref: "RFC 9865 §4",
    expected:
      'cursor and index are booleans; defaultPaginationMethod is "cursor" or "index"; page sizes and cursorTimeout are integers when present',
    run: async (context) => {
      const pagination = (await spc(context)).pagination;
      if (pagination === undefined) return "no pagination object (RFC 7644 index paging only)";
      if (!isObject(pagination)) fail(`pagination is ${show(pagination)}`);
      const value = pagination as JsonObject;
      if (typeof value.cursor !== "boolean" || typeof value.index !== "boolean") {
        fail(`cursor/index are ${show(value.cursor)}/${show(value.index)}`);
      }
      const method = value.defaultPaginationMethod;
      if (method !== undefined && method !== "cursor" && method !== "index") {
        fail(`defaultPaginationMethod is ${show(method)}`);
      }
      for (const key of ["defaultPageSize", "maxPageSize", "cursorTimeout"]) {
        if (value[key] !== undefined && !Number.isInteger(value[key])) {
          fail(`${key} is ${show(value[key])}`);
        }
      }
    },
  }),
  check({
    id: "discovery.spc.filter-forbidden",
    area: "discovery",
    level: "should",
    title: "GET /ServiceProviderConfig?filter=... answers 403.",
    ref: "RFC 7644 §4",
    expected: "403 (a discovery endpoint SHOULD refuse a filter)",
    run: filterRejected("/ServiceProviderConfig"),
  }),
  check({
    id: "discovery.resource-types.list",
    area: "discovery",
    title: "GET /ResourceTypes is a ListResponse with the User and Group resource types.",
    ref: "RFC 7644 §4; RFC 7643 §6",
    expected: "200 ListResponse whose Resources include schema User and schema Group",
    run: async (context) => {
      // Direct, not the shared fixture: this is the check that fails when the list is broken.
      const types = expectList(await context.request("GET", "/ResourceTypes"));
      const schemas = types.map((type) => type.schema);
      for (const needed of [USER_SCHEMA, GROUP_SCHEMA]) {
        if (!schemas.includes(needed)) fail(`resource type schemas are ${show(schemas)}`);
      }
    },
  }),
  check({
    id: "discovery.resource-types.attributes",
    area: "discovery",
    title: "Each resource type has name, endpoint and schema, and names the ResourceType schema.",
    ref: "RFC 7643 §6",
    expected: `each entry has string name, endpoint, schema and schemas containing "${RESOURCE_TYPE_SCHEMA}"`,
    run: async (context) => {
      for (const type of await resourceTypeList(context)) {
        for (const key of ["name", "endpoint", "schema"]) {
          if (typeof type[key] !== "string")
            fail(`${key} of ${show(type, 120)} is ${show(type[key])}`);
        }
        if (!Array.isArray(type.schemas) || !type.schemas.includes(RESOURCE_TYPE_SCHEMA)) {
          fail(`resource type "${type.name}" has schemas ${show(type.schemas)}`);
        }
      }
    },
  }),
  check({
    id: "discovery.resource-types.extensions",
    area: "discovery",
    title: "schemaExtensions entries name a schema and say whether it is required.",
    ref: "RFC 7643 §6",
    expected: "every schemaExtensions entry has a string schema and a boolean required",
    run: async (context) => {
      for (const type of await resourceTypeList(context)) {
        const extensions = type.schemaExtensions ?? [];
        if (!Array.isArray(extensions))
          fail(`schemaExtensions of "${type.name}" is ${show(extensions)}`);
        for (const extension of extensions as unknown[]) {
          if (
            typeof pick(extension, "schema") !== "string" ||
            typeof pick(extension, "required") !== "boolean"
          ) {
            fail(`"${type.name}" extension ${show(extension)}`);
          }
        }
      }
    },
  }),
  check({
    id: "discovery.resource-types.by-id",
    area: "discovery",
    title: "GET /ResourceTypes/User answers the User resource type.",
    ref: "RFC 7644 §4",
    expected: '200 with name/id "User" and schema User',
    run: async (context) => {
      const answer = await context.request("GET", "/ResourceTypes/User");
      expectStatus(answer, 200);
      const body = expectObject(answer);
      if (body.schema !== USER_SCHEMA) fail(`schema is ${show(body.schema)}`);
    },
  }),
  check({
    id: "discovery.resource-types.unknown",
    area: "discovery",
    title: "GET /ResourceTypes/<unknown> answers 404 with a SCIM error.",
    ref: "RFC 7644 §3.12",
    expected: '404 with an Error body, status "404"',
    run: async (context) => {
      expectError(await context.request("GET", `/ResourceTypes/${context.unique("missing")}`), 404);
    },
  }),
  check({
    id: "discovery.resource-types.filter-forbidden",
    area: "discovery",
    level: "should",
    title: "GET /ResourceTypes?filter=... answers 403.",
    ref: "RFC 7644 §4",
    expected: "403 (a discovery endpoint SHOULD refuse a filter)",
    run: filterRejected("/ResourceTypes"),
  }),
  check({
    id: "discovery.schemas.list",
    area: "discovery",
    title: "GET /Schemas is a ListResponse with the User and Group schemas.",
    ref: "RFC 7644 §4; RFC 7643 §7",
    expected: "200 ListResponse whose Resources include ids User and Group core URNs",
    run: async (context) => {
      const ids = expectList(await context.request("GET", "/Schemas")).map((schema) => schema.id);
      for (const needed of [USER_SCHEMA, GROUP_SCHEMA]) {
        if (!ids.includes(needed)) fail(`schema ids are ${show(ids)}`);
      }
    },
  }),
  check({
    id: "discovery.schemas.list-counts",
    area: "discovery",
    title: "The /Schemas ListResponse counts what it lists.",
    ref: "RFC 7644 §3.4.2",
    expected: "totalResults is an integer equal to the number of Resources",
    run: async (context) => {
      const answer = await context.request("GET", "/Schemas");
      const resources = expectList(answer);
      const total = pick(answer.body, "totalResults");
      if (total !== resources.length)
        fail(`totalResults ${show(total)} for ${resources.length} Resources`);
    },
  }),
  check({
    id: "discovery.schemas.attribute-definitions",
    area: "discovery",
    title:
      "Every attribute definition has name, a valid type and multiValued; complex ones have subAttributes.",
    ref: "RFC 7643 §7",
    expected:
      "name string, type one of RFC 7643 §2.3's, multiValued boolean, valid mutability/returned/uniqueness when present, subAttributes for complex",
    run: async (context) => {
      const problems: string[] = [];
      const visit = (schemaId: unknown, attribute: JsonObject, path: string) => {
        const name = `${schemaId}:${path}${String(attribute.name)}`;
        if (typeof attribute.name !== "string") problems.push(`${name}: name`);
        if (!ATTRIBUTE_TYPES.includes(String(attribute.type)))
          problems.push(`${name}: type ${show(attribute.type)}`);
        if (typeof attribute.multiValued !== "boolean")
          problems.push(`${name}: multiValued ${show(attribute.multiValued)}`);
        const enums: [string, string[]][] = [
          ["mutability", ["readOnly", "readWrite", "immutable", "writeOnly"]],
          ["returned", ["always", "never", "default", "request"]],
          ["uniqueness", ["none", "server", "global"]],
        ];
        for (const [key, allowed] of enums) {
          if (attribute[key] !== undefined && !allowed.includes(String(attribute[key]))) {
            problems.push(`${name}: ${key} ${show(attribute[key])}`);
          }
        }
        if (attribute.type === "complex") {
          if (!Array.isArray(attribute.subAttributes)) problems.push(`${name}: no subAttributes`);
          else
            for (const sub of attribute.subAttributes.filter(isObject))
              visit(schemaId, sub, `${path}${String(attribute.name)}.`);
        }
      };
      for (const schema of await schemaList(context)) {
        for (const attribute of attributesOf(schema)) visit(schema.id, attribute, "");
      }
      if (problems.length > 0) fail(problems.slice(0, 5).join("; "));
    },
  }),
  check({
    id: "discovery.schemas.user-name",
    area: "discovery",
    title:
      "The User schema defines userName as a required, server-unique, case-insensitive string.",
    ref: "RFC 7643 §4.1.1; RFC 7643 §8.7.1",
    expected: "userName: type string, required true, caseExact false, uniqueness server",
    run: async (context) => {
      const user = await schemaById(context, USER_SCHEMA);
      const userName = attributesOf(user).find((attribute) => attribute.name === "userName");
      if (userName === undefined) fail("the User schema has no userName attribute");
      const value = userName as JsonObject;
      if (
        value.type !== "string" ||
        value.required !== true ||
        value.caseExact === true ||
        value.uniqueness !== "server"
      ) {
        fail(`userName is ${show(value, 300)}`);
      }
    },
  }),
  check({
    id: "discovery.schemas.group-members",
    area: "discovery",
    title: "The Group schema defines members as multi-valued complex with a value sub-attribute.",
    ref: "RFC 7643 §4.2; RFC 7643 §8.7.1",
    expected: "members: type complex, multiValued true, subAttributes include value",
    run: async (context) => {
      const group = await schemaById(context, GROUP_SCHEMA);
      const members = attributesOf(group).find((attribute) => attribute.name === "members");
      const subs = pick(members, "subAttributes");
      if (
        pick(members, "type") !== "complex" ||
        pick(members, "multiValued") !== true ||
        !Array.isArray(subs) ||
        !subs.some((sub) => pick(sub, "name") === "value")
      ) {
        fail(`members is ${show(members, 300)}`);
      }
    },
  }),
  check({
    id: "discovery.schemas.by-id",
    area: "discovery",
    title: "GET /Schemas/<User URN> answers the User schema.",
    ref: "RFC 7644 §4",
    expected: `200 with id "${USER_SCHEMA}" and its attributes`,
    run: async (context) => {
      const answer = await context.request("GET", `/Schemas/${USER_SCHEMA}`);
      expectStatus(answer, 200);
      const body = expectObject(answer);
      if (body.id !== USER_SCHEMA || !Array.isArray(body.attributes))
        fail(`got ${show(body, 160)}`);
    },
  }),
  check({
    id: "discovery.schemas.unknown",
    area: "discovery",
    title: "GET /Schemas/<unknown URN> answers 404 with a SCIM error.",
    ref: "RFC 7644 §3.12",
    expected: '404 with an Error body, status "404"',
    run: async (context) => {
      expectError(
        await context.request("GET", `/Schemas/urn:example:${context.unique("missing")}`),
        404,
      );
    },
  }),
  check({
    id: "discovery.schemas.filter-forbidden",
    area: "discovery",
    level: "should",
    title: "GET /Schemas?filter=... answers 403.",
    ref: "RFC 7644 §4",
    expected: "403 (a discovery endpoint SHOULD refuse a filter)",
    run: filterRejected("/Schemas"),
  }),
  check({
    id: "discovery.schemas.meta-schemas",
    area: "discovery",
    level: "should",
    title: "/Schemas also serves the ServiceProviderConfig, ResourceType and Schema schemas.",
    ref: "RFC 7643 §5–§7; RFC 7643 §8.7.2",
    expected: `Resources include "${SPC_SCHEMA}", "${RESOURCE_TYPE_SCHEMA}" and "${SCHEMA_SCHEMA}"`,
    run: async (context) => {
      const ids = (await schemaList(context)).map((schema) => schema.id);
      const missing = [SPC_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA].filter(
        (id) => !ids.includes(id),
      );
      if (missing.length > 0) fail(`missing ${missing.join(", ")}; listed ${show(ids, 400)}`);
    },
  }),
  check({
    id: "discovery.schemas.extensions-listed",
    area: "discovery",
    title: "Every schema a resource type uses (core and extensions) is served on /Schemas.",
    ref: "RFC 7643 §6; RFC 7644 §4",
    expected: "each resource type's schema and schemaExtensions[].schema is an id on /Schemas",
    run: async (context) => {
      const ids = (await schemaList(context)).map((schema) => schema.id);
      for (const type of await resourceTypeList(context)) {
        const used = [
          type.schema,
          ...(Array.isArray(type.schemaExtensions)
            ? type.schemaExtensions.map((extension) => pick(extension, "schema"))
            : []),
        ];
        const missing = used.filter((id) => !ids.includes(id));
        if (missing.length > 0) fail(`"${type.name}" uses ${show(missing)}, not on /Schemas`);
      }
    },
  }),
  check({
    id: "discovery.schemas.enterprise",
    area: "discovery",
    title: "The EnterpriseUser extension schema defines employeeNumber, department and manager.",
    ref: "RFC 7643 §4.3",
    requires: ["enterprise"],
    expected: "attributes employeeNumber, department and manager (complex with value)",
    run: async (context) => {
      const schema = await schemaById(context, ENTERPRISE_SCHEMA);
      const names = attributesOf(schema).map((attribute) => attribute.name);
      for (const name of ["employeeNumber", "department", "manager"]) {
        if (!names.includes(name)) fail(`attributes are ${show(names)}`);
      }
    },
  }),
];
