// test/fixtures/stream-writes.ts
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

// src/client.ts
var isTransactionLike = (client2) => typeof client2.transaction === "function";
function isPostgresClient(value) {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value;
  return typeof candidate.query === "function" && (typeof candidate.transaction === "function" || typeof candidate.connect === "function");
}
var RETRYABLE = /* @__PURE__ */ new Set(["40P01", "40001"]);
var MAX_ATTEMPTS = 3;
async function inTransaction(client2, callback) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await runTransaction(client2, callback);
    } catch (error) {
      const code = error?.code;
      if (attempt >= MAX_ATTEMPTS || typeof code !== "string" || !RETRYABLE.has(code)) throw error;
    }
  }
}
async function runTransaction(client2, callback) {
  if (isTransactionLike(client2)) return client2.transaction(callback);
  const connection = await client2.connect();
  let broken = false;
  try {
    await connection.query("BEGIN");
    const result = await callback(connection);
    await connection.query("COMMIT");
    return result;
  } catch (error) {
    try {
      await connection.query("ROLLBACK");
    } catch {
      broken = true;
    }
    throw error;
  } finally {
    connection.release(broken);
  }
}
var MAX_NAMED_STATEMENTS = 256;
var REGISTRY = /* @__PURE__ */ Symbol.for("@scimkit/store-postgres.statement-names");
var statementNames = () => {
  const global = globalThis;
  let names = global[REGISTRY];
  if (names === void 0) {
    names = /* @__PURE__ */ new Map();
    global[REGISTRY] = names;
  }
  return names;
};
function statementName(text) {
  const names = statementNames();
  let name = names.get(text);
  if (name === void 0 && names.size < MAX_NAMED_STATEMENTS) {
    name = `scimkit_${names.size}`;
    names.set(text, name);
  }
  return name;
}
function isPgPool(client2) {
  const candidate = client2;
  return !isTransactionLike(client2) && typeof candidate.idleCount === "number" && typeof candidate.totalCount === "number" && typeof candidate.waitingCount === "number";
}
function withNamedStatements(queryable) {
  const named = queryable;
  return {
    query(text, values = []) {
      const name = statementName(text);
      return name === void 0 ? queryable.query(text, values) : named.query({ name, text, values });
    }
  };
}

// src/migrations.ts
var MIGRATIONS = [
  {
    version: 1,
    name: "resources, unique keys, memberships",
    statements: (schema2) => [
      `CREATE TABLE ${schema2}.resources (
        tenant text NOT NULL,
        resource_type text NOT NULL,
        id text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        created text NOT NULL,
        last_modified text NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (tenant, resource_type, id)
      )`,
      `CREATE INDEX resources_by_id ON ${schema2}.resources (tenant, id)`,
      `CREATE INDEX resources_by_user_name ON ${schema2}.resources (tenant, resource_type, lower(data ->> 'userName'))`,
      `CREATE INDEX resources_by_external_id ON ${schema2}.resources (tenant, resource_type, (data ->> 'externalId'))`,
      `CREATE INDEX resources_by_display_name ON ${schema2}.resources (tenant, resource_type, lower(data ->> 'displayName'))`,
      `CREATE TABLE ${schema2}.unique_keys (
        tenant text NOT NULL,
        resource_type text NOT NULL,
        attribute text NOT NULL,
        value text NOT NULL,
        id text NOT NULL,
        PRIMARY KEY (tenant, resource_type, attribute, value)
      )`,
      `CREATE INDEX unique_keys_by_owner ON ${schema2}.unique_keys (tenant, resource_type, id)`,
      `CREATE TABLE ${schema2}.memberships (
        tenant text NOT NULL,
        group_type text NOT NULL,
        group_id text NOT NULL,
        member_id text NOT NULL,
        member_type text NOT NULL,
        display text,
        position bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (tenant, group_id, member_id)
      )`,
      `CREATE INDEX memberships_by_member ON ${schema2}.memberships (tenant, member_id)`,
      // Filters compare dateTime values held in JSON; a malformed one must not fail the query.
      `CREATE FUNCTION ${schema2}.to_timestamptz(value text) RETURNS timestamptz
        LANGUAGE plpgsql STABLE AS $$
        BEGIN
          RETURN value::timestamptz;
        EXCEPTION WHEN others THEN
          RETURN NULL;
        END
        $$`,
      `CREATE FUNCTION ${schema2}.to_numeric(value text) RETURNS numeric
        LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
          RETURN btrim(value)::numeric;
        EXCEPTION WHEN others THEN
          RETURN NULL;
        END
        $$`,
      // RFC 7644 pr: null, "", [] and objects without a present member are absent.
      `CREATE FUNCTION ${schema2}.is_present(value jsonb) RETURNS boolean
        LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
          RETURN CASE jsonb_typeof(value)
            WHEN 'null' THEN false
            WHEN 'string' THEN value <> '""'::jsonb
            WHEN 'array' THEN EXISTS (
              SELECT 1 FROM jsonb_array_elements(value) AS element(item)
              WHERE ${schema2}.is_present(element.item))
            WHEN 'object' THEN EXISTS (
              SELECT 1 FROM jsonb_each(value) AS member(key, item)
              WHERE jsonb_typeof(member.item) <> 'null'
                AND member.item NOT IN ('""'::jsonb, '[]'::jsonb))
            ELSE value IS NOT NULL
          END;
        END
        $$`
    ]
  },
  {
    version: 2,
    name: "trash for soft-deleted resources",
    // A table of its own, so the live tables, their indexes and every hot query
    // stay exactly as they were. Each trashed record keeps what it was removed
    // with: its unique keys, its own members and the groups it was in.
    statements: (schema2) => [
      `CREATE TABLE ${schema2}.deleted_resources (
        tenant text NOT NULL,
        resource_type text NOT NULL,
        id text COLLATE "C" NOT NULL,
        version integer NOT NULL,
        created text NOT NULL,
        last_modified text NOT NULL,
        data jsonb NOT NULL,
        unique_keys jsonb NOT NULL,
        members jsonb NOT NULL,
        member_of jsonb NOT NULL,
        deleted_at timestamptz NOT NULL DEFAULT now(),
        purge_after timestamptz NOT NULL,
        PRIMARY KEY (tenant, resource_type, id)
      )`,
      `CREATE INDEX deleted_resources_by_purge_after ON ${schema2}.deleted_resources (purge_after)`
    ]
  }
];
var LATEST_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1].version;
async function runMigrations(client2, schemaName, quotedSchema) {
  return inTransaction(client2, async (transaction) => {
    await transaction.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
      `scimkit.migrate:${schemaName}`
    ]);
    await transaction.query(`CREATE SCHEMA IF NOT EXISTS ${quotedSchema}`);
    await transaction.query(
      `CREATE TABLE IF NOT EXISTS ${quotedSchema}.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`
    );
    const { rows } = await transaction.query(
      `SELECT version FROM ${quotedSchema}.schema_migrations`
    );
    const applied = new Set(rows.map((row) => Number(row.version)));
    const newlyApplied = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements(quotedSchema)) {
        await transaction.query(statement);
      }
      await transaction.query(
        `INSERT INTO ${quotedSchema}.schema_migrations (version, name) VALUES ($1, $2)`,
        [migration.version, migration.name]
      );
      newlyApplied.push(migration.version);
    }
    return newlyApplied;
  });
}

