import type { Trace } from "../trace";
import { LIST_RESPONSE, PATCH_OP, SCIM_JSON, USER } from "./urns";

/** The headers Google's provisioning client is reported to send [pond/scimitar#142]. */
const GOOGLE_HEADERS = {
  "User-Agent": "Google-Auto-Provisioning",
  "Content-Type": "application/json",
} as const;

/**
 * Google Workspace automated user provisioning. Google documents no request
 * shapes; what is known from third parties is its `application/json` content
 * type [pond/scimitar#142] and a `GET /Users?count=1` probe [G3, unverified].
 * Create, suspend and delete use plain RFC 7644 shapes (an assumption: Google
 * syncs "active, suspended or deleted users" [G1]).
 */
export const googleWorkspace: Trace = {
  id: "google",
  client: "Google Workspace (automated user provisioning)",
  description:
    "application/json on every body, the count=1 probe, create, suspend by PATCH, delete.",
  steps: [
    {
      name: "probe: GET /Users?count=1",
      source: "[G3] (unverified third-party guide)",
      request: { method: "GET", path: "/Users?count=1", headers: GOOGLE_HEADERS },
      expect: {
        status: 200,
        headers: { "content-type": SCIM_JSON },
        body: [
          { pointer: "/schemas", equals: [LIST_RESPONSE] },
          { pointer: "/totalResults", equals: 0 },
        ],
      },
    },
    {
      name: "create with Content-Type application/json",
      source: "[pond/scimitar#142] application/json, not application/scim+json",
      request: {
        method: "POST",
        path: "/Users",
        headers: GOOGLE_HEADERS,
        body: {
          schemas: [USER],
          userName: "alex@example.com",
          name: { givenName: "Alex", familyName: "Kim" },
          emails: [{ value: "alex@example.com", type: "work", primary: true }],
          active: true,
        },
      },
      expect: {
        status: 201,
        headers: { "content-type": SCIM_JSON },
        body: [{ pointer: "/userName", equals: "alex@example.com" }],
      },
      capture: { userId: "/id" },
    },
    {
      name: "probe again finds one user",
      source: "[G3]",
      request: { method: "GET", path: "/Users?count=1", headers: GOOGLE_HEADERS },
      expect: {
        status: 200,
        body: [
          { pointer: "/totalResults", equals: 1 },
          { pointer: "/itemsPerPage", equals: 1 },
        ],
      },
    },
    {
      name: "suspend with application/json",
      source: "[G1] suspended users sync (RFC 7644 PATCH shape assumed)",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}",
        headers: GOOGLE_HEADERS,
        body: {
          schemas: [PATCH_OP],
          Operations: [{ op: "replace", path: "active", value: false }],
        },
      },
      expect: { status: [200, 204] },
    },
    {
      name: "the suspended user is still there",
      source: "check",
      kind: "check",
      request: { method: "GET", path: "/Users/{{userId}}" },
      expect: { status: 200, body: [{ pointer: "/active", equals: false }] },
    },
    {
      name: "delete",
      source: "[G1] deleted users sync (DELETE assumed)",
      request: {
        method: "DELETE",
        path: "/Users/{{userId}}",
        headers: { "User-Agent": "Google-Auto-Provisioning" },
      },
      expect: { status: 204 },
    },
  ],
};
