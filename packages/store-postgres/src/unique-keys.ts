import type { UniqueKey } from "@scimkit/core";
import type { Queryable } from "./client";
import { json, type Tables } from "./rows";

/** Inserts a record's unique keys; a key another record holds fails with 23505. */
export async function writeUniqueKeys(
  transaction: Queryable,
  tables: Tables,
  tenant: string,
  resourceType: string,
  id: string,
  keys: readonly UniqueKey[],
): Promise<void> {
  if (keys.length === 0) return;
  await transaction.query(
    `INSERT INTO ${tables.uniqueKeys} (tenant, resource_type, attribute, value, id)
     SELECT $1, $2, key.attribute, key.value, $3
     FROM jsonb_to_recordset($4::jsonb) AS key(attribute text, value text)`,
    [tenant, resourceType, id, json(keys)],
  );
}
