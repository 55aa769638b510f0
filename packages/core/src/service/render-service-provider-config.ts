import { SERVICE_PROVIDER_CONFIG_SCHEMA } from "../schema/urns";
import type { ResolvedBaseOptions } from "./options";

/**
 * `/ServiceProviderConfig` (RFC 7643 §5, RFC 9865 §4) describing what this
 * service really does, with every configured limit. Limits RFC 7643 has no
 * attribute for (PATCH operations, filter length and depth) are advertised as
 * extra members of the feature they bound; clients ignore members they do not know.
 */
export function renderServiceProviderConfig(
  options: ResolvedBaseOptions,
  baseUrl: string,
): Record<string, unknown> {
  const { limits, pagination } = options;
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    ...(options.documentationUri === undefined
      ? {}
      : { documentationUri: options.documentationUri }),
    patch: { supported: true, maxOperations: limits.maxPatchOperations },
    bulk: {
      supported: true,
      maxOperations: limits.bulk.maxOperations,
      maxPayloadSize: limits.bulk.maxPayloadSize,
    },
    filter: {
      supported: true,
      maxResults: limits.maxPageSize,
      maxLength: limits.filter.maxLength,
      maxDepth: limits.filter.maxDepth,
    },
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
    meta: {
      resourceType: "ServiceProviderConfig",
      location: `${baseUrl}/ServiceProviderConfig`,
    },
  };
}
