import type { ResourceTypeDefinition } from "./types";
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from "./urns";

/** The built-in `User` resource type; `groups` is derived from group membership. */
export const USER_RESOURCE_TYPE: ResourceTypeDefinition = {
  id: "User",
  name: "User",
  endpoint: "/Users",
  description: "User Account",
  schema: USER_SCHEMA,
  schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
  memberOfAttribute: "groups",
};

/** The built-in `Group` resource type; `members` is stored as a membership relation. */
export const GROUP_RESOURCE_TYPE: ResourceTypeDefinition = {
  id: "Group",
  name: "Group",
  endpoint: "/Groups",
  description: "Group",
  schema: GROUP_SCHEMA,
  schemaExtensions: [],
  membersAttribute: "members",
  displayAttribute: "displayName",
};
