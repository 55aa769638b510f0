import {
  attribute,
  createSchemaRegistry,
  defineSchema,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  type MemberRef,
  type SchemaRegistry,
  type ScimObject,
  USER_SCHEMA,
} from "@scimkit/core";

/**
 * The fixed data set every store is tested against: users and groups whose
 * attributes cover strings (caseExact and not), booleans, integers, decimals,
 * dateTimes, multi-valued simple and complex attributes, the EnterpriseUser
 * extension, a custom extension, and nested group membership.
 */

/** A custom User extension with typed attributes the built-in schemas lack. */
export const CONFORMANCE_EXTENSION =
  "urn:example:params:scim:schemas:extension:conformance:2.0:User";

export const conformanceExtensionSchema = defineSchema({
  id: CONFORMANCE_EXTENSION,
  name: "ConformanceUser",
  description: "Typed attributes for the store conformance suite.",
  attributes: [
    attribute("level", "integer"),
    attribute("score", "decimal"),
    attribute("hiredAt", "dateTime"),
    attribute("badge", "string", { caseExact: true }),
    attribute("tags", "string", { multiValued: true }),
  ],
});

/** The registry the suite binds filters with: built-ins plus the custom extension. */
export function conformanceRegistry(): SchemaRegistry {
  return createSchemaRegistry({
    schemas: [conformanceExtensionSchema],
    extensions: [{ resourceType: "User", schema: CONFORMANCE_EXTENSION }],
  });
}

/** A fixed, valid UUID per fixture key, so stores with uuid id columns accept them. */
export function fixtureId(kind: "user" | "group" | "extra", index: number): string {
  const prefix = { user: "1", group: "2", extra: "3" }[kind];
  return `00000000-0000-4000-8000-${prefix}${String(index).padStart(11, "0")}`;
}

export type UserKey = "u1" | "u2" | "u3" | "u4" | "u5" | "u6" | "u7" | "u8";
export type GroupKey = "g1" | "g2" | "g3" | "g4";

export const USER_KEYS: readonly UserKey[] = ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"];
export const GROUP_KEYS: readonly GroupKey[] = ["g1", "g2", "g3", "g4"];

/** Fixture key -> id. */
export const ids: Readonly<Record<UserKey | GroupKey, string>> = Object.fromEntries([
  ...USER_KEYS.map((key, index) => [key, fixtureId("user", index + 1)]),
  ...GROUP_KEYS.map((key, index) => [key, fixtureId("group", index + 1)]),
]) as Record<UserKey | GroupKey, string>;

const userSchemas = [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, CONFORMANCE_EXTENSION];

const user = (
  core: ScimObject,
  enterprise: ScimObject | undefined,
  custom: ScimObject | undefined,
): ScimObject => ({
  schemas: userSchemas,
  ...core,
  ...(enterprise === undefined ? {} : { [ENTERPRISE_USER_SCHEMA]: enterprise }),
  ...(custom === undefined ? {} : { [CONFORMANCE_EXTENSION]: custom }),
});

