import type { FeedChange } from "@scimkit/core";
import { changeId } from "../change-id";
import { positiveInteger } from "../http-delivery";
import { createSetSigner, type SetSigningKey } from "./jws";
import { type SecurityEventMode, scimSecurityEvent } from "./scim-security-event";

/** Where a resource type is served, e.g. `service.registry` (any `resourceType(name)` with an `endpoint`). */
export interface ResourceTypeEndpoints {
  resourceType(name: string): { readonly endpoint: string } | undefined;
}

/** Options of `createSecurityEventIssuer` (and of the push and poll transmitters). */
export interface SecurityEventIssuerOptions {
  /**
   * The `iss` claim: the service provider's base URI, per tenant when tenants have
   * their own (`sub_id.uri` is relative to it, RFC 9967 §2.1).
   */
  readonly issuer: string | ((tenant: string) => string);
  /** The `aud` claim (RFC 8417: RECOMMENDED), per tenant if needed. @default none */
  readonly audience?:
    | string
    | readonly string[]
    | ((tenant: string) => string | readonly string[] | undefined);
  /** How SETs are signed; see `SetSigningKey`. Unsigned SETs are not offered. */
  readonly signing: SetSigningKey;
  /** "full" (events carry the resource) or "notice" (attribute names only). @default "full" */
  readonly mode?: SecurityEventMode;
  /**
   * Endpoints of the resource types, for `sub_id.uri`; pass `service.registry` when
   * you register your own types. @default `/Users`, `/Groups`, else `/<resourceType>`
   */
  readonly resourceTypes?: ResourceTypeEndpoints;
  /**
   * Largest SET in characters. A larger "full" SET is issued in notice form (RFC
   * 9967 §5 advises notices for large groups). @default 1048576
   */
  readonly maxTokenBytes?: number;
  /** The clock for `iat`, in milliseconds; for tests. @default Date.now */
  readonly now?: () => number;
}

/** One issued SET. */
export interface IssuedSecurityEvent {
  /** The `jti`: `changeId(change)`, the same on every retransmission. */
  readonly jti: string;
  readonly token: string;
}

const BUILT_IN: Readonly<Record<string, string>> = { user: "/Users", group: "/Groups" };

/**
 * Turns feed changes into signed RFC 9967 SETs (RFC 8417): claims `iss`, `iat`,
 * `jti` and `txn` (both `changeId(change)`, stable across retransmissions),
 * `toe` (the write's time), `aud` when configured, `sub_id` (`format: "scim"`,
 * `uri`, `id`, `externalId` when known) and `events`; never `sub` or `exp`. JOSE
 * header `typ: secevent+jwt`. Resolves `undefined` for changes RFC 9967 has no
 * event for.
 */
export function createSecurityEventIssuer(options: SecurityEventIssuerOptions): {
  issue(change: FeedChange): IssuedSecurityEvent | undefined;
} {
  if (options === null || typeof options !== "object") {
    throw new TypeError("scimkit: security events need options with `issuer` and `signing`.");
  }
  const { issuer, audience } = options;
  if (typeof issuer !== "function" && (typeof issuer !== "string" || issuer === "")) {
    throw new TypeError("scimkit: `issuer` must be a string or a function of the tenant.");
  }
  if (
    audience !== undefined &&
    typeof audience !== "function" &&
    typeof audience !== "string" &&
    !(Array.isArray(audience) && audience.every((value) => typeof value === "string"))
  ) {
    throw new TypeError(
      "scimkit: `audience` must be a string, strings, or a function of the tenant.",
    );
  }
  const mode = options.mode ?? "full";
  if (mode !== "full" && mode !== "notice") {
    throw new TypeError('scimkit: `mode` must be "full" or "notice".');
  }
  const signer = createSetSigner(options.signing);
  const maxTokenBytes = positiveInteger(options.maxTokenBytes, "maxTokenBytes", 1_048_576);
  const now = options.now ?? Date.now;
  const registry = options.resourceTypes;
  const endpointOf = (resourceType: string) =>
    registry?.resourceType(resourceType)?.endpoint ??
    BUILT_IN[resourceType.toLowerCase()] ??
    `/${encodeURIComponent(resourceType)}`;

  const sign = (change: FeedChange, form: SecurityEventMode) => {
    const described = scimSecurityEvent(change, form, endpointOf);
    if (described === undefined) return undefined;
    const { tenant } = change.event;
    const jti = changeId(change);
    const aud = typeof audience === "function" ? audience(tenant) : audience;
    return {
      jti,
      token: signer.sign({
        iss: typeof issuer === "function" ? issuer(tenant) : issuer,
        iat: Math.floor(now() / 1000),
        jti,
        ...(aud === undefined ? {} : { aud }),
        txn: jti,
        toe: Math.floor(Date.parse(change.time) / 1000),
        sub_id: described.subId,
        events: described.events,
      }),
    };
  };

  return {
    issue(change) {
      const issued = sign(change, mode);
      if (issued === undefined || mode === "notice" || issued.token.length <= maxTokenBytes) {
        return issued;
      }
      return sign(change, "notice");
    },
  };
}
