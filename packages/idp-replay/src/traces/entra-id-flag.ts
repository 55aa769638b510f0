import type { Trace } from "../trace";
import { ENTERPRISE_USER, GROUP, MICROSOFT_GROUP, PATCH_OP, USER } from "./urns";

const patch = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });

const USER_NAME = "pvlo@contoso.com";
const GROUP_NAME = "Engineering";

/**
 * Microsoft Entra ID with `?aadOptscim062020` appended to the tenant URL [E2, P1].
 * Whether Entra forwards the flag on every request is undocumented; this trace
 * assumes the worst case, the flag as an unknown query parameter on every
 * request (RFC 7644 §3.4.2: servers SHOULD ignore unknown parameters).
 */
export const entraIdFlag: Trace = {
  id: "entra-flag",
  client: "Microsoft Entra ID (aadOptscim062020)",
  description:
    'The RFC-conformant job: lowercase ops, JSON booleans, add for a previously empty attribute, several attributes folded into one no-path replace with dotted and URN-qualified keys, members[value eq "id"] removes; every request carries the flag.',
  steps: [
    {
      name: "test connection with the flag in the query string",
      source: "[E1] test connection; [E2] [P1] flag in the tenant URL",
      request: {
        method: "GET",
        path: '/Users?aadOptscim062020&filter=userName+eq+"9b1d4c7e-2f3a-4e8b-a0c1-5d6e7f8a9b0c"',
      },
      expect: { status: 200, body: [{ pointer: "/totalResults", equals: 0 }] },
    },
    {
      name: "lookup before create",
      source: "[E1] matching lookup",
      request: { method: "GET", path: `/Users?aadOptscim062020&filter=userName+eq+"${USER_NAME}"` },
      expect: { status: 200, body: [{ pointer: "/totalResults", equals: 0 }] },
    },
    {
      name: "create the user",
      source: "[E1] create request",
      request: {
        method: "POST",
        path: "/Users?aadOptscim062020",
        body: {
          schemas: [USER, ENTERPRISE_USER],
          externalId: "pvlo",
          userName: USER_NAME,
          active: true,
          displayName: "Pvlo Original",
          emails: [{ primary: true, type: "work", value: "pvlo@contoso.com" }],
          meta: { resourceType: "User" },
          name: { formatted: "Pvlo Original", familyName: "Original", givenName: "Pvlo" },
          roles: [],
        },
      },
      expect: { status: 201, body: [{ pointer: "/userName", equals: USER_NAME }] },
      capture: { userId: "/id" },
    },
    {
      name: "add for a previously empty single-valued attribute",
      source: "[E2] add for an attribute with no value; [P4] Add vs Replace inconsistent",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}?aadOptscim062020",
        body: patch({ op: "add", path: "title", value: "Engineer" }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "several attributes in one no-path replace with dotted and URN keys",
      source: "[E2] aadOptscim062020 PATCH shape; [P8] validator-style big replace",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}?aadOptscim062020",
        body: patch(
          {
            op: "replace",
            value: {
              displayName: "Pvlo Updated",
              "name.givenName": "Paulo",
              "name.familyName": "Updated",
              [`${ENTERPRISE_USER}:employeeNumber`]: "98765",
              [`${ENTERPRISE_USER}:department`]: "Tour Operations",
            },
          },
          { op: "replace", path: 'emails[type eq "work"].value', value: "paulo@contoso.com" },
        ),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "every folded attribute landed where its key points",
      source: "check: row 5, keys expanded as attribute paths",
      kind: "check",
      request: { method: "GET", path: "/Users/{{userId}}?aadOptscim062020" },
      expect: {
        status: 200,
        body: [
          { pointer: "/displayName", equals: "Pvlo Updated" },
          { pointer: "/title", equals: "Engineer" },
          { pointer: "/name/givenName", equals: "Paulo" },
          { pointer: "/name/familyName", equals: "Updated" },
          { pointer: "/name.givenName", absent: true },
          { pointer: `/${ENTERPRISE_USER}/employeeNumber`, equals: "98765" },
          { pointer: `/${ENTERPRISE_USER}/department`, equals: "Tour Operations" },
          { pointer: `/${ENTERPRISE_USER}:employeeNumber`, absent: true },
          { pointer: "/emails/0/value", equals: "paulo@contoso.com" },
        ],
      },
    },
    {
      name: "disable with a JSON boolean",
      source: "[E2] booleans are JSON booleans with the flag",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}?aadOptscim062020",
        body: patch({ op: "replace", path: "active", value: false }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "the inactive user is still returned by the lookup",
      source: "[E1] inactive users stay readable",
      request: { method: "GET", path: `/Users?aadOptscim062020&filter=userName+eq+"${USER_NAME}"` },
      expect: {
        status: 200,
        body: [
          { pointer: "/totalResults", equals: 1 },
          { pointer: "/Resources/0/active", equals: false },
        ],
      },
    },
    {
      name: "restore with a JSON boolean",
      source: "[E2] [E3]",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}?aadOptscim062020",
        body: patch({ op: "replace", path: "active", value: true }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "create a second user to be a member",
      source: "[E1] create request",
      request: {
        method: "POST",
        path: "/Users?aadOptscim062020",
        body: {
          schemas: [USER],
          externalId: "second",
          userName: "second@contoso.com",
          active: true,
          meta: { resourceType: "User" },
        },
      },
      expect: { status: 201 },
      capture: { secondId: "/id" },
    },
    {
      name: "group lookup before create",
      source: "[E1]",
      request: {
        method: "GET",
        path: `/Groups?aadOptscim062020&excludedAttributes=members&filter=displayName+eq+"${GROUP_NAME}"`,
      },
      expect: { status: 200, body: [{ pointer: "/totalResults", equals: 0 }] },
    },
    {
      name: "create the group",
      source: "[E1] POST /Groups",
      request: {
        method: "POST",
        path: "/Groups?aadOptscim062020",
        body: {
          schemas: [GROUP, MICROSOFT_GROUP],
          externalId: "5b8e2a90-0d2c-4f7b-9b4e-1f4c3e2d1a00",
          displayName: GROUP_NAME,
          meta: { resourceType: "Group" },
        },
      },
      expect: { status: 201 },
      capture: { groupId: "/id" },
    },
    {
      name: "add both members in one operation",
      source: "[E1] gallery checklist: several memberships in one PATCH",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}?aadOptscim062020",
        body: patch({
          op: "add",
          path: "members",
          value: [{ value: "{{userId}}" }, { value: "{{secondId}}" }],
        }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "remove one member by a value filter",
      source: '[E2] {op:remove, path:members[value eq "id"]}',
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}?aadOptscim062020",
        body: patch({ op: "remove", path: 'members[value eq "{{secondId}}"]' }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "exactly the filtered member is gone",
      source: "check: RFC 7644 §3.5.2.2 remove with filter",
      kind: "check",
      request: { method: "GET", path: "/Groups/{{groupId}}?aadOptscim062020" },
      expect: { status: 200, body: [{ pointer: "/members", values: ["{{userId}}"] }] },
    },
    {
      name: "rename the group",
      source: "[E1] replace displayName",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}?aadOptscim062020",
        body: patch({ op: "replace", path: "displayName", value: "Engineering (all)" }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "read the renamed group without members",
      source: "[E1] excludedAttributes=members",
      request: {
        method: "GET",
        path: "/Groups/{{groupId}}?aadOptscim062020&excludedAttributes=members",
      },
      expect: {
        status: 200,
        body: [
          { pointer: "/displayName", equals: "Engineering (all)" },
          { pointer: "/members", absent: true },
        ],
      },
    },
    {
      name: "delete the group",
      source: "[E1]",
      request: { method: "DELETE", path: "/Groups/{{groupId}}?aadOptscim062020" },
      expect: { status: 204 },
    },
    {
      name: "hard-delete the user",
      source: "[E3]",
      request: { method: "DELETE", path: "/Users/{{userId}}?aadOptscim062020" },
      expect: { status: 204 },
    },
    {
      name: "the user is gone",
      source: "check: RFC 7644 §3.6",
      kind: "check",
      request: { method: "GET", path: "/Users/{{userId}}?aadOptscim062020" },
      expect: { status: 404 },
    },
  ],
};
