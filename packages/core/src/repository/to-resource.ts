import type { ResourceTypeDefinition, ScimObject } from "../schema/types";
import type { GroupRef, MemberRef, StoredRecord } from "../store/contract";

/** Options of `toResource`. */
export interface ToResourceOptions {
  /**
   * Absolute URL of the SCIM mount point without a trailing slash; `meta.location`
   * and `$ref` values start with it. Absent: no `location` and no `$ref`.
   */
  readonly baseUrl?: string;
  /** The record's groups; rendered as the type's `memberOfAttribute` (User `groups`). */
  readonly memberOf?: readonly GroupRef[];
  /** The endpoint (`/Users`) of a resource type id, for `$ref` values. */
  readonly endpointOf?: (resourceType: string) => string | undefined;
}

/** What `toResource` reads of a resource type; a `ResourceTypeDefinition` fits. */
export type ResourceLayout = Partial<
  Pick<ResourceTypeDefinition, "endpoint" | "membersAttribute" | "memberOfAttribute">
>;

/** The weak ETag of a record version (RFC 7644 §3.14): `W/"<version>"`. */
export const versionTag = (version: number): string => `W/"${version}"`;

const location = (baseUrl: string | undefined, endpoint: string | undefined, id: string) =>
  baseUrl === undefined || endpoint === undefined
    ? undefined
    : `${baseUrl}${endpoint}/${encodeURIComponent(id)}`;

/**
 * The SCIM resource JSON of a stored record: `data` with `id`, the membership
 * relation under `membersAttribute` (when the record carries members), the
 * groups under `memberOfAttribute` (when `memberOf` is given) and a complete
 * `meta`. Empty relations are omitted (RFC 7643 §2.5: empty is unassigned).
 * Without `baseUrl` the result is the view filters are evaluated against.
 * The result shares nested values with `record.data`; copy before mutating.
 */
export function toResource(
  record: StoredRecord,
  resourceType: ResourceLayout,
  options: ToResourceOptions = {},
): ScimObject {
  const { baseUrl, memberOf, endpointOf } = options;
  const resource: ScimObject = Object.assign({}, record.data);
  resource.id = record.id;
  // `delete` turns an object into a slow dictionary; stored data normally lacks these keys.
  if (resourceType.membersAttribute !== undefined) {
    if (resourceType.membersAttribute in resource) delete resource[resourceType.membersAttribute];
    if (record.members !== undefined && record.members.length > 0) {
      resource[resourceType.membersAttribute] = record.members.map((member: MemberRef) => {
        const ref = location(baseUrl, endpointOf?.(member.type), member.value);
        return {
          value: member.value,
          ...(ref === undefined ? {} : { $ref: ref }),
          type: member.type,
          ...(member.display === undefined ? {} : { display: member.display }),
        };
      });
    }
  }
  if (resourceType.memberOfAttribute !== undefined) {
    if (resourceType.memberOfAttribute in resource) {
      delete resource[resourceType.memberOfAttribute];
    }
    if (memberOf !== undefined && memberOf.length > 0) {
      resource[resourceType.memberOfAttribute] = memberOf.map((group) => {
        const ref = location(baseUrl, endpointOf?.(group.resourceType), group.id);
        return {
          value: group.id,
          ...(ref === undefined ? {} : { $ref: ref }),
          ...(group.display === undefined ? {} : { display: group.display }),
          type: "direct",
        };
      });
    }
  }
  const recordLocation = location(baseUrl, resourceType.endpoint, record.id);
  const version = versionTag(record.version);
  // Two literals rather than a spread: every rendered resource passes here.
  resource.meta =
    recordLocation === undefined
      ? {
          resourceType: record.resourceType,
          created: record.created,
          lastModified: record.lastModified,
          version,
        }
      : {
          resourceType: record.resourceType,
          created: record.created,
          lastModified: record.lastModified,
          location: recordLocation,
          version,
        };
  return resource;
}
