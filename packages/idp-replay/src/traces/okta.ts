import type { Trace } from "../trace";
import { ERROR, GROUP, LIST_RESPONSE, PATCH_OP, SCIM_JSON, USER } from "./urns";

const patch = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });

/** The headers Okta's SCIM client sends [O5]. */
const OKTA_HEADERS = {
  "User-Agent": "Okta SCIM Client 1.0.0",
  Accept: "application/scim+json",
  "Content-Type": "application/scim+json; charset=utf-8",
} as const;

const ISABELLA = {
  schemas: [USER],
  userName: "isabella.jones@example.com",
  name: { givenName: "Isabella", familyName: "Jones" },
  emails: [{ primary: true, value: "isabella.jones@example.com", type: "work" }],
  displayName: "Isabella Jones",
  locale: "en-US",
  externalId: "00u1dhhb1fkIGP7RL1d8",
  groups: [],
  password: "1mz050nq",
  active: true,
};

/**
 * Okta, OIN SCIM 2.0 template: connect, percent-encoded lookups with
 * startIndex/count, create with password, profile update by GET + PUT, deactivate
 * and reactivate by no-path PATCH, import pages, Group Push (members without
 * `type`, rename with the read-only `id` inside the value, full replace, empty
 * push), group delete. Okta never sends DELETE for users [O1].
 */
