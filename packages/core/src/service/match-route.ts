/**
 * Maps a request path below the SCIM mount point to a route. Endpoint names
 * match case-insensitively (`/users` works) and one trailing slash is ignored
 * (`/Users/?filter=...` from Microsoft's test collection).
 */

/** The resource-type fields routing reads. */
export interface RoutableType {
  readonly id: string;
  /** e.g. `/Users`. */
  readonly endpoint: string;
}

export type Route =
  | { readonly kind: "serviceProviderConfig" }
  | { readonly kind: "schemas"; readonly id?: string }
  | { readonly kind: "resourceTypes"; readonly id?: string }
  | { readonly kind: "bulk" }
  | { readonly kind: "search" }
  | { readonly kind: "me"; readonly search: boolean }
  | { readonly kind: "collection"; readonly type: string }
  | { readonly kind: "collectionSearch"; readonly type: string }
  | { readonly kind: "resource"; readonly type: string; readonly id: string }
  | { readonly kind: "notFound" };

const FIXED: Readonly<Record<string, Route>> = {
  serviceproviderconfig: { kind: "serviceProviderConfig" },
  // RFC 7644 §4 names it /ServiceProviderConfig; some clients (Salesforce mode
  // in authentik, older drafts) ask for the plural.
  serviceproviderconfigs: { kind: "serviceProviderConfig" },
  schemas: { kind: "schemas" },
  resourcetypes: { kind: "resourceTypes" },
  bulk: { kind: "bulk" },
  ".search": { kind: "search" },
};

/** Builds a matcher over the registered resource types (endpoint -> type id). */
export function createRouteMatcher(types: readonly RoutableType[]): (path: string) => Route {
  const byEndpoint = new Map<string, string>();
  for (const type of types) {
    byEndpoint.set(type.endpoint.replace(/^\/+/, "").toLowerCase(), type.id);
  }
  return (path) => {
    let trimmed = path.startsWith("/") ? path.slice(1) : path;
    if (trimmed.endsWith("/")) trimmed = trimmed.slice(0, -1);
    const segments = trimmed.split("/");
    const [first = "", second, third] = segments;
    const head = first.toLowerCase();
    if (segments.length > 2 || first === "") {
      return { kind: "notFound" };
    }
    if (head === "me") {
      if (second === undefined) return { kind: "me", search: false };
      return second === ".search" ? { kind: "me", search: true } : { kind: "notFound" };
    }
    const fixed = FIXED[head];
    if (fixed !== undefined) {
      if (second === undefined) return fixed;
      if (fixed.kind === "schemas" || fixed.kind === "resourceTypes") {
        return { kind: fixed.kind, id: second };
      }
      return { kind: "notFound" };
    }
    const type = byEndpoint.get(head);
    if (type === undefined || third !== undefined) return { kind: "notFound" };
    if (second === undefined) return { kind: "collection", type };
    if (second === ".search") return { kind: "collectionSearch", type };
    if (second === "") return { kind: "notFound" };
    return { kind: "resource", type, id: second };
  };
}
