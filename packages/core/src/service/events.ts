import type { ScimObject } from "../schema/types";

/**
 * Events the service emits after the store has committed a change, so the host
 * application can react at once (revoke the sessions of a suspended user,
 * recompute access when a group changes). A no-op request emits nothing.
 */

/** Fields every event carries. */
export interface ScimEventBase {
  /** The tenant whose data changed. */
  readonly tenant: string;
  /** The resource type id (`User`, `Group`, or a registered type). */
  readonly resourceType: string;
  /** The SCIM `id` of the changed resource. */
  readonly id: string;
}

/** A create or update: the resource as stored after the change (without group members). */
export interface ScimResourceEvent extends ScimEventBase {
  readonly resource: ScimObject;
}

/**
 * A group's policy name: its `displayName` trimmed and lower-cased, the stable
 * text an access policy can refer to (`group:engineering`). Apps that refer to
 * groups by policy name fail closed when it changes (see `group.renamed`).
 */
export const groupPolicyName = (displayName: string | undefined): string | undefined =>
  displayName?.trim().toLowerCase();

/** A Group create or update, with the group's policy name beside its ids. */
export interface GroupResourceEvent extends ScimResourceEvent {
  /** `groupPolicyName(displayName)`. */
  readonly policyName: string | undefined;
}

/** `group.renamed`: `displayName` changed; apps that refer to groups by name fail closed on it. */
export interface GroupRenamedEvent extends GroupResourceEvent {
  readonly previousDisplayName: string | undefined;
  readonly displayName: string | undefined;
  /** The policy name before the rename; equal to `policyName` when only the case changed. */
  readonly previousPolicyName: string | undefined;
}

