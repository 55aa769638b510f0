import type { ScimService } from "@scimkit/core";
import type { AdapterRequest } from "./adapter-types";
import { type OptionsOwner, resolveOptions } from "./options";
import { createPipeline, type Pipeline } from "./pipeline";
import { scimEndpoint } from "./scim-endpoint";

/** The SCIM endpoint for an adapter: validated options, the service, and `serve`. */
export interface ScimHttp<Raw> {
  /** The service the layer created, when the options named a `store`. */
  readonly service: ScimService | undefined;
  /** Serves one request; never rejects. `undefined`: the client went away, write nothing. */
  readonly serve: Pipeline<Raw>;
}

/**
 * Validates SCIM handler options (TypeErrors name `owner.factory` and the option)
 * and returns the shared pipeline for an adapter to feed with `AdapterRequest`s.
 */
export function createScimHttp<Raw>(options: unknown, owner: OptionsOwner): ScimHttp<Raw> {
  const resolved = resolveOptions<Raw>(options, owner);
  const serve: (request: AdapterRequest<Raw>) => ReturnType<Pipeline<Raw>> = createPipeline(
    scimEndpoint(resolved),
  );
  return { service: resolved.service, serve };
}
