import type { ServiceProviderConfigExtension } from "@scimkit/core";
import { type SecurityEventMode, securityEventUris } from "./scim-security-event";

/**
 * The `serviceProviderConfig` option of `createScimService` that advertises
 * security events as RFC 9967 §4 defines: `securityEvents` with `asyncRequest`
 * `"none"` (scimkit completes every request synchronously; `Prefer:
 * respond-async` is not offered) and `eventUris`, the SET event URIs this server
 * issues in the given modes. Stream registration is out of RFC 9967's scope:
 * receivers are configured out of band.
 *
 * ```ts
 * createScimService({ store, serviceProviderConfig: securityEventsConfig() });
 * ```
 */
export function securityEventsConfig(
  modes: readonly SecurityEventMode[] = ["full"],
): ServiceProviderConfigExtension {
  if (!Array.isArray(modes) || modes.some((mode) => mode !== "full" && mode !== "notice")) {
    throw new TypeError('scimkit: securityEventsConfig takes modes "full" and "notice".');
  }
  const eventUris = [...new Set(modes.flatMap((mode) => securityEventUris(mode)))];
  return { attributes: { securityEvents: { asyncRequest: "none", eventUris } } };
}
