import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { PostgresClient } from "../src";

/** Real-database tests read only this variable; unset, they run on PGlite alone. */
export const DATABASE_URL = process.env.DATABASE_URL;

/** A schema name of its own per run, so parallel runs never collide. */
export const uniqueSchema = (prefix: string) => `${prefix}_${randomBytes(5).toString("hex")}`;

export interface Driver {
  readonly name: string;
  readonly client: PostgresClient;
  /** A second, independent client on the same database (PostgreSQL only). */
  readonly second?: PostgresClient;
  close(): Promise<void>;
  /** Drops a schema a test created. */
  dropSchema(schema: string): Promise<void>;
}

export async function openPglite(dataDir?: string): Promise<Driver> {
  const client = await PGlite.create(dataDir === undefined ? {} : { dataDir });
  return {
    name: "PGlite",
    client,
    close: () => client.close(),
    dropSchema: async (schema) => {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

export function openPostgres(url: string): Driver {
  const client = new pg.Pool({ connectionString: url, max: 8 });
  const second = new pg.Pool({ connectionString: url, max: 8 });
  return {
    name: "PostgreSQL",
    client,
    second,
    close: async () => {
      await Promise.all([client.end(), second.end()]);
    },
    dropSchema: async (schema) => {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

/** PGlite always; PostgreSQL too when DATABASE_URL is set. */
export const driverFactories: readonly (readonly [string, () => Promise<Driver> | Driver])[] = [
  ["PGlite", () => openPglite()],
  ...(DATABASE_URL === undefined
    ? []
    : [["PostgreSQL", () => openPostgres(DATABASE_URL)] as const]),
];