/** The users, created in key order at 2024-01-0N (u3 is updated on 2024-02-01). */
export const users: Readonly<Record<UserKey, ScimObject>> = {
  u1: user(
    {
      userName: "alice",
      externalId: "EXT-alice",
      displayName: "Alice Anders",
      name: { givenName: "Alice", familyName: "Anders", formatted: "Alice Anders" },
      nickName: "Al",
      title: "Engineer",
      userType: "Employee",
      active: true,
      emails: [
        { value: "alice@example.com", type: "work", primary: true },
        { value: "alice@home.example.org", type: "home" },
      ],
    },
    {
      employeeNumber: "1001",
      department: "Engineering",
      costCenter: "CC-1",
      manager: { value: fixtureId("user", 5) },
    },
    { level: 3, score: 4.5, hiredAt: "2020-01-15T09:00:00Z", badge: "Gold", tags: ["blue", "red"] },
  ),
  u2: user(
    {
      userName: "Bob",
      externalId: "ext-bob",
      displayName: "Bob Brown",
      name: { givenName: "Bob", familyName: "Brown" },
      title: "engineer",
      userType: "Contractor",
      active: false,
      emails: [{ value: "bob@example.com", type: "work", primary: true }],
    },
    { employeeNumber: "1002", department: "Engineering" },
    { level: 1, score: 2.25, hiredAt: "2021-06-01T00:00:00Z", badge: "gold", tags: ["red"] },
  ),
  u3: user(
    {
      userName: "carol",
      externalId: "EXT-carol",
      displayName: "Carol Chen",
      name: { givenName: "Carol", familyName: "Chen" },
      title: "Manager",
      userType: "Employee",
      active: true,
      emails: [
        { value: "carol@example.com", type: "work" },
        { value: "zed.carol@example.net", type: "other", primary: true },
      ],
      phoneNumbers: [{ value: "+1-555-0100", type: "work" }],
    },
    { employeeNumber: "1003", department: "Sales", costCenter: "CC-2" },
    { level: 5, score: 9.75, hiredAt: "2019-03-10T12:30:00Z", badge: "Silver" },
  ),
  u4: user(
    {
      userName: "dave",
      displayName: "Dave Dunn",
      name: { familyName: "Dunn" },
      userType: "Employee",
      active: true,
    },
    undefined,
    { level: 2, hiredAt: "2022-11-30T23:59:59Z" },
  ),
  u5: user(
    {
      userName: "Eve",
      externalId: "EXT-eve",
      displayName: "Eve Evans",
      name: { givenName: "Eve", familyName: "Evans" },
      title: "Director",
      userType: "Employee",
      active: true,
      emails: [{ value: "eve@example.com", type: "work", primary: true }],
    },
    { employeeNumber: "1005", department: "Sales", costCenter: "CC-2" },
    { level: 7, score: 8, hiredAt: "2018-07-04T08:00:00Z", badge: "GOLD", tags: ["blue"] },
  ),
  u6: user(
    {
      userName: "frank.o'neil",
      externalId: "EXT-frank",
      displayName: "Frank O'Neil",
      name: { givenName: "Frank", familyName: "O'Neil" },
      title: "Engineer",
      userType: "Intern",
      active: false,
      emails: [{ value: "frank@EXAMPLE.com", type: "work" }],
    },
    undefined,
    { level: 0, score: 0, tags: ["green"] },
  ),
  u7: user(
    {
      userName: "grace@example.com",
      externalId: "EXT-grace",
      displayName: "Grace Hopper",
      name: { givenName: "Grace", familyName: "Hopper" },
      userType: "Employee",
      active: true,
      emails: [
        { value: "grace@example.com", type: "work", primary: true },
        { value: "grace@example.org", type: "home" },
      ],
    },
    { employeeNumber: "1007", department: "Research" },
    { level: 10, score: 10.5, hiredAt: "2017-02-28T10:00:00Z", badge: "Platinum" },
  ),
  u8: user(
    {
      userName: "heidi",
      externalId: "ext-HEIDI",
      displayName: "Heidi Hansen",
      name: { givenName: "Heidi", familyName: "Hansen" },
      nickName: "H",
      title: "Engineering Manager",
      userType: "Contractor",
      active: true,
    },
    { department: "engineering" },
    {
      level: 4,
      score: 4.5,
      hiredAt: "2023-05-05T05:05:05Z",
      badge: "Bronze",
      tags: ["yellow", "blue"],
    },
  ),
};

const member = (key: UserKey | GroupKey): MemberRef =>
  key.startsWith("g")
    ? { value: ids[key], type: "Group" }
    : { value: ids[key], type: "User", display: String(users[key as UserKey].displayName) };

/** The groups (created 2024-01-10 to 2024-01-13) and their members in insertion order. */
export const groups: Readonly<
  Record<GroupKey, { readonly data: ScimObject; readonly members: readonly MemberRef[] }>
> = {
  g1: {
    data: { schemas: [GROUP_SCHEMA], displayName: "Admins", externalId: "grp-admins" },
    members: [member("u1"), member("u5")],
  },
  g2: {
    data: { schemas: [GROUP_SCHEMA], displayName: "Engineering" },
    members: [member("u1"), member("u2"), member("u6"), member("u8")],
  },
  g3: {
    data: { schemas: [GROUP_SCHEMA], displayName: "Sales" },
    members: [member("u3"), member("u5"), member("g1")],
  },
  g4: { data: { schemas: [GROUP_SCHEMA], displayName: "Empty Group" }, members: [] },
};

/** When each fixture was created; u3 is modified again at `U3_MODIFIED`. */
export const createdAt = (key: UserKey | GroupKey): string => {
  const day = key.startsWith("u") ? Number(key.slice(1)) : 9 + Number(key.slice(1));
  return `2024-01-${String(day).padStart(2, "0")}T00:00:00.000Z`;
};
export const U3_MODIFIED = "2024-02-01T00:00:00.000Z";
