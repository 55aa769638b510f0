import type { ScimResponse } from "./types";

/** What a handler reports about its request for the provisioning log. */
export interface RequestTrace {
  readonly resourceType?: string;
  readonly resourceId?: string;
  /** Names of the attributes the request changed (never values). */
  readonly changedAttributes?: readonly string[];
}

/** A handler's response with its trace; the service strips the trace before answering. */
export type TracedResponse = ScimResponse & { readonly trace?: RequestTrace };
