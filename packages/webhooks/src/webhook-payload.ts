import type { FeedChange, ScimEventName } from "@scimkit/core";

/**
 * A Standard Webhooks body: the event name, when the change was committed, and
 * the event's fields exactly as `service.on` delivers them (`tenant`,
 * `resourceType`, `id` first).
 */
export interface WebhookPayload {
  /** The scimkit event name, e.g. `user.deactivated`. */
  readonly type: ScimEventName;
  /** ISO-8601 time of the write (not of this delivery attempt). */
  readonly timestamp: string;
  readonly data: {
    readonly tenant: string;
    readonly resourceType: string;
    readonly id: string;
    /**
     * Set when the full event was larger than `maxPayloadBytes`: only the ids are
     * sent, and the receiver reads the resource from the SCIM API or its own copy.
     */
    readonly thin?: true;
    readonly [field: string]: unknown;
  };
}

/** The JSON body of a change, and whether it had to be thinned to fit `maxBytes`. */
export function webhookBody(change: FeedChange, maxBytes: number): string {
  const { tenant, resourceType, id, ...fields } = change.event;
  const full = JSON.stringify({
    type: change.type,
    timestamp: change.time,
    data: { tenant, resourceType, id, ...fields },
  });
  if (Buffer.byteLength(full) <= maxBytes) return full;
  return JSON.stringify({
    type: change.type,
    timestamp: change.time,
    data: { tenant, resourceType, id, thin: true },
  });
}
