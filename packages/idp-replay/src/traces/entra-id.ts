import type { Trace } from "../trace";
import {
  ENTERPRISE_USER,
  GROUP,
  LIST_RESPONSE,
  MALFORMED_ENTERPRISE_USER,
  MICROSOFT_GROUP,
  PATCH_OP,
  SCIM_JSON,
  USER,
} from "./urns";

const patch = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });

const USER_NAME = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@contoso.com";
const EXTERNAL_ID = "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef";
const MANAGER_NAME = "Test_User_manager-4f0d@contoso.com";
const GROUP_NAME = "Group1DisplayName";

/**
 * Microsoft Entra ID, non-gallery SCIM job without compatibility flags: the
 * provisioning lifecycle of one user and one group as Entra documents it [E1, E2,
 * E3]. Query strings are written as observed on the wire: `+` for spaces and
 * literal `"` [authentik#25837].
 */
export const entraId: Trace = {
  id: "entra",
  client: "Microsoft Entra ID (default job, no flag)",
  description:
    "Test connection, lookup-then-create (one current-doc body, one older body with nulls and the malformed enterprise URN), capitalised PATCH ops with 'True'/'False' strings, manager, soft delete then hard delete, group create with the Microsoft URN, one member per PATCH, remove with a value array, excludedAttributes=members reads, rename, delete.",
  steps: [
    {
      name: "test connection: random GUID by the matching attribute",
      source: "[E1] Test Connection expects 200 + empty ListResponse",
      request: {
        method: "GET",
        path: '/Users?filter=userName+eq+"5c2b6f1e-9a51-4a3f-8c0e-0d7f2b1d8e11"',
      },
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
      name: "lookup the manager before create",
      source: "[E1] matching lookup; [authentik#25837] wire encoding",
      request: { method: "GET", path: `/Users?filter=userName+eq+"${MANAGER_NAME}"` },
      expect: { status: 200, body: [{ pointer: "/totalResults", equals: 0 }] },
    },
    {
      name: "create the manager: older body with nulls and the malformed enterprise URN",
      source: "[E1] older create example",
      request: {
        method: "POST",
        path: "/Users",
        body: {
          schemas: [USER, MALFORMED_ENTERPRISE_USER],
          externalId: "7f1c3a55-1d0e-4c55-9a2b-3d8c0c6a5e90",
          userName: MANAGER_NAME,
          active: true,
          addresses: null,
          displayName: "Manager User",
          emails: [{ primary: true, type: "work", value: MANAGER_NAME }],
          meta: { resourceType: "User" },
          name: { familyName: "User", givenName: "Manager" },
          phoneNumbers: null,
          title: null,
          [ENTERPRISE_USER]: { department: null, manager: null },
          roles: [],
        },
      },
      expect: {
        status: 201,
        headers: { location: /\/scim\/v2\/Users\/.+/, "content-type": SCIM_JSON },
        body: [
          { pointer: "/userName", equals: MANAGER_NAME },
          { pointer: "/active", equals: true },
          { pointer: "/title", absent: true },
          { pointer: "/addresses", absent: true },
          { pointer: "/roles", absent: true },
        ],
      },
      capture: { managerId: "/id" },
    },
    {
      name: "lookup the user before create",
      source: "[E1] matching lookup",
      request: { method: "GET", path: `/Users?filter=userName+eq+"${USER_NAME}"` },
      expect: { status: 200, body: [{ pointer: "/totalResults", equals: 0 }] },
    },
    {
      name: "create the user: current doc body",
      source: "[E1] create request",
      request: {
        method: "POST",
        path: "/Users",
        body: {
          schemas: [USER, ENTERPRISE_USER],
          externalId: EXTERNAL_ID,
          userName: USER_NAME,
          active: true,
          emails: [{ primary: true, type: "work", value: "Test_User_fd0ea19b@testuser.com" }],
          meta: { resourceType: "User" },
          name: {
            formatted: "givenName familyName",
            familyName: "familyName",
            givenName: "givenName",
          },
          roles: [],
        },
      },
      expect: {
        status: 201,
        body: [
          { pointer: "/userName", equals: USER_NAME },
          { pointer: "/externalId", equals: EXTERNAL_ID },
          { pointer: "/name/givenName", equals: "givenName" },
          { pointer: "/emails/0/value", equals: "Test_User_fd0ea19b@testuser.com" },
          { pointer: "/meta/resourceType", equals: "User" },
        ],
      },
      capture: { userId: "/id" },
    },
    {
      name: "lookup by externalId finds the user",
      source: "[authentik#25837] externalId+eq+raw quotes",
      request: { method: "GET", path: `/Users?filter=externalId+eq+"${EXTERNAL_ID}"` },
      expect: {
        status: 200,
        body: [
          { pointer: "/totalResults", equals: 1 },
          { pointer: "/Resources/0/id", equals: "{{userId}}" },
        ],
      },
    },
    {
      name: "lookup by work email (email as the matching attribute)",
      source: '[E1] emails[type eq "work"].value eq',
      request: {
        method: "GET",
        path: '/Users?filter=emails[type+eq+"work"].value+eq+"Test_User_fd0ea19b@testuser.com"',
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
      name: "update: capitalised Replace of a filtered email and a sub-attribute",
      source: "[E1] [E2] default job PATCH",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}",
        body: patch(
          {
            op: "Replace",
            path: 'emails[type eq "work"].value',
            value: "updatedEmail@contoso.com",
          },
          { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
        ),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "update: Add an enterprise attribute by its URN-qualified path",
      source: "[E2] urn:...:enterprise:2.0:User:employeeNumber",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}",
        body: patch({ op: "Add", path: `${ENTERPRISE_USER}:employeeNumber`, value: "701984" }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "update: manager as a bare string id under the extension path",
      source: "[go-scim#75] [directory-scimple#1242] real traffic",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}",
        body: patch({ op: "Add", path: `${ENTERPRISE_USER}:manager`, value: "{{managerId}}" }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "the updates are stored",
      source: "check: [E1] fetched resource matches what was sent",
      kind: "check",
      request: { method: "GET", path: "/Users/{{userId}}" },
      expect: {
        status: 200,
        body: [
          { pointer: "/emails/0/value", equals: "updatedEmail@contoso.com" },
          { pointer: "/emails/0/type", equals: "work" },
          { pointer: "/name/familyName", equals: "updatedFamilyName" },
          { pointer: "/name/givenName", equals: "givenName" },
          { pointer: `/${ENTERPRISE_USER}/employeeNumber`, equals: "701984" },
          { pointer: `/${ENTERPRISE_USER}/manager/value`, equals: "{{managerId}}" },
        ],
      },
    },
    {
      name: "disable sign-in: Replace active with the string False",
      source: "[E1] [E2] [E3] deprovision = PATCH active false",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}",
        body: patch({ op: "Replace", path: "active", value: "False" }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "the inactive user is still found by the matching lookup",
      source: "[E1] inactive users must be returned by GET and filter",
      request: { method: "GET", path: `/Users?filter=userName+eq+"${USER_NAME}"` },
      expect: {
        status: 200,
        body: [
          { pointer: "/totalResults", equals: 1 },
          { pointer: "/Resources/0/active", equals: false },
        ],
      },
    },
    {
      name: "restore: Replace active with the string True",
      source: "[E1] [E3] restore from soft delete",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}",
        body: patch({ op: "Replace", path: "active", value: "True" }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "active is a JSON boolean again",
      source: "check: row 2, stored and returned as a boolean",
      kind: "check",
      request: { method: "GET", path: "/Users/{{userId}}?attributes=active" },
      expect: {
        status: 200,
        body: [
          { pointer: "/active", equals: true },
          { pointer: "/id", equals: "{{userId}}" },
        ],
      },
    },
    {
      name: "group lookup before create",
      source: "[E1] GET /Groups?excludedAttributes=members&filter=displayName eq",
      request: {
        method: "GET",
        path: `/Groups?excludedAttributes=members&filter=displayName+eq+"${GROUP_NAME}"`,
      },
      expect: { status: 200, body: [{ pointer: "/totalResults", equals: 0 }] },
    },
    {
      name: "create the group with the Microsoft group URN and no members",
      source: "[E1] POST /Groups",
      request: {
        method: "POST",
        path: "/Groups",
        body: {
          schemas: [GROUP, MICROSOFT_GROUP],
          externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
          displayName: GROUP_NAME,
          meta: { resourceType: "Group" },
        },
      },
      expect: {
        status: 201,
        body: [
          { pointer: "/displayName", equals: GROUP_NAME },
          { pointer: "/members", values: [] },
        ],
      },
      capture: { groupId: "/id" },
    },
    {
      name: "add the user as a member ($ref null)",
      source: "[E1] Add members value [{$ref:null, value}]",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        body: patch({ op: "Add", path: "members", value: [{ $ref: null, value: "{{userId}}" }] }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "add the manager in a second PATCH",
      source: "[E1] one member per request in incremental cycles (snipe-it#19115)",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        body: patch({
          op: "Add",
          path: "members",
          value: [{ $ref: null, value: "{{managerId}}" }],
        }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "re-add an existing member succeeds",
      source: "[P3] re-add must not 409",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        body: patch({ op: "Add", path: "members", value: [{ $ref: null, value: "{{userId}}" }] }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "both members are stored once",
      source: "check: membership as a set",
      kind: "check",
      request: { method: "GET", path: "/Groups/{{groupId}}" },
      expect: {
        status: 200,
        body: [{ pointer: "/members", values: ["{{userId}}", "{{managerId}}"] }],
      },
    },
    {
      name: "read the group without members",
      source: "[E1] [P3] reads use excludedAttributes=members",
      request: { method: "GET", path: "/Groups/{{groupId}}?excludedAttributes=members" },
      expect: {
        status: 200,
        body: [
          { pointer: "/displayName", equals: GROUP_NAME },
          { pointer: "/members", absent: true },
          { pointer: "/id", equals: "{{groupId}}" },
        ],
      },
    },
    {
      name: "remove the manager with a value array",
      source: "[E1] Remove members value [...] (MicrosoftDocs/azure-docs#30826)",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        body: patch({
          op: "Remove",
          path: "members",
          value: [{ $ref: null, value: "{{managerId}}" }],
        }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "only the listed member left",
      source: "check: row 3, never clear the attribute",
      kind: "check",
      request: { method: "GET", path: "/Groups/{{groupId}}" },
      expect: { status: 200, body: [{ pointer: "/members", values: ["{{userId}}"] }] },
    },
    {
      name: "rename the group",
      source: "[E1] Replace displayName",
      request: {
        method: "PATCH",
        path: "/Groups/{{groupId}}",
        body: patch({ op: "Replace", path: "displayName", value: "Group1DisplayName Renamed" }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "the renamed group is found by its new name, without members",
      source: "[E1] group matching by displayName",
      request: {
        method: "GET",
        path: '/Groups?excludedAttributes=members&filter=displayName+eq+"Group1DisplayName+Renamed"',
      },
      expect: {
        status: 200,
        body: [
          { pointer: "/totalResults", equals: 1 },
          { pointer: "/Resources/0/id", equals: "{{groupId}}" },
          { pointer: "/Resources/0/members", absent: true },
        ],
      },
    },
    {
      name: "soft delete in Entra: PATCH active False",
      source: "[E3] soft delete -> active false, DELETE ~30 days later",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}",
        body: patch({ op: "Replace", path: "active", value: "False" }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "hard delete after the retention period",
      source: "[E3] DELETE /Users/{id} -> 204",
      request: { method: "DELETE", path: "/Users/{{userId}}" },
      expect: { status: 204 },
    },
    {
      name: "the deleted user answers 404",
      source: "check: RFC 7644 §3.6",
      kind: "check",
      request: { method: "GET", path: "/Users/{{userId}}" },
      expect: { status: 404, body: [{ pointer: "/status", equals: "404" }] },
    },
    {
      name: "the deleted user disappears from lookups",
      source: "[E1] matching lookup after delete",
      request: { method: "GET", path: `/Users?filter=userName+eq+"${USER_NAME}"` },
      expect: { status: 200, body: [{ pointer: "/totalResults", equals: 0 }] },
    },
    {
      name: "the deleted user is no longer a member",
      source: "check: RFC 7644 §3.6 gone from every query",
      kind: "check",
      request: { method: "GET", path: "/Groups/{{groupId}}" },
      expect: { status: 200, body: [{ pointer: "/members", values: [] }] },
    },
    {
      name: "delete the group",
      source: "[E1] DELETE /Groups/{id} -> 204",
      request: { method: "DELETE", path: "/Groups/{{groupId}}" },
      expect: { status: 204 },
    },
    {
      name: "the deleted group answers 404",
      source: "check: RFC 7644 §3.6",
      kind: "check",
      request: { method: "GET", path: "/Groups/{{groupId}}?excludedAttributes=members" },
      expect: { status: 404 },
    },
  ],
};

/**
 * Entra's documented `manager` PATCH [E1]: path `manager` (unqualified, so it
 * resolves into the enterprise extension) and the single-valued complex value
 * wrapped in a one-element array. Split from the main trace so a failure here
 * does not hide the rest of the lifecycle.
 */
export const entraIdManager: Trace = {
  id: "entra-manager",
  client: "Microsoft Entra ID (documented manager PATCH)",
  description:
    "Create a manager and a user, then set the user's manager in the documented array shape.",
  steps: [
    {
      name: "create the manager",
      source: "[E1] create request",
      request: {
        method: "POST",
        path: "/Users",
        body: { schemas: [USER], userName: MANAGER_NAME, active: true, externalId: "mgr" },
      },
      expect: { status: 201 },
      capture: { managerId: "/id" },
    },
    {
      name: "create the user",
      source: "[E1] create request",
      request: {
        method: "POST",
        path: "/Users",
        body: {
          schemas: [USER, ENTERPRISE_USER],
          userName: USER_NAME,
          active: true,
          externalId: EXTERNAL_ID,
        },
      },
      expect: { status: 201 },
      capture: { userId: "/id" },
    },
    {
      name: "update: manager in the documented array shape",
      source: "[E1] {op:Add, path:manager, value:[{$ref, value}]}",
      request: {
        method: "PATCH",
        path: "/Users/{{userId}}",
        body: patch({
          op: "Add",
          path: "manager",
          value: [{ $ref: "../Users/{{managerId}}", value: "{{managerId}}" }],
        }),
      },
      expect: { status: [200, 204] },
    },
    {
      name: "the manager is stored as a complex value",
      source: "check: RFC 7643 §4.3 manager is single-valued complex",
      kind: "check",
      request: { method: "GET", path: "/Users/{{userId}}" },
      expect: {
        status: 200,
        body: [{ pointer: `/${ENTERPRISE_USER}/manager/value`, equals: "{{managerId}}" }],
      },
    },
  ],
};
