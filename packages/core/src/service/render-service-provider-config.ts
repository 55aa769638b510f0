import { SCIMKIT_LIMITS_SCHEMA, SERVICE_PROVIDER_CONFIG_SCHEMA } from "../schema/urns";
import type { ResolvedBaseOptions } from "./options";

/**
 * `/ServiceProviderConfig` (RFC 7643 §5, RFC 9865 §4) describing what this
 * service really does, with every configured limit. The core attributes are
 * exactly those the RFCs define (strict clients reject others); limits RFC 7643
 * has no attribute for (PATCH operations, filter length and depth) live under
 * scimkit's own extension, `SCIMKIT_LIMITS_SCHEMA`, served on `/Schemas`.
 */
export function renderServiceProviderConfig(
  options: ResolvedBaseOptions,
  baseUrl: string,
): Record<string, unknown> {
  const { limits, pagination } = options;
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA, SCIMKIT_LIMITS_SCHEMA],
    ...(options.documentationUri === undefined
      ? {}
      : { documentationUri: options.documentationUri }),
    patch: { supported: true },
    bulk: {
      supported: true,
      maxOperations: limits.bulk.maxOperations,
      maxPayloadSize: limits.bulk.maxPayloadSize,
    },
    filter: { supported: true, maxResults: limits.maxPageSize },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    pagination: {
      cursor: pagination.cursor,
      index: true,
      defaultPaginationMethod: "index",
      defaultPageSize: limits.defaultPageSize,
      maxPageSize: limits.maxPageSize,
      ...(pagination.cursor ? { cursorTimeout: pagination.cursorTimeout } : {}),
    },
    authenticationSchemes: options.authenticationSchemes,
    [SCIMKIT_LIMITS_SCHEMA]: {
      patchMaxOperations: limits.maxPatchOperations,
      filterMaxLength: limits.filter.maxLength,
      filterMaxDepth: limits.filter.maxDepth,
    },
    meta: {
      resourceType: "ServiceProviderConfig",
      location: `${baseUrl}/ServiceProviderConfig`,
    },
  };
}
