import { createHash } from "node:crypto";
import type { FeedChange } from "@scimkit/core";

const CHANGE_ID = /^([1-9][0-9]{0,15})_([0-9a-f]{24})$/;

/**
 * A stable identifier of one feed change: `<position>_<24 hex>`, the same on every
 * retry and every redelivery (after a restart, or by another instance), so a
 * receiver can deduplicate on it. The hash covers the tenant and what the record
 * can never change (its time, type and resource), so a tenant whose feed starts
 * over at position 1 (deleted and created again) never reuses an identifier.
 * It is the Standard Webhooks `webhook-id` (after `msg_`) and the SET `jti`.
 */
export function changeId(change: FeedChange): string {
  const { event } = change;
  const hash = createHash("sha256")
    .update(
      JSON.stringify([
        event.tenant,
        change.position,
        change.time,
        change.type,
        event.resourceType,
        event.id,
      ]),
    )
    .digest("hex");
  return `${change.position}_${hash.slice(0, 24)}`;
}

/** The feed position a `changeId` names, or `undefined` when it is not one. */
export function positionOfChangeId(value: string): number | undefined {
  const match = CHANGE_ID.exec(value);
  return match === null ? undefined : Number(match[1]);
}
