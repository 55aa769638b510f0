import { type CheckContext, expectList, fail, pick, SEARCH_REQUEST_SCHEMA, show } from "../check";
import type { HttpAnswer, JsonObject } from "../scim-client";

export type FixtureName = "alice" | "bob" | "carol" | "dave";

/** Four users under one sub-prefix, so filters and pages can be scoped to exactly them. */
export interface UserSet {
  /** `<run prefix>f-`: `userName sw` this selects the four users only. */
  readonly scope: string;
  readonly ids: Readonly<Record<FixtureName, string>>;
  readonly users: Readonly<Record<FixtureName, JsonObject>>;
  readonly userName: (name: FixtureName) => string;
  /** Fixture name of an id, or the id itself when it is not one of the four. */
  readonly nameOf: (id: unknown) => string;
}

/** alice < bob < carol < dave by userName; see the bodies for what each has. */
export function userSet(context: CheckContext): Promise<UserSet> {
  return context.shared("users.set", async () => {
    const scope = `${context.prefix}f-`;
    const userName = (name: FixtureName) => `${scope}${name}@example.com`;
    const bodies: Record<FixtureName, JsonObject> = {
      alice: {
        userName: userName("alice"),
        externalId: `${context.prefix}Ext-Alice`,
        displayName: 'Alice "A" Anders',
        nickName: "ally",
        title: "Engineer",
        active: true,
        name: { givenName: "Alice", familyName: "Anders" },
        emails: [{ value: `${scope}alice@work.example.com`, type: "work", primary: true }],
      },
      bob: {
        userName: userName("bob"),
        externalId: `${context.prefix}Ext-Bob`,
        displayName: "Bob Brown",
        title: "Manager",
        active: false,
        name: { givenName: "Bob", familyName: "Brown" },
        emails: [
          { value: `${scope}bob@work.example.com`, type: "work", primary: true },
          { value: `${scope}bob@home.example.com`, type: "home" },
        ],
      },
      carol: {
        userName: userName("carol"),
        displayName: "Carol Clark",
        title: "Engineer",
        active: true,
      },
      dave: { userName: userName("dave"), displayName: "Dave Davis", active: false },
    };
    const users = {} as Record<FixtureName, JsonObject>;
    const ids = {} as Record<FixtureName, string>;
    for (const name of Object.keys(bodies) as FixtureName[]) {
      const user = await context.createUser(bodies[name]);
      users[name] = user;
      ids[name] = String(user.id);
    }
    const names = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
    return { scope, ids, users, userName, nameOf: (id) => names.get(String(id)) ?? String(id) };
  });
}

/** `userName sw "<scope>" and (<expression>)`: the expression, limited to the four users. */
export const scoped = (set: UserSet, expression: string) =>
  `userName sw "${set.scope}" and (${expression})`;

/** GET the collection with a filter (and more query), expecting a ListResponse. */
export async function query(
  context: CheckContext,
  filter: string,
  extra: Record<string, string | number> = {},
): Promise<{ answer: HttpAnswer; resources: JsonObject[] }> {
  const answer = await context.request("GET", context.users, { query: { filter, ...extra } });
  return { answer, resources: expectList(answer) };
}

/** POST /Users/.search with a SearchRequest body. */
export async function search(
  context: CheckContext,
  body: JsonObject,
): Promise<{ answer: HttpAnswer; resources: JsonObject[] }> {
  const answer = await context.request("POST", `${context.users}/.search`, {
    body: { schemas: [SEARCH_REQUEST_SCHEMA], ...body },
  });
  return { answer, resources: expectList(answer) };
}

/** The fixture names a list answered, sorted; fails when totalResults disagrees. */
export function namesOf(set: UserSet, answer: HttpAnswer, resources: JsonObject[]): string[] {
  const total = pick(answer.body, "totalResults");
  if (total !== resources.length && pick(answer.body, "startIndex") === 1) {
    // Only comparable when the whole result fits one page, as these small sets do.
    if (typeof total === "number" && total < 50)
      fail(`totalResults is ${show(total)} for ${resources.length} Resources`);
  }
  return resources.map((resource) => set.nameOf(resource.id)).sort();
}

/** Runs a scoped filter and compares the matching fixture names. */
export async function expectMatches(
  context: CheckContext,
  expression: string,
  expected: FixtureName[],
): Promise<string> {
  const set = await userSet(context);
  const { answer, resources } = await query(context, scoped(set, expression));
  const got = namesOf(set, answer, resources);
  const want = [...expected].sort();
  if (got.join(",") !== want.join(",")) {
    fail(`filter ${expression} matched [${got.join(", ")}], expected [${want.join(", ")}]`);
  }
  return `matched [${got.join(", ")}]`;
}
