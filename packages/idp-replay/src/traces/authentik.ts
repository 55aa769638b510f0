import type { Trace } from "../trace";
import { GROUP, PATCH_OP, USER } from "./urns";

const patch = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });

const HEADERS = {
  Accept: "application/scim+json",
  "Content-Type": "application/scim+json",
} as const;

const jdoe = (extra: Record<string, unknown> = {}) => ({
  schemas: [USER],
  userName: "jdoe",
  name: { formatted: "Jane Doe", givenName: "Jane", familyName: "Doe" },
  displayName: "Jane Doe",
  locale: "en",
  active: true,
  emails: [{ type: "other", primary: true, value: "jdoe@example.org" }],
  externalId: "8e3c2a0b9f1d4c7e",
  ...extra,
});

/**
 * authentik as a SCIM client (its "SCIM provider") [authentik A1 and
 * `authentik/providers/scim/clients/*.py`]: reads /ServiceProviderConfig, creates
 * without a lookup, resolves a 409 by filtering on userName (quoted since PR
 * #16465, bare before), updates users by PUT with `id`, creates groups without
 * members and adds them one operation per member, removes them in Entra's
 * non-RFC shape.
 */
export const authentik: Trace = {
  id: "authentik",
  client: "authentik (SCIM provider)",
  description:
    "authentik's provider lifecycle: SPC, POST without lookup, 409 then lookup, PUT with id, group add one op per member, remove with a value array, DELETE.",
  steps: [
    {
      name: "read ServiceProviderConfig (patch, filter, bulk.maxOperations)",
      source: "[authentik A1] clients/base.py reads SPC first",
      request: { method: "GET", path: "/ServiceProviderConfig", headers: HEADERS },
      expect: {
        status: 200,
        body: [
          { pointer: "/patch/supported", equals: true },
          { pointer: "/filter/supported", equals: true },
          { pointer: "/bulk/maxOperations", present: true },
        ],
      },
    },
    {
      name: "create without a lookup",
      source: "[authentik A1] clients/users.py POST /Users",
      request: { method: "POST", path: "/Users", headers: HEADERS, body: jdoe() },
      expect: {
        status: 201,
        body: [
          { pointer: "/userName", equals: "jdoe" },
          { pointer: "/emails/0/type", equals: "other" },
        ],
      },
      capture: { userId: "/id" },
    },
    {
      name: "re-create after a dropped link: 409",
      source: "[authentik A1] 409 then lookup",
      request: { method: "POST", path: "/Users", headers: HEADERS, body: jdoe() },
      expect: { status: 409, body: [{ pointer: "/scimType", equals: "uniqueness" }] },
    },
    {
      name: "lookup after 409, quoted value",
      source: '[authentik PR #16465] filter=userName eq "v" (requests encoding)',
      request: { method: "GET", path: "/Users?filter=userName+eq+%22jdoe%22", headers: HEADERS },
      expect: {
        status: 200,
        body: [
          { pointer: "/totalResults", equals: 1 },
          { pointer: "/Resources/0/id", equals: "{{userId}}" },
        ],
      },
    },
    {
      name: "lookup after 409, bare value (before 2025.10)",
      source: "[authentik PR #16465] unquoted before the fix",
      request: { method: "GET", path: "/Users?filter=userName+eq+jdoe", headers: HEADERS },
      expect: {
        status: 200,
        body: [
          { pointer: "/totalResults", equals: 1 },
          { pointer: "/Resources/0/id", equals: "{{userId}}" },
        ],
      },
    },
    {
      name: "update by PUT with id",
      source: "[authentik A1] updates are PUT with id set (authentik#16678)",
      request: {
        method: "PUT",
        path: "/Users/{{userId}}",
        headers: HEADERS,
        body: jdoe({ id: "{{userId}}", displayName: "Jane Q. Doe" }),
      },
      expect: {
        status: 200,
        body: [
          { pointer: "/displayName", equals: "Jane Q. Doe" },
          { pointer: "/id", equals: "{{userId}}" },
        ],
      },
    },
    {
      name: "deactivate by PUT active:false",
      source: "[authentik A1] deactivation = PUT",
      request: {
        method: "PUT",
        path: "/Users/{{userId}}",
        headers: HEADERS,
        body: jdoe({ id: "{{userId}}", displayName: "Jane Q. Doe", active: false }),
      },
      expect: { status: 200, body: [{ pointer: "/active", equals: false }] },
    },
    {
      name: "reactivate by PUT active:true",
      source: "[authentik A1]",
      request: {
        method: "PUT",
        path: "/Users/{{userId}}",
        headers: HEADERS,
        body: jdoe({ id: "{{userId}}", displayName: "Jane Q. Doe", active: true }),
      },
      expect: { status: 200, body: [{ pointer: "/active", equals: true }] },
    },
    {
      name: "create a second user",
      source: "[authentik A1]",
      request: {
        method: "POST",
        path: "/Users",
        headers: HEADERS,
        body: jdoe({
          userName: "rroe",
          name: { formatted: "Richard Roe", givenName: "Richard", familyName: "Roe" },
          displayName: "Richard Roe",
          emails: [{ type: "other", primary: true, value: "rroe@example.org" }],
          externalId: "1f2e3d4c5b6a7988",
        }),
      },
      expect: { status: 201 },
      capture: { secondId: "/id" },
    },
    {
      name: "create a group without members",
      source: "[authentik A1] clients/groups.py: members omitted when PATCH is supported",
      request: {
        method: "POST",
        path: "/Groups",
        headers: HEADERS,
        body: {
          schemas: [GROUP],
          displayName: "authentik Staff",
          externalId: "c0ffee00-1234-4abc-9def-001122334455",
        },
      },
      expect: { status: 201 },
      capture: { groupId: "/id" },
    },
    {
      name: "add the first member (one operation per member)",
      source: "[authentik A1] {op:add, path:members, value:[{value}]}",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        headers: HEADERS,
        body: patch({ op: "add", path: "members", value: [{ value: "{{userId}}" }] }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "add the second member",
      source: "[authentik A1]",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        headers: HEADERS,
        body: patch({ op: "add", path: "members", value: [{ value: "{{secondId}}" }] }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "update the group: no-path replace without members",
      source: "[authentik A1] replace value {...group} (id removed by PR #23950)",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        headers: HEADERS,
        body: patch({
          op: "replace",
          value: {
            schemas: [GROUP],
            displayName: "authentik Staff",
            externalId: "c0ffee00-1234-4abc-9def-001122334455",
          },
        }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "update the group: older builds include the read-only id",
      source: "[authentik A1] replace value with id (before PR #23950)",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        headers: HEADERS,
        body: patch({
          op: "replace",
          value: {
            id: "{{groupId}}",
            displayName: "authentik Staff",
            externalId: "c0ffee00-1234-4abc-9def-001122334455",
          },
        }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "read the group to diff members",
      source: "[authentik A1] GET /Groups/{id} before computing add/remove",
      request: { method: "GET", path: "/Groups/{{groupId}}", headers: HEADERS },
      expect: {
        status: 200,
        body: [
          { pointer: "/members", values: ["{{userId}}", "{{secondId}}"] },
          { pointer: "/displayName", equals: "authentik Staff" },
        ],
      },
    },
    {
      name: "remove a member in Entra's shape",
      source: "[authentik A1] {op:remove, path:members, value:[{value}]}",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        headers: HEADERS,
        body: patch({ op: "remove", path: "members", value: [{ value: "{{secondId}}" }] }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "only that member is removed",
      source: "check: row 3",
      kind: "check",
      request: { method: "GET", path: "/Groups/{{groupId}}" },
      expect: { status: 200, body: [{ pointer: "/members", values: ["{{userId}}"] }] },
    },
    {
      name: "remove the user from the app: DELETE",
      source: "[authentik A1] removal -> DELETE /Users/{id}",
      request: { method: "DELETE", path: "/Users/{{userId}}", headers: HEADERS },
      expect: { status: 204 },
    },
    {
      name: "a later update of the deleted user answers 404",
      source: "[authentik A1] 404 on update drops the link",
      request: {
        method: "PUT",
        path: "/Users/{{userId}}",
        headers: HEADERS,
        body: jdoe({ id: "{{userId}}" }),
      },
      expect: { status: 404 },
    },
    {
      name: "re-create after the 404: a new user",
      source: "[authentik A1] link dropped and re-created",
      request: { method: "POST", path: "/Users", headers: HEADERS, body: jdoe() },
      expect: { status: 201, body: [{ pointer: "/id", notEquals: "{{userId}}" }] },
    },
    {
      name: "delete the group",
      source: "[authentik A1]",
      request: { method: "DELETE", path: "/Groups/{{groupId}}", headers: HEADERS },
      expect: { status: 204 },
    },
  ],
};
