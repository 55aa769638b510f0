import type { ScimEventMap, ScimEventName } from "../service/events";
import type { ChangeRecord } from "../store/contract";

/**
 * A committed change as a consumer receives it: its place in the tenant's feed
 * and the event it records, with exactly the fields `service.on` delivers.
 */
export type FeedChange = {
  [K in ScimEventName]: {
    /** The tenant's feed position: 1, 2, 3, ... gapless, in commit order. */
    readonly position: number;
    /** ISO-8601 time of the write. */
    readonly time: string;
    readonly type: K;
    readonly event: ScimEventMap[K];
  };
}[ScimEventName];

/** The consumer's view of a stored change record. */
export function toFeedChange(record: ChangeRecord): FeedChange {
  return {
    position: record.position,
    time: record.time,
    type: record.type as ScimEventName,
    event: Object.assign({}, record.data, {
      tenant: record.tenant,
      resourceType: record.resourceType,
      id: record.id,
    }) as never,
  };
}
