import { memoryStore } from "@scimkit/store-memory";
import { describe, expect, it } from "vitest";
import { createScimService, type ScimServiceOptions } from "../src/service/create-scim-service";
import { setup } from "./service-harness";

const SPC = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const LIMITS = "urn:scimkit:params:scim:schemas:extension:limits:1.0:ServiceProviderConfig";
const EXTENSION = "urn:example:params:scim:schemas:extension:audit:1.0:ServiceProviderConfig";

const securityEvents = {
  asyncRequest: "none",
  eventUris: [
    "urn:ietf:params:scim:event:prov:create:full",
    "urn:ietf:params:scim:event:prov:delete",
  ],
};

const create = (serviceProviderConfig: unknown) => () =>
  createScimService({ store: memoryStore(), serviceProviderConfig } as ScimServiceOptions);

describe("serviceProviderConfig: what the host adds to /ServiceProviderConfig", () => {
  it("renders added attributes after the service's own, and extension URNs after its schemas", async () => {
    const { call } = setup({
      serviceProviderConfig: {
        attributes: { securityEvents, [EXTENSION]: { retentionDays: 30 } },
        schemas: [EXTENSION],
      },
    });
    const { status, body } = await call("GET", "/ServiceProviderConfig");
    expect(status).toBe(200);
    expect(body.schemas).toEqual([SPC, LIMITS, EXTENSION]);
    expect(body.securityEvents).toEqual(securityEvents);
    expect(body[EXTENSION]).toEqual({ retentionDays: 30 });
    // The service's own attributes are untouched, and meta stays last.
    expect(body.patch).toEqual({ supported: true });
    expect(Object.keys(body).at(-1)).toBe("meta");
  });

  it("renders nothing extra without the option", async () => {
    const { call } = setup();
    const { body } = await call("GET", "/ServiceProviderConfig");
    expect(body.schemas).toEqual([SPC, LIMITS]);
    expect(body.securityEvents).toBeUndefined();
  });

  it("copies the values once, so neither the host's object nor a response can change later ones", async () => {
    const attributes = {
      securityEvents: { ...securityEvents, eventUris: [...securityEvents.eventUris] },
    };
    const { call } = setup({ serviceProviderConfig: { attributes } });
    attributes.securityEvents.eventUris.push("urn:example:changed-later");
    const first = await call("GET", "/ServiceProviderConfig");
    first.body.securityEvents.eventUris.push("urn:example:changed-by-a-response");
    const second = await call("GET", "/ServiceProviderConfig");
    expect(second.body.securityEvents).toEqual(securityEvents);
  });

  it("refuses to replace what the service renders, in any case", () => {
    expect(create({ attributes: { patch: { supported: false } } })).toThrow(
      /may not set "patch": the service renders it/,
    );
    expect(create({ attributes: { Bulk: {} } })).toThrow(/may not set "Bulk"/);
    expect(create({ attributes: { meta: {} } })).toThrow(/may not set "meta"/);
    expect(create({ attributes: { [LIMITS]: {} } })).toThrow(/the service renders it/);
    expect(create({ attributes: { securityEvents, SecurityEvents: securityEvents } })).toThrow(
      /names "SecurityEvents" twice/,
    );
  });

  it("needs extension data's URN in schemas, URNs in schemas, and JSON values", () => {
    expect(create({ attributes: { [EXTENSION]: {} } })).toThrow(
      /list that URN in `serviceProviderConfig.schemas`/,
    );
    expect(create({ schemas: ["audit"] })).toThrow(/schemas\[0\]` must be a schema URN/);
    expect(create({ schemas: "urn:x" })).toThrow(/must be an array/);
    expect(create({ attributes: [] })).toThrow(
      /`serviceProviderConfig.attributes` must be an object/,
    );
    expect(create({ attributes: { big: 1n } })).toThrow(/must be JSON/);
    expect(create("securityEvents")).toThrow(/`serviceProviderConfig` must be an object/);
  });

  it("lists a core URN only once", async () => {
    const { call } = setup({
      serviceProviderConfig: { schemas: [SPC.toUpperCase(), EXTENSION, EXTENSION] },
    });
    const { body } = await call("GET", "/ServiceProviderConfig");
    expect(body.schemas).toEqual([SPC, LIMITS, EXTENSION]);
  });
});
