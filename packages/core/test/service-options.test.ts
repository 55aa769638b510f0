import { memoryStore } from "@scimkit/store-memory";
import { describe, expect, it } from "vitest";
import { createSchemaRegistry } from "../src/schema/create-schema-registry";
import { createScimService, type ScimServiceOptions } from "../src/service/create-scim-service";
import { BASE_URL, setup } from "./service-harness";

const create = (options: unknown) => () => createScimService(options as ScimServiceOptions);

describe("createScimService options", () => {
  it("needs a store that implements the current contract", () => {
    expect(create(undefined)).toThrow(TypeError);
    expect(create({})).toThrow(/`store` is required/);
    expect(
      create({ store: { ...memoryStore(), specificationVersion: "scimkit-store-0" } }),
    ).toThrow(/implements "scimkit-store-0"/);
    expect(create({ store: { ...memoryStore(), query: undefined } })).toThrow(/store.query/);
  });

  it("names the option that is wrong", () => {
    const store = memoryStore();
    expect(create({ store, strict: "yes" })).toThrow(/`strict` must be a boolean/);
    expect(create({ store, patchResponse: "none" })).toThrow(/`patchResponse`/);
    expect(create({ store, limits: { maxPatchOperations: 0 } })).toThrow(/maxPatchOperations/);
    expect(create({ store, limits: { bulk: { maxOperations: 1.5 } } })).toThrow(
      /bulk.maxOperations/,
    );
    expect(create({ store, limits: { maxPageSize: 10, defaultPageSize: 20 } })).toThrow(
      /defaultPageSize.*must not exceed/,
    );
    expect(create({ store, pagination: { cursor: true }, limits: {} })).not.toThrow();
    expect(create({ store, authenticationSchemes: [{ type: "oauthbearertoken" }] })).toThrow(
      /authenticationSchemes\[0\]\.name/,
    );
    expect(create({ store, me: "alice" })).toThrow(/`me` must be a function/);
    expect(create({ store, onError: 1 })).toThrow(/`onError` must be a function/);
  });

  it("refuses cursor pagination on a store that cannot page by cursor", () => {
    const store = { ...memoryStore(), capabilities: {} };
    expect(create({ store, pagination: { cursor: true } })).toThrow(/capabilities.cursor/);
  });

  it("takes a registry or schema options, not both", () => {
    const registry = createSchemaRegistry();
    expect(create({ store: memoryStore(), registry })).not.toThrow();
    expect(create({ store: memoryStore(), registry, schemas: [] })).toThrow(/either `registry`/);
    expect(
      create({
        store: memoryStore(),
        resourceTypes: [
          {
            id: "Device",
            name: "Device",
            endpoint: "/Devices",
            schema: "urn:x:Device",
            schemaExtensions: [],
          },
        ],
      }),
    ).toThrow(/scimkit: .*urn:x:Device/);
  });

  it("advertises every limit in /ServiceProviderConfig", async () => {
    const { call } = setup({
      limits: {
        maxPatchOperations: 7,
        maxPageSize: 50,
        defaultPageSize: 25,
        filter: { maxLength: 300, maxDepth: 9 },
        bulk: { maxOperations: 11, maxPayloadSize: 2048 },
      },
      documentationUri: "https://docs.example.com/scim",
    });
    const response = await call("GET", "/ServiceProviderConfig");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      schemas: [
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
        "urn:scimkit:params:scim:schemas:extension:limits:1.0:ServiceProviderConfig",
      ],
      documentationUri: "https://docs.example.com/scim",
      // Core attributes exactly as RFC 7643 §5 defines them; strict clients reject others.
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 11, maxPayloadSize: 2048 },
      filter: { supported: true, maxResults: 50 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      pagination: {
        cursor: true,
        index: true,
        defaultPaginationMethod: "index",
        defaultPageSize: 25,
        maxPageSize: 50,
        cursorTimeout: 3600,
      },
      authenticationSchemes: [expect.objectContaining({ type: "oauthbearertoken", primary: true })],
      "urn:scimkit:params:scim:schemas:extension:limits:1.0:ServiceProviderConfig": {
        patchMaxOperations: 7,
        filterMaxLength: 300,
        filterMaxDepth: 9,
      },
      meta: {
        resourceType: "ServiceProviderConfig",
        location: `${BASE_URL}/ServiceProviderConfig`,
      },
    });
  });

  it("enforces the limits it advertises", async () => {
    const { call, createUser } = setup({
      limits: { maxPatchOperations: 2, maxPageSize: 2, filter: { maxLength: 20 } },
    });
    for (const name of ["a", "b", "c"]) await createUser(name);
    const page = await call("GET", "/Users", undefined, { query: { count: "100" } });
    expect(page.body).toMatchObject({ totalResults: 3, itemsPerPage: 2 });
    const long = await call("GET", "/Users", undefined, {
      query: { filter: 'userName eq "a-very-long-user-name"' },
    });
    expect(long.status).toBe(400);
    expect(long.body.scimType).toBe("invalidFilter");
    const user = await createUser("d");
    const operation = { op: "replace", path: "title", value: "x" };
    const tooMany = await call("PATCH", `/Users/${user.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [operation, operation, operation],
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.scimType).toBe("tooMany");
  });
});
