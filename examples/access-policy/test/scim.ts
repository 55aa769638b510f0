import { expect } from "vitest";
import { PATCH_OP, type RunningApp } from "./start-app";

const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";

/** Small SCIM calls for the scenarios no recorded trace covers (nested groups, soft delete). */
export async function createUser(
  app: RunningApp,
  userName: string,
  displayName?: string,
): Promise<string> {
  const response = await app.scim("/Users", {
    method: "POST",
    body: JSON.stringify({
      schemas: [USER_SCHEMA],
      userName,
      active: true,
      ...(displayName === undefined ? {} : { displayName }),
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

export async function createGroup(
  app: RunningApp,
  displayName: string,
  members: readonly string[] = [],
  externalId?: string,
): Promise<string> {
  const response = await app.scim("/Groups", {
    method: "POST",
    body: JSON.stringify({
      schemas: [GROUP_SCHEMA],
      displayName,
      ...(externalId === undefined ? {} : { externalId }),
      members: members.map((value) => ({ value })),
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

export async function patch(app: RunningApp, path: string, ...operations: unknown[]) {
  const response = await app.scim(path, {
    method: "PATCH",
    body: JSON.stringify({ schemas: [PATCH_OP], Operations: operations }),
  });
  expect([200, 204]).toContain(response.status);
}

export async function remove(app: RunningApp, path: string) {
  const response = await app.scim(path, { method: "DELETE" });
  expect(response.status).toBe(204);
}