/** `group.membersChanged`: exactly the member ids the store really inserted and deleted. */
export interface GroupMembersChangedEvent extends ScimEventBase {
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/**
 * `user.deleted`, `group.deleted`, `resource.deleted`: a DELETE committed; the
 * resource answers 404 from now on. `soft` says whether it went to the trash
 * (the service's `deletion.mode` "soft"), to be purged at `purgeAfter`.
 */
export type ScimDeletedEvent = ScimEventBase &
  (
    | { readonly soft: false; readonly purgeAfter?: undefined }
    | {
        readonly soft: true;
        /** ISO-8601 instant from which `purgeExpired` removes it for good. */
        readonly purgeAfter: string;
      }
  );

/** `user.purged`, `group.purged`, `resource.purged`: a soft-deleted resource is gone for good. */
export interface ScimPurgedEvent extends ScimEventBase {
  /** The instant it was due to be purged (at or before the purge). */
  readonly purgeAfter: string;
}

/** Every event name and its payload. */
export interface ScimEventMap {
  /** A User was created. */
  "user.created": ScimResourceEvent;
  /** A User's attributes changed (also emitted alongside deactivated/reactivated). */
  "user.updated": ScimResourceEvent;
  /** A User's `active` went from true (or unset) to false: suspend the account. */
  "user.deactivated": ScimResourceEvent;
  /** A User's `active` went from false to true: restore the account. */
  "user.reactivated": ScimResourceEvent;
  /**
   * A User was deleted (DELETE); it answers 404 from now on. In soft mode an
   * active user gets `user.deactivated` first, so suspension listeners suspend at once.
   */
  "user.deleted": ScimDeletedEvent;
  /** A soft-deleted User was removed for good by `purgeExpired`. */
  "user.purged": ScimPurgedEvent;
  /** A soft-deleted User was brought back by `restoreDeleted` (same id). */
  "user.restored": ScimResourceEvent;
  /** A Group was created (with `memberIds` of its initial members). */
  "group.created": GroupResourceEvent & { readonly memberIds: readonly string[] };
  /** A Group's attributes other than members changed. */
  "group.updated": GroupResourceEvent;
  /** A Group's `displayName` changed. */
  "group.renamed": GroupRenamedEvent;
  /** Members were added to or removed from a Group. */
  "group.membersChanged": GroupMembersChangedEvent;
  /** A Group was deleted. */
  "group.deleted": ScimDeletedEvent;
  /** A soft-deleted Group was removed for good by `purgeExpired`. */
  "group.purged": ScimPurgedEvent;
  /** A soft-deleted Group was brought back by `restoreDeleted` (same id). */
  "group.restored": GroupResourceEvent & {
    /** The members that came back with it (those that still exist). */
    readonly memberIds: readonly string[];
  };
  /** A resource of any other registered type was created. */
  "resource.created": ScimResourceEvent;
  /** A resource of any other registered type changed. */
  "resource.updated": ScimResourceEvent;
  /** A resource of any other registered type was deleted. */
  "resource.deleted": ScimDeletedEvent;
  /** A soft-deleted resource of any other type was removed for good. */
  "resource.purged": ScimPurgedEvent;
  /** A soft-deleted resource of any other type was brought back. */
  "resource.restored": ScimResourceEvent;
}

export type ScimEventName = keyof ScimEventMap;

// A key per event name, checked against ScimEventMap by `satisfies`, so the runtime
// list below cannot drift from the types when an event is added.
const EVENT_NAME_SET = {
  "user.created": true,
  "user.updated": true,
  "user.deactivated": true,
  "user.reactivated": true,
  "user.deleted": true,
  "user.purged": true,
  "user.restored": true,
  "group.created": true,
  "group.updated": true,
  "group.renamed": true,
  "group.membersChanged": true,
  "group.deleted": true,
  "group.purged": true,
  "group.restored": true,
  "resource.created": true,
  "resource.updated": true,
  "resource.deleted": true,
  "resource.purged": true,
  "resource.restored": true,
} as const satisfies Record<ScimEventName, true>;

/** Every event name the service emits, e.g. to subscribe a logger or an outbox to all. */
export const SCIM_EVENT_NAMES = Object.keys(EVENT_NAME_SET) as readonly ScimEventName[];

/** A listener may be async; a throw or rejection never fails the request (it goes to `onError`). */
export type ScimEventListener<K extends ScimEventName> = (
  event: ScimEventMap[K],
) => void | Promise<void>;

/** Subscribe to events; `on` returns a function that unsubscribes. */
export interface ScimEvents {
  on<K extends ScimEventName>(name: K, listener: ScimEventListener<K>): () => void;
  off<K extends ScimEventName>(name: K, listener: ScimEventListener<K>): void;
}

/** The emitter the service uses internally. */
export interface ScimEventEmitter extends ScimEvents {
  emit<K extends ScimEventName>(name: K, event: ScimEventMap[K]): void;
}

/**
 * Creates the typed emitter. Listeners run synchronously in subscription order
 * after the commit; a rejected promise is caught and reported, never awaited,
 * so a slow listener cannot delay the IdP's request.
 */
export function createEventEmitter(
  reportError: (error: unknown, name: ScimEventName) => void,
): ScimEventEmitter {
  const listeners = new Map<ScimEventName, Set<(event: never) => void | Promise<void>>>();
  const off = <K extends ScimEventName>(name: K, listener: ScimEventListener<K>) => {
    listeners.get(name)?.delete(listener as (event: never) => void);
  };
  return {
    on(name, listener) {
      if (typeof listener !== "function") {
        throw new TypeError(`scimkit: the listener for "${name}" must be a function.`);
      }
      let set = listeners.get(name);
      if (set === undefined) {
        set = new Set();
        listeners.set(name, set);
      }
      set.add(listener as (event: never) => void);
      return () => off(name, listener);
    },
    off,
    emit(name, event) {
      const set = listeners.get(name);
      if (set === undefined) return;
      for (const listener of [...set]) {
        try {
          const result = (listener as (event: unknown) => unknown)(event);
          if (result instanceof Promise) result.catch((error) => reportError(error, name));
        } catch (error) {
          reportError(error, name);
        }
      }
    },
  };
}
