import type { AddressInfo } from "node:net";
import {
  createScimService,
  SCIM_EVENT_NAMES,
  type ScimEventMap,
  type ScimEventName,
  type ScimService,
  type ScimStore,
} from "@scimkit/core";
import { scimRouter } from "@scimkit/express";
import express from "express";

/** Every event name the service emits, so a test can record all of them. */
export const EVENT_NAMES = SCIM_EVENT_NAMES;

/** An event as recorded, in emission order. */
export type RecordedEvent = {
  [K in ScimEventName]: { readonly name: K; readonly event: ScimEventMap[K] };
}[ScimEventName];

export interface ScimServerOptions {
  readonly store: ScimStore;
  /** The service's `strict` option. @default false */
  readonly strict?: boolean;
  /** The service's `patchResponse` option. @default the service's default */
  readonly patchResponse?: "resource" | "noContent";
  /** Bearer token the IdP is configured with. @default "replay-token" */
  readonly token?: string;
  /** Tenant the token belongs to. @default "replay" */
  readonly tenant?: string;
  /** Mount path, the tenant URL's path. @default "/scim/v2" */
  readonly basePath?: string;
}

/** A running Express app with the SCIM router mounted, on an ephemeral 127.0.0.1 port. */
export interface ScimTestServer {
  readonly port: number;
  readonly origin: string;
  readonly basePath: string;
  readonly token: string;
  readonly service: ScimService;
  /** Events emitted so far, in order. */
  readonly events: RecordedEvent[];
  /** Errors the service or the router reported through `onError` (a 500's cause). */
  readonly unexpectedErrors: unknown[];
  close(): Promise<void>;
}

/** Boots `express()` + `scimRouter({ handler: createScimService(...).handle })`, as a user would. */
export async function startScimServer(options: ScimServerOptions): Promise<ScimTestServer> {
  const token = options.token ?? "replay-token";
  const basePath = options.basePath ?? "/scim/v2";
  const unexpectedErrors: unknown[] = [];
  const service = createScimService({
    store: options.store,
    ...(options.strict === undefined ? {} : { strict: options.strict }),
    ...(options.patchResponse === undefined ? {} : { patchResponse: options.patchResponse }),
    onError: (error) => unexpectedErrors.push(error),
  });
  const events: RecordedEvent[] = [];
  for (const name of EVENT_NAMES) {
    service.on(name, (event) => {
      events.push({ name, event } as RecordedEvent);
    });
  }
  const app = express();
  app.use(
    basePath,
    scimRouter({
      handler: service.handle,
      auth: { tokens: [{ token, tenant: options.tenant ?? "replay" }] },
      onError: (error) => unexpectedErrors.push(error),
    }),
  );
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    basePath,
    token,
    service,
    events,
    unexpectedErrors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