export const oktaOin: Trace = {
  id: "okta-oin",
  client: "Okta (OIN SCIM 2.0 template)",
  description:
    "The OIN lifecycle from Okta's SCIM 2.0 reference and spec test; every request carries Okta's headers.",
  steps: [
    {
      name: "connect: first users page",
      source: "[O2] GET /Users?startIndex=1&count=2",
      request: { method: "GET", path: "/Users?startIndex=1&count=2", headers: OKTA_HEADERS },
      expect: {
        status: 200,
        headers: { "content-type": SCIM_JSON },
        body: [
          { pointer: "/schemas", equals: [LIST_RESPONSE] },
          { pointer: "/totalResults", equals: 0 },
          { pointer: "/startIndex", equals: 1 },
          { pointer: "/itemsPerPage", equals: 0 },
        ],
      },
    },
    {
      name: "connect: first groups page",
      source: "[O2] GET /Groups?startIndex=1&count=100",
      request: { method: "GET", path: "/Groups?startIndex=1&count=100", headers: OKTA_HEADERS },
      expect: { status: 200, body: [{ pointer: "/totalResults", equals: 0 }] },
    },
    {
      name: "lookup before create answers 200 with no results, not 404",
      source: "[O1] percent-encoded filter with startIndex/count",
      request: {
        method: "GET",
        path: "/Users?filter=userName%20eq%20%22isabella.jones%40example.com%22&startIndex=1&count=100",
        headers: OKTA_HEADERS,
      },
      expect: {
        status: 200,
        body: [
          { pointer: "/totalResults", equals: 0 },
          { pointer: "/startIndex", equals: 1 },
        ],
      },
    },
    {
      name: "create with password and groups: []",
      source: "[O1] create user",
      request: { method: "POST", path: "/Users", headers: OKTA_HEADERS, body: ISABELLA },
      expect: {
        status: 201,
        body: [
          { pointer: "/userName", equals: "isabella.jones@example.com" },
          { pointer: "/active", equals: true },
          { pointer: "/externalId", equals: "00u1dhhb1fkIGP7RL1d8" },
          { pointer: "/password", absent: true },
          { pointer: "/id", present: true },
        ],
      },
      capture: { userId: "/id" },
    },
    {
      name: "a duplicate create answers 409 uniqueness",
      source: "[O1] [O4] duplicate -> 409",
      request: { method: "POST", path: "/Users", headers: OKTA_HEADERS, body: ISABELLA },
      expect: {
        status: 409,
        body: [
          { pointer: "/schemas", equals: [ERROR] },
          { pointer: "/status", equals: "409" },
          { pointer: "/scimType", equals: "uniqueness" },
        ],
      },
    },
    {
      name: "lookup with an upper-cased userName matches case-insensitively",
      source: "[O4] spec test",
      request: {
        method: "GET",
        path: "/Users?filter=userName%20eq%20%22ISABELLA.JONES%40EXAMPLE.COM%22&startIndex=1&count=100",
        headers: OKTA_HEADERS,
      },
      expect: {
        status: 200,
        body: [
          { pointer: "/totalResults", equals: 1 },
          { pointer: "/Resources/0/id", equals: "{{userId}}" },
        ],
      },
    },
    {
      name: "an unknown id answers 404 with an error body",
      source: "[O4] spec test",
      request: {
        method: "GET",
        path: "/Users/010101001010101010101010101010101",
        headers: OKTA_HEADERS,
      },
      expect: {
        status: 404,
        body: [
          { pointer: "/schemas", equals: [ERROR] },
          { pointer: "/status", equals: "404" },
          { pointer: "/detail", present: true },
        ],
      },
    },
    {
      name: "a wrong token answers 401 with an error body",
      source: "[O4] spec test",
      request: {
        method: "GET",
        path: "/Users?startIndex=1&count=1",
        headers: { ...OKTA_HEADERS, Authorization: "Bearer not-the-token" },
      },
      expect: {
        status: 401,
        body: [
          { pointer: "/schemas", equals: [ERROR] },
          { pointer: "/status", equals: "401" },
          { pointer: "/detail", present: true },
        ],
      },
    },
    {
      name: "profile update: GET the user",
      source: "[O1] update = GET then PUT",
      request: { method: "GET", path: "/Users/{{userId}}", headers: OKTA_HEADERS },
      expect: {
        status: 200,
        body: [
          { pointer: "/name/givenName", equals: "Isabella" },
          { pointer: "/emails/0/value", equals: "isabella.jones@example.com" },
        ],
      },
      capture: { created: "/meta/created" },
    },
    {
      name: "profile update: PUT the whole object with id, meta and groups",
      source: "[O1] PUT with id/meta/groups",
      request: {
        method: "PUT",
        path: "/Users/{{userId}}",
        headers: OKTA_HEADERS,
        body: {
          ...ISABELLA,
          password: undefined,
          id: "{{userId}}",
          name: { givenName: "Isabella", familyName: "Jones-Smith" },
          meta: { resourceType: "User", created: "{{created}}", lastModified: "{{created}}" },
          groups: [],
        },
      },
      expect: {
        status: 200,
        body: [
          { pointer: "/id", equals: "{{userId}}" },
          { pointer: "/name/familyName", equals: "Jones-Smith" },
          { pointer: "/active", equals: true },
        ],
      },
    },
    {
      name: "deactivate: no-path replace {active:false}",
      source: "[O1] OIN deactivate",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}",
        headers: OKTA_HEADERS,
        body: patch({ op: "replace", value: { active: false } }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "the deactivated user is still served",
      source: "[O1] fetch user",
      request: { method: "GET", path: "/Users/{{userId}}", headers: OKTA_HEADERS },
      expect: { status: 200, body: [{ pointer: "/active", equals: false }] },
    },
    {
      name: "reactivate: no-path replace {active:true}",
      source: "[O1] activation uses PATCH",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}",
        headers: OKTA_HEADERS,
        body: patch({ op: "replace", value: { active: true } }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "password sync: no-path replace {password}",
      source: "[O1] password sync uses PATCH",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}",
        headers: OKTA_HEADERS,
        body: patch({ op: "replace", value: { password: "t1meMa$heen" } }),
      },
      expect: { status: [200, 204], body: [{ pointer: "/password", absent: true }] },
    },
    {
      name: "create a second user",
      source: "[O1] create user",
      request: {
        method: "POST",
        path: "/Users",
        headers: OKTA_HEADERS,
        body: {
          ...ISABELLA,
          userName: "noah.smith@example.com",
          name: { givenName: "Noah", familyName: "Smith" },
          emails: [{ primary: true, value: "noah.smith@example.com", type: "work" }],
          displayName: "Noah Smith",
          externalId: "00u1dhhb1fkIGP7RL1d9",
        },
      },
      expect: { status: 201 },
      capture: { secondId: "/id" },
    },
    {
      name: "import: page 1 of 1-per-page",
      source: "[O1] import pages with startIndex/count, integers",
      request: { method: "GET", path: "/Users?startIndex=1&count=1", headers: OKTA_HEADERS },
      expect: {
        status: 200,
        body: [
          { pointer: "/totalResults", equals: 2 },
          { pointer: "/itemsPerPage", equals: 1 },
          { pointer: "/startIndex", equals: 1 },
          { pointer: "/Resources", length: 1 },
        ],
      },
      capture: { firstPageId: "/Resources/0/id" },
    },
    {
      name: "import: page 2 is the other user",
      source: "[O1] import pages",
      request: { method: "GET", path: "/Users?startIndex=2&count=1", headers: OKTA_HEADERS },
      expect: {
        status: 200,
        body: [
          { pointer: "/totalResults", equals: 2 },
          { pointer: "/startIndex", equals: 2 },
          { pointer: "/Resources", length: 1 },
          { pointer: "/Resources/0/id", notEquals: "{{firstPageId}}" },
        ],
      },
    },
    {
      name: "import again: page 1 is the same user (stable order)",
      source: "[O1] ordering must be stable across pages",
      request: { method: "GET", path: "/Users?startIndex=1&count=1", headers: OKTA_HEADERS },
      expect: { status: 200, body: [{ pointer: "/Resources/0/id", equals: "{{firstPageId}}" }] },
    },
    {
      name: "group push: create with members []",
      source: "[O1] POST /Groups",
      request: {
        method: "POST",
        path: "/Groups",
        headers: OKTA_HEADERS,
        body: { schemas: [GROUP], displayName: "Test SCIMv2", members: [] },
      },
      expect: {
        status: 201,
        body: [
          { pointer: "/displayName", equals: "Test SCIMv2" },
          { pointer: "/id", present: true },
        ],
      },
      capture: { groupId: "/id" },
    },
    {
      name: "group push: add a member without type, with display",
      source: "[O1] add members [{value, display}]; [SCIM-SDK#419] no type",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        headers: OKTA_HEADERS,
        body: patch({
          op: "add",
          path: "members",
          value: [{ value: "{{userId}}", display: "isabella.jones@example.com" }],
        }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "group push: remove by filter and add in one request",
      source: "[O1] remove members[value eq] + add",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        headers: OKTA_HEADERS,
        body: patch(
          { op: "remove", path: 'members[value eq "{{userId}}"]' },
          {
            op: "add",
            path: "members",
            value: [{ value: "{{secondId}}", display: "noah.smith@example.com" }],
          },
        ),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "membership reflects the combined request",
      source: "check: operations applied in order",
      kind: "check",
      request: { method: "GET", path: "/Groups/{{groupId}}" },
      expect: {
        status: 200,
        body: [
          { pointer: "/members", values: ["{{secondId}}"] },
          { pointer: "/members/0/type", equals: "User" },
        ],
      },
    },
    {
      name: "rename with the read-only id inside the replace value",
      source: "[O1] replace value {id, displayName}",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        headers: OKTA_HEADERS,
        body: patch({
          op: "replace",
          value: { id: "{{groupId}}", displayName: "Test SCIMv2 Renamed" },
        }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "full push: replace members",
      source: "[O1] replace path members",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        headers: OKTA_HEADERS,
        body: patch({
          op: "replace",
          path: "members",
          value: [
            { value: "{{userId}}", display: "isabella.jones@example.com" },
            { value: "{{secondId}}", display: "noah.smith@example.com" },
          ],
        }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "renamed and fully pushed",
      source: "check: rename and replace applied",
      kind: "check",
      request: { method: "GET", path: "/Groups/{{groupId}}" },
      expect: {
        status: 200,
        body: [
          { pointer: "/displayName", equals: "Test SCIMv2 Renamed" },
          { pointer: "/id", equals: "{{groupId}}" },
          { pointer: "/members", values: ["{{userId}}", "{{secondId}}"] },
        ],
      },
    },
    {
      name: "push now of an emptied group: replace members []",
      source: "[SCIM-SDK#757] empty push",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        headers: OKTA_HEADERS,
        body: patch({ op: "replace", path: "members", value: [] }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "the group is empty",
      source: "check: row 19",
      kind: "check",
      request: { method: "GET", path: "/Groups/{{groupId}}" },
      expect: { status: 200, body: [{ pointer: "/members", values: [] }] },
    },
    {
      name: "replace value {members, id, displayName} in one no-path operation",
      source: "[jelhub/scimgateway#113]",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        headers: OKTA_HEADERS,
        body: patch({
          op: "replace",
          value: {
            id: "{{groupId}}",
            displayName: "Test SCIMv2 Renamed",
            members: [{ value: "{{userId}}", display: "isabella.jones@example.com" }],
          },
        }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "the no-path replace set the members",
      source: "check: members in a no-path value",
      kind: "check",
      request: { method: "GET", path: "/Groups/{{groupId}}" },
      expect: { status: 200, body: [{ pointer: "/members", values: ["{{userId}}"] }] },
    },
    {
      name: "unlink the pushed group and delete it in the app",
      source: "[O1] DELETE /Groups/{id}",
      request: { method: "DELETE", path: "/Groups/{{groupId}}", headers: OKTA_HEADERS },
      expect: { status: 204 },
    },
    {
      name: "unassign: deactivate, never DELETE",
      source: "[O1] Okta never sends DELETE /Users",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}",
        headers: OKTA_HEADERS,
        body: patch({ op: "replace", value: { active: false } }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "the unassigned user is still there, inactive",
      source: "check: [O1] deactivation only",
      kind: "check",
      request: {
        method: "GET",
        path: "/Users?filter=userName%20eq%20%22isabella.jones%40example.com%22&startIndex=1&count=100",
      },
      expect: {
        status: 200,
        body: [
          { pointer: "/totalResults", equals: 1 },
          { pointer: "/Resources/0/active", equals: false },
        ],
      },
    },
  ],
};

/**
 * Okta custom app (AIW): PUT for every update, including (de)activation and
 * groups, with `id`, `meta` and `groups` in the body [O1, O2].
 */
export const oktaCustomApp: Trace = {
  id: "okta-aiw",
  client: "Okta (custom AIW app)",
  description:
    "Every update is a PUT of the whole object as Okta last read it, read-only attributes included.",
  steps: [
    {
      name: "lookup before create",
      source: "[O1]",
      request: {
        method: "GET",
        path: "/Users?filter=userName%20eq%20%22mia.chen%40example.com%22&startIndex=1&count=100",
        headers: OKTA_HEADERS,
      },
      expect: { status: 200, body: [{ pointer: "/totalResults", equals: 0 }] },
    },
    {
      name: "create",
      source: "[O1]",
      request: {
        method: "POST",
        path: "/Users",
        headers: OKTA_HEADERS,
        body: {
          ...ISABELLA,
          userName: "mia.chen@example.com",
          name: { givenName: "Mia", familyName: "Chen" },
          emails: [{ primary: true, value: "mia.chen@example.com", type: "work" }],
          displayName: "Mia Chen",
          externalId: "00u2mia",
        },
      },
      expect: { status: 201 },
      capture: { userId: "/id", created: "/meta/created", location: "/meta/location" },
    },
    {
      name: "update by PUT with id, meta, groups",
      source: "[O1] AIW: PUT for everything",
      request: {
        method: "PUT",
        path: "/Users/{{userId}}",
        headers: OKTA_HEADERS,
        body: {
          schemas: [USER],
          id: "{{userId}}",
          userName: "mia.chen@example.com",
          name: { givenName: "Mia", familyName: "Chen-Li" },
          emails: [{ primary: true, value: "mia.chen@example.com", type: "work" }],
          displayName: "Mia Chen-Li",
          locale: "en-US",
          externalId: "00u2mia",
          groups: [],
          active: true,
          meta: {
            resourceType: "User",
            created: "{{created}}",
            lastModified: "{{created}}",
            location: "{{location}}",
          },
        },
      },
      expect: {
        status: 200,
        body: [
          { pointer: "/displayName", equals: "Mia Chen-Li" },
          { pointer: "/name/familyName", equals: "Chen-Li" },
          { pointer: "/meta/created", equals: "{{created}}" },
        ],
      },
    },
    {
      name: "deactivate by PUT active:false",
      source: "[O1] AIW deactivate = PUT",
      request: {
        method: "PUT",
        path: "/Users/{{userId}}",
        headers: OKTA_HEADERS,
        body: {
          schemas: [USER],
          id: "{{userId}}",
          userName: "mia.chen@example.com",
          name: { givenName: "Mia", familyName: "Chen-Li" },
          emails: [{ primary: true, value: "mia.chen@example.com", type: "work" }],
          displayName: "Mia Chen-Li",
          externalId: "00u2mia",
          groups: [],
          active: false,
          meta: { resourceType: "User" },
        },
      },
      expect: { status: 200, body: [{ pointer: "/active", equals: false }] },
    },
    {
      name: "reactivate by PUT active:true",
      source: "[O1]",
      request: {
        method: "PUT",
        path: "/Users/{{userId}}",
        headers: OKTA_HEADERS,
        body: {
          schemas: [USER],
          id: "{{userId}}",
          userName: "mia.chen@example.com",
          name: { givenName: "Mia", familyName: "Chen-Li" },
          displayName: "Mia Chen-Li",
          externalId: "00u2mia",
          groups: [],
          active: true,
          meta: { resourceType: "User" },
        },
      },
      expect: {
        status: 200,
        body: [
          { pointer: "/active", equals: true },
          { pointer: "/emails", absent: true },
        ],
      },
    },
    {
      name: "create a group",
      source: "[O1] POST /Groups",
      request: {
        method: "POST",
        path: "/Groups",
        headers: OKTA_HEADERS,
        body: { schemas: [GROUP], displayName: "AIW Group", members: [] },
      },
      expect: { status: 201 },
      capture: { groupId: "/id" },
    },
    {
      name: "group membership by PUT with id and meta",
      source: "[O1] AIW apps use PUT for groups",
      request: {
        method: "PUT",
        path: "/Groups/{{groupId}}",
        headers: OKTA_HEADERS,
        body: {
          schemas: [GROUP],
          id: "{{groupId}}",
          displayName: "AIW Group",
          members: [{ value: "{{userId}}", display: "mia.chen@example.com" }],
          meta: { resourceType: "Group" },
        },
      },
      expect: {
        status: 200,
        body: [
          { pointer: "/id", equals: "{{groupId}}" },
          { pointer: "/members", values: ["{{userId}}"] },
        ],
      },
    },
    {
      name: "the PUT membership is stored",
      source: "check",
      kind: "check",
      request: { method: "GET", path: "/Groups/{{groupId}}" },
      expect: { status: 200, body: [{ pointer: "/members", values: ["{{userId}}"] }] },
    },
  ],
};