// ../core/src/errors.ts
var ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
var MARKER = /* @__PURE__ */ Symbol.for("scimkit.ScimError");
var ScimError = class extends Error {
  [MARKER] = true;
  status;
  scimType;
  detail;
  code;
  position;
  constructor(options) {
    super(options.detail, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = "ScimError";
    this.status = options.status;
    this.scimType = options.scimType;
    this.detail = options.detail;
    this.code = options.code;
    this.position = options.position;
  }
  /** Recognises a ScimError even when two copies of @scimkit/core are installed. */
  static is(value) {
    return typeof value === "object" && value !== null && MARKER in value;
  }
  /** The RFC 7644 §3.12 error body; `status` is a string as the RFC (erratum 7898) requires. */
  toJSON() {
    return {
      schemas: [ERROR_SCHEMA],
      status: String(this.status),
      ...this.scimType === void 0 ? {} : { scimType: this.scimType },
      detail: this.detail
    };
  }
};
var ok = (value) => ({ ok: true, value });
function unwrap(result) {
  if (result.ok) return result.value;
  throw result.error;
}
var badRequest = (scimType, detail, code, position) => new ScimError({ status: 400, scimType, detail, code, position });
var notFound = (detail) => new ScimError({ status: 404, detail, code: "not_found" });

// ../core/src/repository/cursor.ts
var MAX_CURSOR_LENGTH = 2048;
var CURSOR_VERSION = 1;
function toBase64Url(text) {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
function fromBase64Url(text) {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  const bytes = Uint8Array.from(binary, (character) => character.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}
function encodeCursor(position) {
  const payload = [
    CURSOR_VERSION,
    position.sort,
    position.hasValue ? 1 : 0,
    position.value,
    position.id
  ];
  return toBase64Url(JSON.stringify(payload));
}
var invalid = () => badRequest("invalidCursor", "The cursor is not valid for this query.", "cursor.invalid");
function decodeCursor(cursor, sort) {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[\w-]+$/.test(cursor)) {
    return { ok: false, error: invalid() };
  }
  let payload;
  try {
    payload = JSON.parse(fromBase64Url(cursor));
  } catch {
    return { ok: false, error: invalid() };
  }
  if (!Array.isArray(payload) || payload.length !== 5) return { ok: false, error: invalid() };
  const [version, cursorSort, hasValue, value, id] = payload;
  if (version !== CURSOR_VERSION || cursorSort !== sort || hasValue !== 0 && hasValue !== 1 || typeof id !== "string" || value !== null && typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    return { ok: false, error: invalid() };
  }
  return ok({ sort, hasValue: hasValue === 1, value, id });
}

// ../core/src/schema/resolve-path.ts
function printPath(path) {
  const base = path.subAttribute === void 0 ? path.attribute : `${path.attribute}.${path.subAttribute}`;
  if (path.kind === "ResolvedPath") return path.isCore ? base : `${path.schema}:${base}`;
  return path.schema === void 0 ? base : `${path.schema}:${base}`;
}

// ../core/src/store/contract.ts
var STORE_SPECIFICATION_VERSION = "scimkit-store-2";

// ../core/src/store/store-errors.ts
function uniquenessError(keys, cause) {
  return new ScimError({
    status: 409,
    scimType: "uniqueness",
    detail: keys.length === 0 ? "A resource with this id already exists." : `The value of ${keys.map((key) => `"${key.attribute}"`).join(" or ")} is already in use.`,
    code: "uniqueness",
    cause
  });
}
function versionConflictError(id) {
  return new ScimError({
    status: 412,
    detail: `Resource ${id} was changed by another request; fetch it again and retry.`,
    code: "version_conflict"
  });
}

// src/sql-parameters.ts
var SqlParameters = class {
  values;
  constructor(values = []) {
    this.values = [...values];
  }
  /** Appends `value` and returns its placeholder (`$3`), cast when `type` is given. */
  add(value, type) {
    this.values.push(value);
    const placeholder = `$${this.values.length}`;
    return type === void 0 ? placeholder : `${placeholder}::${type}`;
  }
};
function literal(name) {
  return `'${name.replaceAll("'", "''")}'`;
}
function identifier(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

// src/compile-filter.ts
function groupDisplay(context, group) {
  const entries = Object.entries(context.displayAttributes ?? {});
  if (entries.length === 0) return "NULL::jsonb";
  const cases = entries.map(([type, attribute]) => `WHEN ${literal(type)} THEN ${group}.data -> ${literal(attribute)}`).join(" ");
  return `(CASE ${group}.resource_type ${cases} END)`;
}
var STRING_TYPES = /* @__PURE__ */ new Set(["string", "reference", "binary"]);
var FilterCompiler = class {
  constructor(context, parameters) {
    this.context = context;
    this.parameters = parameters;
  }
  context;
  parameters;
  aliases = 0;
  /** The SQL for `filter`, or `undefined` when some part cannot be pushed down. */
  compile(filter) {
    return this.node(filter, void 0);
  }
  alias(prefix) {
    this.aliases += 1;
    return `${prefix}${this.aliases}`;
  }
  node(filter, element) {
    switch (filter.kind) {
      case "Logical": {
        const left = this.node(filter.left, element);
        const right = left === void 0 ? void 0 : this.node(filter.right, element);
        if (left === void 0 || right === void 0) return void 0;
        return `(${left} ${filter.operator === "and" ? "AND" : "OR"} ${right})`;
      }
      case "Not": {
        const inner = this.node(filter.filter, element);
        return inner === void 0 ? void 0 : `NOT COALESCE(${inner}, false)`;
      }
      case "Present":
        return this.path(filter.path, element, this.present);
      case "Comparison": {
        const { operator, value } = filter;
        if (value === null) {
          const anyPresent = this.path(filter.path, element, this.present);
          if (anyPresent === void 0 || operator === "ne") return anyPresent;
          return operator === "eq" ? `NOT COALESCE(${anyPresent}, false)` : void 0;
        }
        if (operator === "ne") {
          const equal = this.path(
            filter.path,
            element,
            (leaf, definition) => this.compare(leaf, definition, "eq", value)
          );
          return equal === void 0 ? void 0 : `NOT COALESCE(${equal}, false)`;
        }
        return this.path(
          filter.path,
          element,
          (leaf, definition) => this.compare(leaf, definition, operator, value)
        );
      }
      case "ValuePath": {
        if (element !== void 0) return void 0;
        const collection = this.collection(filter.path);
        return collection?.exists((field) => this.node(filter.filter, field));
      }
    }
  }
  /** Applies `predicate` to the value(s) `path` names, any value of a multi-valued one. */
  path(path, element, predicate) {
    const leafDefinition = path.subDefinition ?? path.definition;
    if (element !== void 0) {
      const leaf = element(path.subDefinition);
      return leaf === void 0 ? void 0 : predicate(leaf, leafDefinition);
    }
    const column = this.column(path);
    if (column !== void 0)
      return column === null ? void 0 : predicate(column, leafDefinition);
    if (path.subDefinition?.multiValued === true) return void 0;
    if (this.isRelation(path) || path.definition.multiValued) {
      const collection = this.collection(path);
      if (collection === void 0) return void 0;
      if (path.subDefinition === void 0 && path.definition.type === "complex") {
        if (predicate !== this.present) return "false";
        return this.isRelation(path) ? collection.exists() : this.present(jsonLeaf(this.container(path), path.attribute), path.definition);
      }
      return collection.exists((field) => {
        const leaf = field(path.subDefinition);
        return leaf === void 0 ? void 0 : predicate(leaf, leafDefinition);
      });
    }
    const container = this.container(path);
    if (path.subDefinition === void 0) {
      return predicate(jsonLeaf(container, path.attribute), leafDefinition);
    }
    if (path.definition.type !== "complex") return void 0;
    return predicate(
      jsonLeaf(`${container} -> ${literal(path.attribute)}`, path.subDefinition.name),
      leafDefinition
    );
  }
  isRelation(path) {
    if (!path.isCore) return false;
    return path.attribute === this.context.membersAttribute || path.attribute === this.context.memberOfAttribute;
  }
  /** The jsonb object holding the attribute: the row's data or its extension object. */
  container(path) {
    const data = `${this.context.row}.data`;
    return path.isCore ? data : `${data} -> ${literal(path.schema)}`;
  }
  /**
   * Common attributes kept in columns: a leaf, `null` when the path is a
   * column-backed attribute the store cannot compare, `undefined` for data paths.
   */
  column(path) {
    if (!path.isCore) return void 0;
    const row = this.context.row;
    if (path.attribute === "id" && path.subAttribute === void 0) return { text: `${row}.id` };
    if (path.attribute !== "meta") return void 0;
    switch (path.subAttribute) {
      case "created":
        return { text: `${row}.created` };
      case "lastModified":
        return { text: `${row}.last_modified` };
      case "resourceType":
        return { text: `${row}.resource_type` };
      default:
        return null;
    }
  }
  /** The values of a multi-valued (or relation) attribute as a row source. */
  collection(path) {
    const { schema: schema2, row } = this.context;
    if (path.isCore && path.attribute === this.context.membersAttribute) {
      const alias2 = this.alias("m");
      const fields = {
        value: { text: `${alias2}.member_id` },
        type: { text: `${alias2}.member_type` },
        display: { text: `${alias2}.display` }
      };
      const from = `FROM ${schema2}.memberships ${alias2} WHERE ${alias2}.tenant = ${row}.tenant AND ${alias2}.group_id = ${row}.id`;
      return relationCollection(from, fields);
    }
    if (path.isCore && path.attribute === this.context.memberOfAttribute) {
      const alias2 = this.alias("m");
      const group = this.alias("g");
      const fields = {
        value: { text: `${alias2}.group_id` },
        display: {
          text: `(${groupDisplay(this.context, group)} #>> '{}')`,
          json: groupDisplay(this.context, group)
        },
        type: { text: "'direct'" }
      };
      const from = `FROM ${schema2}.memberships ${alias2} JOIN ${schema2}.resources ${group} ON ${group}.tenant = ${alias2}.tenant AND ${group}.resource_type = ${alias2}.group_type AND ${group}.id = ${alias2}.group_id WHERE ${alias2}.tenant = ${row}.tenant AND ${alias2}.member_id = ${row}.id`;
      return relationCollection(from, fields);
    }
    if (this.column(path) !== void 0) return void 0;
    const attribute = `${this.container(path)} -> ${literal(path.attribute)}`;
    const complex = path.definition.type === "complex";
    const alias = this.alias("e");
    const item = `${alias}.item`;
    const array = complex ? `CASE jsonb_typeof(${attribute}) WHEN 'array' THEN ${attribute} WHEN 'object' THEN jsonb_build_array(${attribute}) ELSE '[]'::jsonb END` : `CASE jsonb_typeof(${attribute}) WHEN 'array' THEN ${attribute} ELSE '[]'::jsonb END`;
    const field = (sub) => {
      if (sub === void 0)
        return complex ? void 0 : { text: `(${item} #>> '{}')`, json: item };
      if (!complex || sub.multiValued) return void 0;
      return jsonLeaf(item, sub.name);
    };
    return {
      exists: (condition) => {
        const where = condition === void 0 ? "true" : condition(field);
        if (where === void 0) return void 0;
        return `EXISTS (SELECT 1 FROM jsonb_array_elements(${array}) AS ${alias}(item) WHERE ${where})`;
      }
    };
  }
  /**
   * RFC 7644 `pr`: assigned and not empty (null, "", [] and complex values
   * without a present member are absent).
   */
  present = (leaf, definition) => {
    if (leaf.json === void 0) return `(${leaf.text} IS NOT NULL AND ${leaf.text} <> '')`;
    if (definition.type === "complex" || definition.multiValued) {
      return `${this.context.schema}.is_present(${leaf.json})`;
    }
    const json2 = leaf.json;
    return `(jsonb_typeof(${json2}) <> 'null' AND ${json2} NOT IN ('""'::jsonb, '[]'::jsonb))`;
  };
  /** A typed comparison of one value with a filter literal. */
  compare(leaf, definition, operator, value) {
    const parameters = this.parameters;
    if (STRING_TYPES.has(definition.type)) {
      if (typeof value !== "string" || value.includes("\0")) return void 0;
      const caseExact = definition.caseExact || definition.type === "binary";
      const text = caseExact ? leaf.text : `lower(${leaf.text})`;
      const placeholder = parameters.add(value, "text");
      const operand = caseExact ? placeholder : `lower(${placeholder})`;
      switch (operator) {
        case "eq":
          return `${text} = ${operand}`;
        case "co":
          return `strpos(${text}, ${operand}) > 0`;
        case "sw":
          return `starts_with(${text}, ${operand})`;
        case "ew":
          return `right(${text}, length(${operand})) = ${operand}`;
        default:
          return `${text} COLLATE "C" ${SQL_ORDER[operator]} ${operand}`;
      }
    }
    if (definition.type === "boolean") {
      if (typeof value !== "boolean") return void 0;
      if (operator !== "eq") return "false";
      return `lower(${leaf.text}) = ${parameters.add(String(value), "text")}`;
    }
    if (definition.type === "complex") return "false";
    if (definition.type === "integer" || definition.type === "decimal") {
      if (typeof value !== "number" || !Number.isFinite(value) || leaf.json === void 0)
        return void 0;
      if (operator !== "eq" && !(operator in SQL_ORDER)) return "false";
      const number = `CASE jsonb_typeof(${leaf.json}) WHEN 'number' THEN (${leaf.json})::numeric WHEN 'string' THEN ${this.context.schema}.to_numeric(${leaf.text}) END`;
      const sqlOperator = operator === "eq" ? "=" : SQL_ORDER[operator];
      return `${number} ${sqlOperator} ${parameters.add(String(value), "numeric")}`;
    }
    if (definition.type === "dateTime") {
      if (typeof value !== "string" || value.includes("\0")) return void 0;
      if (operator !== "eq" && !(operator in SQL_ORDER)) return "false";
      const sqlOperator = operator === "eq" ? "=" : SQL_ORDER[operator];
      const toTimestamp = `${this.context.schema}.to_timestamptz`;
      const column = leaf.json === void 0 ? `(${leaf.text})::timestamptz` : `${toTimestamp}(${leaf.text})`;
      return `${column} ${sqlOperator} ${toTimestamp}(${parameters.add(value, "text")})`;
    }
    return void 0;
  }
};
var SQL_ORDER = { gt: ">", ge: ">=", lt: "<", le: "<=" };
function jsonLeaf(container, name) {
  return { text: `${container} ->> ${literal(name)}`, json: `${container} -> ${literal(name)}` };
}
function relationCollection(from, fields) {
  const field = (sub) => sub === void 0 ? void 0 : fields[sub.name];
  return {
    exists: (condition) => {
      const where = condition === void 0 ? void 0 : condition(field);
      if (condition !== void 0 && where === void 0) return void 0;
      return `EXISTS (SELECT 1 ${from}${where === void 0 ? "" : ` AND ${where}`})`;
    }
  };
}

// src/compile-query.ts
function compileSortKey(path, context) {
  const row = context.row;
  if (path.isCore) {
    if (path.attribute === context.membersAttribute) return void 0;
    if (path.attribute === context.memberOfAttribute) return void 0;
    if (path.attribute === "id" && path.subAttribute === void 0) {
      return { expression: `${row}.id`, kind: "text" };
    }
    if (path.attribute === "meta") {
      switch (path.subAttribute) {
        case "created":
          return {
            expression: `extract(epoch FROM (${row}.created)::timestamptz)`,
            kind: "numeric"
          };
        case "lastModified":
          return {
            expression: `extract(epoch FROM (${row}.last_modified)::timestamptz)`,
            kind: "numeric"
          };
        case "resourceType":
          return { expression: `${row}.resource_type`, kind: "text" };
        default:
          return void 0;
      }
    }
  }
  const data = path.isCore ? `${row}.data` : `${row}.data -> ${literal(path.schema)}`;
  const attribute = `${data} -> ${literal(path.attribute)}`;
  let picked = attribute;
  if (path.definition.multiValued) {
    picked = `COALESCE((SELECT item FROM jsonb_array_elements(CASE jsonb_typeof(${attribute}) WHEN 'array' THEN ${attribute} ELSE '[]'::jsonb END) AS item WHERE item -> 'primary' = 'true'::jsonb LIMIT 1), ${attribute} -> 0)`;
  }
  let definition = path.definition;
  let value = picked;
  if (path.definition.type === "complex") {
    const sub = path.subDefinition ?? path.definition.subAttributes?.find((entry) => entry.name === "value");
    if (sub === void 0 || sub.multiValued) return void 0;
    definition = sub;
    value = `${picked} -> ${literal(sub.name)}`;
  } else if (path.subDefinition !== void 0) {
    return void 0;
  }
  const when = (jsonType, then) => `CASE WHEN jsonb_typeof(${value}) = '${jsonType}' THEN ${then} END`;
  switch (definition.type) {
    case "string":
    case "reference":
    case "binary": {
      const text = `(${value} #>> '{}')`;
      return {
        expression: `${when("string", definition.caseExact ? text : `lower(${text})`)} COLLATE "C"`,
        kind: "text"
      };
    }
    case "integer":
    case "decimal":
      return { expression: when("number", `(${value})::numeric`), kind: "numeric" };
    case "boolean":
      return { expression: when("boolean", `(${value})::boolean`), kind: "boolean" };
    case "dateTime":
      return {
        expression: `extract(epoch FROM ${context.schema}.to_timestamptz(${when("string", `${value} #>> '{}'`)}))`,
        kind: "numeric"
      };
    default:
      return void 0;
  }
}
var CAST = { text: "text", numeric: "numeric", boolean: "boolean" };
function compileListQuery(input, context) {
  const { schema: schema2, row } = context;
  const parameters = new SqlParameters();
  const where = [
    `${row}.tenant = ${parameters.add(input.tenant, "text")}`,
    `${row}.resource_type = ${parameters.add(context.resourceType, "text")}`
  ];
  if (input.filter !== void 0) {
    const compiled = new FilterCompiler(context, parameters).compile(input.filter);
    if (compiled === void 0) return void 0;
    where.push(compiled);
  }
  const count = {
    text: `SELECT count(*) AS total FROM ${schema2}.resources ${row} WHERE ${where.join(" AND ")}`,
    values: [...parameters.values]
  };
  let sortKey;
  if (input.sort !== void 0) {
    sortKey = compileSortKey(input.sort.path, context);
    if (sortKey === void 0) return void 0;
  }
  const descending = input.sort?.order === "descending";
  const select = new SqlParameters(parameters.values);
  const pageWhere = [...where];
  if (input.after !== void 0) {
    const id = select.add(input.after.id, "text");
    if (sortKey === void 0) {
      pageWhere.push(`${row}.id > ${id}`);
    } else {
      const key = sortKey.expression;
      if (input.after.value === null) {
        pageWhere.push(
          descending ? `(${key} IS NOT NULL OR ${row}.id > ${id})` : `(${key} IS NULL AND ${row}.id > ${id})`
        );
      } else {
        const value = select.add(input.after.value, CAST[sortKey.kind]);
        pageWhere.push(
          descending ? `(${key} < ${value} OR (${key} = ${value} AND ${row}.id > ${id}))` : `(${key} > ${value} OR (${key} = ${value} AND ${row}.id > ${id}) OR ${key} IS NULL)`
        );
      }
    }
  }
  const order = sortKey === void 0 ? `${row}.id` : `${sortKey.expression} ${descending ? "DESC NULLS FIRST" : "ASC NULLS LAST"}, ${row}.id`;
  let text = `SELECT ${row}.id, ${row}.version, ${row}.created, ${row}.last_modified, ${row}.data` + (sortKey === void 0 ? "" : `, (${sortKey.expression})::text AS sort_key`) + ` FROM ${schema2}.resources ${row} WHERE ${pageWhere.join(" AND ")} ORDER BY ${order}`;
  if (input.limit !== void 0) text += ` LIMIT ${select.add(input.limit, "integer")}`;
  if (input.offset !== void 0 && input.offset > 0) {
    text += ` OFFSET ${select.add(input.offset, "integer")}`;
  }
  return {
    select: { text, values: select.values },
    count,
    ...sortKey === void 0 ? {} : { sortKey }
  };
}

// src/cursor.ts
var NUMERIC = /^-?\d+(\.\d+)?$/;
var invalid2 = () => ({
  ok: false,
  error: badRequest("invalidCursor", "The cursor is not valid for this query.", "cursor.invalid")
});
function encodeKeysetCursor(sortId, position) {
  return encodeCursor({
    sort: sortId,
    hasValue: position.value !== null,
    value: position.value,
    id: position.id
  });
}
function decodeKeysetCursor(cursor, sortId, kind) {
  const decoded = decodeCursor(cursor, sortId);
  if (!decoded.ok) return decoded;
  const { value, id } = decoded.value;
  if (id.includes("\0")) return invalid2();
  if (value !== null) {
    if (typeof value !== "string" || value.includes("\0") || kind === void 0) {
      return invalid2();
    }
    if (kind === "numeric" && !NUMERIC.test(value)) return invalid2();
    if (kind === "boolean" && value !== "true" && value !== "false") return invalid2();
  }
  return { ok: true, value: { value, id } };
}

// src/rows.ts
function tablesIn(schemaName) {
  const schema2 = identifier(schemaName);
  return {
    schema: schema2,
    resources: `${schema2}.resources`,
    memberships: `${schema2}.memberships`,
    uniqueKeys: `${schema2}.unique_keys`,
    deletedResources: `${schema2}.deleted_resources`
  };
}
var RECORD_COLUMNS = "id, version, created, last_modified, data";
var parseJson = (value) => typeof value === "string" ? JSON.parse(value) : value;
var toRecord = (resourceType, row) => ({
  resourceType,
  id: row.id,
  version: Number(row.version),
  created: row.created,
  lastModified: row.last_modified,
  data: parseJson(row.data)
});
var memberRef = (row) => ({
  value: row.member_id,
  type: row.member_type,
  ...row.display === null || row.display === void 0 ? {} : { display: row.display }
});
var json = (value) => JSON.stringify(value);
var isoInstant = (column) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
var isInstant = (value) => typeof value === "string" && !Number.isNaN(Date.parse(value));
var hasNul = (text) => text.includes("\0");
var errorCode = (error) => typeof error === "object" && error !== null ? error.code : void 0;
var UNIQUE_VIOLATION = "23505";
var UNSTORABLE = /* @__PURE__ */ new Set(["22P05", "22021"]);
function clientError(error, keys) {
  const code = errorCode(error);
  if (code === UNIQUE_VIOLATION) return uniquenessError(keys, error);
  if (typeof code === "string" && UNSTORABLE.has(code)) {
    return new ScimError({
      status: 400,
      scimType: "invalidValue",
      detail: "Values must not contain the NUL character (U+0000).",
      code: "value.nul_character",
      cause: error
    });
  }
  return error;
}

// src/memberships.ts
async function readMembers(queryable, tables, tenant2, groupIds) {
  const byGroup = new Map(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return byGroup;
  const { rows } = await queryable.query(
    `SELECT group_id, member_id, member_type, display FROM ${tables.memberships}
     WHERE tenant = $1 AND group_id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))
     ORDER BY position`,
    [tenant2, json(groupIds)]
  );
  for (const row of rows) byGroup.get(row.group_id)?.push(memberRef(row));
  return byGroup;
}
async function insertMembers(transaction, tables, tenant2, groupType, groupId, members) {
  if (members.length === 0) return [];
  const { rows } = await transaction.query(
    `INSERT INTO ${tables.memberships} (tenant, group_type, group_id, member_id, member_type, display)
     SELECT $1, $2, $3, member.item ->> 'value', member.item ->> 'type', member.item ->> 'display'
     FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS member(item, ordinal)
     ORDER BY member.ordinal
     ON CONFLICT (tenant, group_id, member_id) DO NOTHING
     RETURNING member_id`,
    [tenant2, groupType, groupId, json(members)]
  );
  return rows.map((row) => row.member_id);
}
async function updateMembershipOnly(queryable, tables, tenant2, input) {
  const { resourceType, id, members: delta } = input;
  const { resources, memberships } = tables;
  const addIds = json(delta.add.map((member) => member.value));
  const { rows } = await queryable.query(
    `WITH target AS (
       SELECT ${RECORD_COLUMNS} FROM ${resources}
       WHERE tenant = $1 AND resource_type = $2 AND id = $3 FOR UPDATE
     ), cleared AS (
       DELETE FROM ${memberships}
       WHERE $4::boolean AND tenant = $1 AND group_id = $3 AND EXISTS (SELECT 1 FROM target)
         AND NOT (member_id = ANY (ARRAY(SELECT jsonb_array_elements_text($5::jsonb))))
       RETURNING member_id
     ), added AS (
       INSERT INTO ${memberships} (tenant, group_type, group_id, member_id, member_type, display)
       SELECT $1, $2, $3, member.item ->> 'value', member.item ->> 'type', member.item ->> 'display'
       FROM jsonb_array_elements($6::jsonb) WITH ORDINALITY AS member(item, ordinal)
       WHERE EXISTS (SELECT 1 FROM target)
       ORDER BY member.ordinal
       ON CONFLICT (tenant, group_id, member_id) DO NOTHING
       RETURNING member_id
     ), removed AS (
       DELETE FROM ${memberships}
       WHERE tenant = $1 AND group_id = $3 AND EXISTS (SELECT 1 FROM target)
         AND member_id = ANY (ARRAY(SELECT jsonb_array_elements_text($7::jsonb)))
       RETURNING member_id
     ), bumped AS (
       UPDATE ${resources} SET version = version + 1, last_modified = $8
       WHERE tenant = $1 AND resource_type = $2 AND id = $3
         AND (EXISTS (SELECT 1 FROM cleared) OR EXISTS (SELECT 1 FROM added)
           OR EXISTS (SELECT 1 FROM removed))
       RETURNING ${RECORD_COLUMNS}
     )
     SELECT row_to_json(record) AS record,
       COALESCE((SELECT jsonb_agg(member_id) FROM added), '[]'::jsonb) AS added,
       COALESCE((SELECT jsonb_agg(member_id) FROM (
         SELECT member_id FROM cleared UNION ALL SELECT member_id FROM removed) gone), '[]'::jsonb)
         AS removed
     FROM (SELECT * FROM bumped UNION ALL
       SELECT * FROM target WHERE NOT EXISTS (SELECT 1 FROM bumped)) record`,
    [
      tenant2,
      resourceType,
      id,
      delta.replaceAll === true,
      addIds,
      json(delta.add),
      json(delta.remove),
      input.lastModified
    ]
  );
  const row = rows[0];
  if (row === void 0) throw notFound(`Resource ${id} not found.`);
  const membership = {
    added: parseJson(row.added),
    removed: parseJson(row.removed)
  };
  return { ...toRecord(resourceType, parseJson(row.record)), membership };
}

// src/unique-keys.ts
async function writeUniqueKeys(transaction, tables, tenant2, resourceType, id, keys) {
  if (keys.length === 0) return;
  await transaction.query(
    `INSERT INTO ${tables.uniqueKeys} (tenant, resource_type, attribute, value, id)
     SELECT $1, $2, key.attribute, key.value, $3
     FROM jsonb_to_recordset($4::jsonb) AS key(attribute text, value text)`,
    [tenant2, resourceType, id, json(keys)]
  );
}

// src/soft-delete.ts
async function trashRecord(transaction, tables, tenant2, resourceType, id, purgeAfter) {
  const { resources, uniqueKeys, memberships, deletedResources } = tables;
  const { rows } = await transaction.query(
    `WITH record AS (
       DELETE FROM ${resources} WHERE tenant = $1 AND resource_type = $2 AND id = $3
       RETURNING version, created, last_modified, data
     ), keys AS (
       DELETE FROM ${uniqueKeys}
       WHERE tenant = $1 AND resource_type = $2 AND id = $3 AND EXISTS (SELECT 1 FROM record)
       RETURNING attribute, value
     ), own AS (
       DELETE FROM ${memberships}
       WHERE tenant = $1 AND group_id = $3 AND EXISTS (SELECT 1 FROM record)
       RETURNING member_id, member_type, display, position
     ), belongs AS (
       DELETE FROM ${memberships}
       WHERE tenant = $1 AND member_id = $3 AND group_id <> $3 AND EXISTS (SELECT 1 FROM record)
       RETURNING group_type, group_id, member_type, display
     )
     INSERT INTO ${deletedResources} (tenant, resource_type, id, version, created,
       last_modified, data, unique_keys, members, member_of, purge_after)
     SELECT $1, $2, $3, record.version, record.created, record.last_modified, record.data,
       COALESCE((SELECT jsonb_agg(jsonb_build_object('attribute', attribute, 'value', value))
         FROM keys), '[]'::jsonb),
       COALESCE((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('value', member_id,
         'type', member_type, 'display', display)) ORDER BY position) FROM own), '[]'::jsonb),
       COALESCE((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('resourceType',
         group_type, 'id', group_id, 'type', member_type, 'display', display))) FROM belongs),
         '[]'::jsonb),
       $4::timestamptz
     FROM record
     ON CONFLICT (tenant, resource_type, id) DO UPDATE SET version = EXCLUDED.version,
       created = EXCLUDED.created, last_modified = EXCLUDED.last_modified,
       data = EXCLUDED.data, unique_keys = EXCLUDED.unique_keys, members = EXCLUDED.members,
       member_of = EXCLUDED.member_of, deleted_at = now(), purge_after = EXCLUDED.purge_after
     RETURNING id`,
    [tenant2, resourceType, id, purgeAfter]
  );
  return rows.length > 0;
}
async function purgeTrash(transaction, tables, before) {
  const { rows } = await transaction.query(
    `DELETE FROM ${tables.deletedResources} WHERE purge_after <= $1::timestamptz
     RETURNING tenant, resource_type, id, ${isoInstant("purge_after")} AS purge_after`,
    [before]
  );
  return rows.map(
    (row) => ({
      tenant: row.tenant,
      resourceType: row.resource_type,
      id: row.id,
      purgeAfter: row.purge_after
    })
  );
}
async function restoreFromTrash(transaction, tables, tenant2, resourceType, id, lastModified) {
  const { resources, memberships, deletedResources } = tables;
  const { rows } = await transaction.query(
    `DELETE FROM ${deletedResources} WHERE tenant = $1 AND resource_type = $2 AND id = $3
     RETURNING version, created, last_modified, data, unique_keys, members, member_of`,
    [tenant2, resourceType, id]
  );
  const trashed = rows[0];
  if (trashed === void 0) return void 0;
  const keys = parseJson(trashed.unique_keys);
  try {
    const { rows: restored } = await transaction.query(
      `INSERT INTO ${resources} (tenant, resource_type, id, version, created, last_modified, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
       RETURNING ${RECORD_COLUMNS}`,
      [
        tenant2,
        resourceType,
        id,
        Number(trashed.version) + 1,
        trashed.created,
        lastModified,
        json(parseJson(trashed.data))
      ]
    );
    await writeUniqueKeys(transaction, tables, tenant2, resourceType, id, keys);
    const { rows: members } = await transaction.query(
      `INSERT INTO ${memberships} (tenant, group_type, group_id, member_id, member_type, display)
       SELECT $1, $2, $3, live.id, member.item ->> 'type', member.item ->> 'display'
       FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS member(item, ordinal)
       JOIN ${resources} live ON live.tenant = $1 AND live.id = member.item ->> 'value'
       ORDER BY member.ordinal
       FOR KEY SHARE OF live
       ON CONFLICT (tenant, group_id, member_id) DO NOTHING
       RETURNING member_id, position`,
      [tenant2, resourceType, id, json(parseJson(trashed.members))]
    );
    const { rows: groups } = await transaction.query(
      `INSERT INTO ${memberships} (tenant, group_type, group_id, member_id, member_type, display)
       SELECT $1, live.resource_type, live.id, $2, belongs.item ->> 'type', belongs.item ->> 'display'
       FROM jsonb_array_elements($3::jsonb) AS belongs(item)
       JOIN ${resources} live ON live.tenant = $1
         AND live.resource_type = belongs.item ->> 'resourceType'
         AND live.id = belongs.item ->> 'id'
       FOR KEY SHARE OF live
       ON CONFLICT (tenant, group_id, member_id) DO NOTHING
       RETURNING group_type, group_id`,
      [tenant2, id, json(parseJson(trashed.member_of))]
    );
    return {
      ...toRecord(resourceType, restored[0]),
      restoredMembers: [...members].sort((left, right) => Number(left.position) - Number(right.position)).map((row) => row.member_id),
      rejoinedGroups: groups.map((row) => ({
        resourceType: row.group_type,
        id: row.group_id
      }))
    };
  } catch (error) {
    throw clientError(error, keys);
  }
}

// src/postgres-store.ts
var SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
function postgresStore(options) {
  if (options === null || typeof options !== "object") {
    throw new TypeError("postgresStore: options are required.");
  }
  const { client: client2 } = options;
  if (!isPostgresClient(client2)) {
    throw new TypeError(
      "postgresStore: `client` must be a pg Pool or a PGlite instance (query plus connect or transaction)."
    );
  }
  const schemaName = options.schema ?? "scimkit";
  if (typeof schemaName !== "string" || !SCHEMA_NAME.test(schemaName)) {
    throw new TypeError(
      "postgresStore: `schema` must be letters, digits and underscores (at most 63), not starting with a digit."
    );
  }
  if (options.preparedStatements !== void 0 && typeof options.preparedStatements !== "boolean") {
    throw new TypeError("postgresStore: `preparedStatements` must be a boolean.");
  }
  const named = isPgPool(client2) && options.preparedStatements !== false;
  const db = named ? withNamedStatements(client2) : client2;
  const transact = (callback) => inTransaction(
    client2,
    (connection) => callback(named ? withNamedStatements(connection) : connection)
  );
  const tables = tablesIn(schemaName);
  const { schema: schema2, resources, memberships, uniqueKeys } = tables;
  const sqlContext = (target2) => ({
    schema: schema2,
    row: "r",
    resourceType: target2.resourceType,
    membersAttribute: target2.membersAttribute,
    memberOfAttribute: target2.memberOfAttribute,
    displayAttributes: target2.displayAttributes
  });
  const store2 = {
    specificationVersion: STORE_SPECIFICATION_VERSION,
    schema: schemaName,
    // Judged with the query's own target, so whatever is claimed here compiles in
    // `query`: core's repository is the only in-memory fallback.
    capabilities: {
      filter: (filter, target2) => new FilterCompiler(sqlContext(target2), new SqlParameters()).compile(filter) !== void 0,
      sort: (path, target2) => compileSortKey(path, sqlContext(target2)) !== void 0,
      cursor: true
    },
    async migrate() {
      return { applied: await runMigrations(client2, schemaName, schema2) };
    },
    async create(tenant2, input) {
      try {
        if (input.members === void 0 || input.members.length === 0) {
          await db.query(
            `WITH inserted AS (
               INSERT INTO ${resources} (tenant, resource_type, id, version, created, last_modified, data)
               VALUES ($1, $2, $3, 1, $4, $4, $5::jsonb)
               RETURNING id
             )
             INSERT INTO ${uniqueKeys} (tenant, resource_type, attribute, value, id)
             SELECT $1, $2, key.attribute, key.value, inserted.id
             FROM inserted, jsonb_to_recordset($6::jsonb) AS key(attribute text, value text)`,
            [
              tenant2,
              input.resourceType,
              input.id,
              input.created,
              json(input.data),
              json(input.uniqueKeys)
            ]
          );
        } else {
          const members = input.members;
          await transact(async (transaction) => {
            await transaction.query(
              `INSERT INTO ${resources} (tenant, resource_type, id, version, created, last_modified, data)
               VALUES ($1, $2, $3, 1, $4, $4, $5::jsonb)`,
              [tenant2, input.resourceType, input.id, input.created, json(input.data)]
            );
            await writeUniqueKeys(
              transaction,
              tables,
              tenant2,
              input.resourceType,
              input.id,
              input.uniqueKeys
            );
            await insertMembers(transaction, tables, tenant2, input.resourceType, input.id, members);
          });
        }
      } catch (error) {
        throw clientError(error, input.uniqueKeys);
      }
      return {
        resourceType: input.resourceType,
        id: input.id,
        version: 1,
        created: input.created,
        lastModified: input.created,
        data: structuredClone(input.data)
      };
    },
    async get(tenant2, resourceType, id, getOptions) {
      if (hasNul(id)) return void 0;
      const { rows } = await db.query(
        `SELECT ${RECORD_COLUMNS} FROM ${resources}
         WHERE tenant = $1 AND resource_type = $2 AND id = $3`,
        [tenant2, resourceType, id]
      );
      const row = rows[0];
      if (row === void 0) return void 0;
      const record = toRecord(resourceType, row);
      if (getOptions?.includeMembers !== true) return record;
      const members = await readMembers(db, tables, tenant2, [id]);
      return { ...record, members: members.get(id) ?? [] };
    },
    async query(tenant2, query) {
      const context = sqlContext(query);
      const page = query.page;
      const sortId = query.sort === void 0 ? "id" : `${printPath(query.sort.path)} ${query.sort.order}`;
      let after;
      if (page.kind === "cursor" && page.cursor !== void 0) {
        const sortKind = query.sort === void 0 ? void 0 : compileSortKey(query.sort.path, context)?.kind;
        after = unwrap(decodeKeysetCursor(page.cursor, sortId, sortKind));
      }
      const count = page.kind === "all" ? void 0 : Math.max(0, Math.floor(page.count));
      const limit = count === void 0 || page.kind !== "cursor" ? count : count + 1;
      const offset = page.kind === "index" ? Math.max(1, Math.floor(page.startIndex)) - 1 : 0;
      const compiled = compileListQuery(
        {
          tenant: tenant2,
          filter: query.filter,
          sort: query.sort,
          ...limit === void 0 ? {} : { limit },
          offset,
          ...after === void 0 ? {} : { after }
        },
        context
      );
      if (compiled === void 0) {
        throw new TypeError("postgresStore: query() got a filter or sort it cannot compile.");
      }
      let rows;
      let totalResults;
      if (offset === 0 && after === void 0 && count !== 0) {
        rows = (await db.query(compiled.select.text, compiled.select.values)).rows;
        const complete = limit === void 0 || rows.length < limit;
        totalResults = complete ? rows.length : Number(
          (await db.query(compiled.count.text, compiled.count.values)).rows[0]?.total ?? 0
        );
      } else {
        const totalPromise = db.query(compiled.count.text, compiled.count.values);
        const rowsPromise = count === 0 ? Promise.resolve({ rows: [] }) : db.query(compiled.select.text, compiled.select.values);
        const [totalResult, rowsResult] = await Promise.all([totalPromise, rowsPromise]);
        totalResults = Number(totalResult.rows[0]?.total ?? 0);
        rows = rowsResult.rows;
      }
      let nextCursor;
      if (page.kind === "cursor" && count !== void 0 && rows.length > count) {
        rows = rows.slice(0, count);
        const last = rows[rows.length - 1];
        if (last !== void 0) {
          nextCursor = encodeKeysetCursor(sortId, { value: last.sort_key ?? null, id: last.id });
        }
      }
      let records = rows.map((row) => toRecord(query.resourceType, row));
      if (query.includeMembers === true) {
        const members = await readMembers(
          db,
          tables,
          tenant2,
          records.map((record) => record.id)
        );
        records = records.map((record) => ({ ...record, members: members.get(record.id) ?? [] }));
      }
      return { records, totalResults, ...nextCursor === void 0 ? {} : { nextCursor } };
    },
    async update(tenant2, input) {
      const { resourceType, id } = input;
      if (hasNul(id)) throw notFound(`Resource ${id} not found.`);
      try {
        if (input.data === void 0 && input.expectedVersion === void 0 && input.members !== void 0) {
          return await updateMembershipOnly(db, tables, tenant2, {
            resourceType,
            id,
            lastModified: input.lastModified,
            members: input.members
          });
        }
        return await transact(async (transaction) => {
          const { rows } = await transaction.query(
            `SELECT ${RECORD_COLUMNS} FROM ${resources}
             WHERE tenant = $1 AND resource_type = $2 AND id = $3 FOR UPDATE`,
            [tenant2, resourceType, id]
          );
          const current = rows[0];
          if (current === void 0) throw notFound(`Resource ${id} not found.`);
          const record = toRecord(resourceType, current);
          if (input.expectedVersion !== void 0 && input.expectedVersion !== record.version) {
            throw versionConflictError(id);
          }
          if (input.data !== void 0) {
            await transaction.query(
              `DELETE FROM ${uniqueKeys} WHERE tenant = $1 AND resource_type = $2 AND id = $3`,
              [tenant2, resourceType, id]
            );
            await writeUniqueKeys(
              transaction,
              tables,
              tenant2,
              resourceType,
              id,
              input.uniqueKeys ?? []
            );
          }
          let membership;
          if (input.members !== void 0) {
            const delta = input.members;
            const removed = [];
            if (delta.replaceAll === true) {
              const { rows: deleted } = await transaction.query(
                `DELETE FROM ${memberships} WHERE tenant = $1 AND group_id = $2
                 AND NOT (member_id = ANY (ARRAY(SELECT jsonb_array_elements_text($3::jsonb))))
                 RETURNING member_id`,
                [tenant2, id, json(delta.add.map((member) => member.value))]
              );
              for (const row of deleted) removed.push(row.member_id);
            }
            const added = await insertMembers(
              transaction,
              tables,
              tenant2,
              resourceType,
              id,
              delta.add
            );
            if (delta.remove.length > 0) {
              const { rows: deleted } = await transaction.query(
                `DELETE FROM ${memberships} WHERE tenant = $1 AND group_id = $2
                 AND member_id = ANY (ARRAY(SELECT jsonb_array_elements_text($3::jsonb)))
                 RETURNING member_id`,
                [tenant2, id, json(delta.remove)]
              );
              for (const row of deleted) removed.push(row.member_id);
            }
            membership = { added, removed };
          }
          const changed = input.data !== void 0 || membership !== void 0 && (membership.added.length > 0 || membership.removed.length > 0);
          if (!changed) return { ...record, ...membership === void 0 ? {} : { membership } };
          const { rows: updated } = await transaction.query(
            `UPDATE ${resources} SET version = version + 1, last_modified = $4,
               data = COALESCE($5::jsonb, data)
             WHERE tenant = $1 AND resource_type = $2 AND id = $3
             RETURNING ${RECORD_COLUMNS}`,
            [
              tenant2,
              resourceType,
              id,
              input.lastModified,
              input.data === void 0 ? null : json(input.data)
            ]
          );
          const next = toRecord(resourceType, updated[0]);
          return { ...next, ...membership === void 0 ? {} : { membership } };
        });
      } catch (error) {
        throw clientError(error, input.uniqueKeys ?? []);
      }
    },
    async delete(tenant2, resourceType, id) {
      if (hasNul(id)) return false;
      return transact(async (transaction) => {
        const { rows } = await transaction.query(
          `DELETE FROM ${resources} WHERE tenant = $1 AND resource_type = $2 AND id = $3 RETURNING id`,
          [tenant2, resourceType, id]
        );
        if (rows.length === 0) return false;
        await transaction.query(
          `DELETE FROM ${uniqueKeys} WHERE tenant = $1 AND resource_type = $2 AND id = $3`,
          [tenant2, resourceType, id]
        );
        await transaction.query(
          `DELETE FROM ${memberships} WHERE tenant = $1 AND (group_id = $2 OR member_id = $2)`,
          [tenant2, id]
        );
        return true;
      });
    },
    async softDelete(tenant2, resourceType, id, deleteOptions) {
      if (!isInstant(deleteOptions?.purgeAfter)) {
        throw new TypeError("postgresStore.softDelete: `purgeAfter` must be an ISO-8601 instant.");
      }
      if (hasNul(id)) return false;
      return transact(
        (transaction) => trashRecord(transaction, tables, tenant2, resourceType, id, deleteOptions.purgeAfter)
      );
    },
    async purgeDeleted(before) {
      if (!isInstant(before)) {
        throw new TypeError("postgresStore.purgeDeleted: `before` must be an ISO-8601 instant.");
      }
      return transact((transaction) => purgeTrash(transaction, tables, before));
    },
    async restoreDeleted(tenant2, resourceType, id, restoreOptions) {
      if (hasNul(id)) return void 0;
      return transact(
        (transaction) => restoreFromTrash(
          transaction,
          tables,
          tenant2,
          resourceType,
          id,
          restoreOptions.lastModified
        )
      );
    },
    async memberOf(tenant2, memberId, names = {}) {
      if (hasNul(memberId)) return [];
      const { rows } = await db.query(
        `SELECT m.group_type, m.group_id, ${groupDisplay({ schema: schema2, row: "g", resourceType: "", ...names }, "g")} #>> '{}' AS display
         FROM ${memberships} m JOIN ${resources} g
           ON g.tenant = m.tenant AND g.resource_type = m.group_type AND g.id = m.group_id
         WHERE m.tenant = $1 AND m.member_id = $2`,
        [tenant2, memberId]
      );
      return rows.map((row) => ({
        resourceType: row.group_type,
        id: row.group_id,
        ...row.display === null || row.display === void 0 ? {} : { display: row.display }
      }));
    },
    async resourceTypesOf(tenant2, allIds) {
      const ids = allIds.filter((id) => !hasNul(id));
      const found = /* @__PURE__ */ new Map();
      if (ids.length === 0) return found;
      const { rows } = await db.query(
        `SELECT id, resource_type FROM ${resources}
         WHERE tenant = $1 AND id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))`,
        [tenant2, json(ids)]
      );
      for (const row of rows) {
        const id = row.id;
        found.set(id, [...found.get(id) ?? [], row.resource_type]);
      }
      return found;
    }
  };
  return store2;
}

// test/fixtures/stream-writes.ts
var [mode, target, schema] = process.argv.slice(2);
if (target === void 0 || schema === void 0) throw new Error("usage: mode target schema");
var tenant = "durability";
var client = mode === "pglite" ? await PGlite.create({ dataDir: target }) : new pg.Pool({ connectionString: target, max: 2 });
var store = postgresStore({ client, schema });
await store.migrate();
await store.create(tenant, {
  resourceType: "Group",
  id: "group",
  created: (/* @__PURE__ */ new Date()).toISOString(),
  data: { displayName: "Everyone" },
  uniqueKeys: []
});
process.stdout.write("ready\n");
for (let index = 0; ; index += 1) {
  const id = `user-${index}`;
  await store.create(tenant, {
    resourceType: "User",
    id,
    created: (/* @__PURE__ */ new Date()).toISOString(),
    data: {
      userName: `user${index}`,
      emails: [{ value: `user${index}@example.com`, primary: true }]
    },
    uniqueKeys: [{ attribute: "userName", value: `user${index}` }]
  });
  process.stdout.write(`created ${id}
`);
  await store.update(tenant, {
    resourceType: "Group",
    id: "group",
    lastModified: (/* @__PURE__ */ new Date()).toISOString(),
    members: { add: [{ value: id, type: "User" }], remove: [] }
  });
  process.stdout.write(`member ${id}
`);
}
