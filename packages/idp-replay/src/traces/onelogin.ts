import type { Trace } from "../trace";
import { ENTERPRISE_USER, GROUP, PATCH_OP, SCIM1_CORE } from "./urns";

/**
 * The body a OneLogin "SCIM Provisioner with SAML (SCIM v2 Enterprise)" connector
 * produces from an admin-pasted JSON template after `{$user.*}` substitution
 * [N1, N2, N3]: the SCIM 1.1 core URN, `"active"` as a string, `"id": null`.
 */
const templateBody = (active: string, manager: Record<string, unknown>) => ({
  schemas: [SCIM1_CORE, ENTERPRISE_USER],
  id: null,
  userName: "kai.nakamura@example.com",
  name: { givenName: "Kai", familyName: "Nakamura" },
  emails: [{ value: "kai.nakamura@example.com", type: "work", primary: true }],
  displayName: "Kai Nakamura",
  active: active,
  [ENTERPRISE_USER]: { department: "Finance", manager },
});

/**
 * OneLogin template deviations. OneLogin's lookups and exact update verbs are not
 * documented in the sources; this trace covers the template-produced bodies and
 * PATCH on Groups [authentik#11249].
 */
export const onelogin: Trace = {
  id: "onelogin",
  client: "OneLogin (SCIM v2 Enterprise template)",
  description:
    "Template bodies with the SCIM 1.1 core URN, string booleans, id: null and two manager shapes; group membership by PATCH; deactivate and reactivate [P9].",
  steps: [
    {
      name: "create the manager, manager shape {managerId, displayName}",
      source: "[N3] vendor template manager shape",
      request: {
        method: "POST",
        path: "/Users",
        body: {
          ...templateBody("true", { managerId: "", displayName: "" }),
          userName: "lee.boss@example.com",
          emails: [{ value: "lee.boss@example.com", type: "work", primary: true }],
          displayName: "Lee Boss",
        },
      },
      expect: {
        status: 201,
        body: [
          { pointer: "/active", equals: true },
          { pointer: "/userName", equals: "lee.boss@example.com" },
          { pointer: `/${ENTERPRISE_USER}/manager/managerId`, absent: true },
        ],
      },
      capture: { managerId: "/id" },
    },
    {
      name: 'create: SCIM 1.1 URN, active "true", id null, manager {value, displayName}',
      source: "[N1] [N2] [N3] template substitution",
      request: {
        method: "POST",
        path: "/Users",
        body: templateBody("true", { value: "{{managerId}}", displayName: "Lee Boss" }),
      },
      expect: {
        status: 201,
        body: [
          { pointer: "/active", equals: true },
          { pointer: "/id", present: true },
          { pointer: "/id", notEquals: null },
          { pointer: `/${ENTERPRISE_USER}/manager/value`, equals: "{{managerId}}" },
          { pointer: `/${ENTERPRISE_USER}/department`, equals: "Finance" },
        ],
      },
      capture: { userId: "/id" },
    },
    {
      name: 'deactivate: template PUT with active "false"',
      source: "[N2] template substitution; [P9]",
      request: {
        method: "PUT",
        path: "/Users/{{userId}}",
        body: templateBody("false", { value: "{{managerId}}", displayName: "Lee Boss" }),
      },
      expect: { status: 200, body: [{ pointer: "/active", equals: false }] },
    },
    {
      name: 'reactivate: template PUT with active "true"',
      source: "[P9] deactivated-then-reactivated users must be updatable",
      request: {
        method: "PUT",
        path: "/Users/{{userId}}",
        body: templateBody("true", { value: "{{managerId}}", displayName: "Lee Boss" }),
      },
      expect: {
        status: 200,
        body: [
          { pointer: "/active", equals: true },
          { pointer: "/id", equals: "{{userId}}" },
        ],
      },
    },
    {
      name: "create a group",
      source: "[N1] group provisioning",
      request: {
        method: "POST",
        path: "/Groups",
        body: { schemas: [GROUP], displayName: "Finance" },
      },
      expect: { status: 201 },
      capture: { groupId: "/id" },
    },
    {
      name: "group membership by PATCH on /Groups/{id}",
      source: "[authentik#11249] OneLogin PATCHes groups",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        body: {
          schemas: [PATCH_OP],
          Operations: [
            {
              op: "add",
              path: "members",
              value: [{ value: "{{userId}}" }, { value: "{{managerId}}" }],
            },
          ],
        },
      },
      expect: { status: [200, 204] },
    },
    {
      name: "remove one member",
      source: "[authentik#11249]",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        body: {
          schemas: [PATCH_OP],
          Operations: [{ op: "remove", path: 'members[value eq "{{managerId}}"]' }],
        },
      },
      expect: { status: [200, 204] },
    },
    {
      name: "membership as pushed",
      source: "check",
      kind: "check",
      request: { method: "GET", path: "/Groups/{{groupId}}" },
      expect: { status: 200, body: [{ pointer: "/members", values: ["{{userId}}"] }] },
    },
  ],
};
