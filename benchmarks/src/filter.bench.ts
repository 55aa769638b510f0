/**
 * Filter parsing and evaluation: scimkit against the peer libraries, measured
 * in the same run. `npx vitest bench --run` in benchmarks/ prints the tables and,
 * at the end, scimkit's speed as a multiple of the fastest peer.
 */
import {
  bindFilter,
  compileFilter,
  createSchemaRegistry,
  parseFilter,
  type ScimObject,
} from "@scimkit/core";
import { compileFilter as queryFilterCompile } from "scim-query-filter-parser";
import { filter as parseFilterFilter, parse as parseFilterParse } from "scim2-parse-filter";
import SCIMMY from "scimmy";
import { bench, describe } from "vitest";

const FILTERS = [
  'userName eq "bjensen@example.com"',
  'externalId eq "4045ea11-6c3c-4d07-9b6a-2f4c8f1d7e21"',
  'displayName eq "Engineering Team"',
  'userName eq "alice.wonderland@contoso.onmicrosoft.com"',
  'externalId eq "00u1abcd2EFGH3ijk4x7"',
  'emails[type eq "work" and value co "@example.com"]',
  'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
  'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
  'title pr and (userType eq "Employee" or userType eq "Intern")',
  'meta.lastModified gt "2011-05-13T04:42:34Z" and active eq true',
];

const users = createSchemaRegistry().resourceSchema("User");

interface TinybenchTask {
  name: string;
  result?: { hz: number };
  addEventListener(type: "complete", listener: () => void): void;
}

/**
 * Bench options that capture each task's ops/s when tinybench completes it, and
 * print scimkit's ratio to the fastest peer once every task of `label` has run
 * (vitest runs no afterAll hooks in bench mode).
 */
function reporter(label: string, peers: readonly string[], time = 1000) {
  const throughput = new Map<string, number>();
  const expected = [`${label}: scimkit`, ...peers.map((peer) => `${label}: ${peer}`)];
  const report = () => {
    const ours = throughput.get(`${label}: scimkit`) ?? 0;
    const [fastest] = peers
      .map((peer) => [peer, throughput.get(`${label}: ${peer}`) ?? 0] as const)
      .sort((left, right) => right[1] - left[1]);
    if (fastest === undefined) return;
    console.log(
      `${label}: scimkit is ${(ours / fastest[1]).toFixed(1)}x the fastest peer (${fastest[0]})`,
    );
  };
  return {
    time,
    setup(task: TinybenchTask, mode: "run" | "warmup") {
      if (mode !== "run") return;
      task.addEventListener("complete", () => {
        if (task.result !== undefined) throughput.set(task.name, task.result.hz);
        if (expected.every((name) => throughput.has(name))) report();
      });
    },
  };
}

/** The filters a peer accepts; a peer that rejects one parses fewer (flattering it), and we say so. */
function supported(name: string, parse: (text: string) => unknown): string[] {
  const accepted = FILTERS.filter((text) => {
    try {
      parse(text);
      return true;
    } catch {
      return false;
    }
  });
  for (const text of FILTERS) {
    if (!accepted.includes(text))
      console.log(`filter-parse: ${name} cannot parse ${text}; skipped`);
  }
  return accepted;
}

const PARSERS: Record<string, (text: string) => unknown> = {
  "scim2-parse-filter": parseFilterParse,
  "scim-query-filter-parser (parse+compile)": queryFilterCompile,
  scimmy: (text) => new SCIMMY.Types.Filter(text),
};

describe("filter-parse", () => {
  const record = reporter("filter-parse", Object.keys(PARSERS));
  bench(
    "filter-parse: scimkit",
    () => {
      for (const text of FILTERS) if (!parseFilter(text).ok) throw new Error(text);
    },
    record,
  );
  bench(
    "filter-parse: scimkit parse+bind (informative)",
    () => {
      for (const text of FILTERS) {
        const parsed = parseFilter(text);
        if (!parsed.ok || !bindFilter(parsed.value, users).ok) throw new Error(text);
      }
    },
    record,
  );
  for (const [name, parse] of Object.entries(PARSERS)) {
    const accepted = supported(name, parse);
    bench(
      `filter-parse: ${name}`,
      () => {
        for (const text of accepted) parse(text);
      },
      record,
    );
  }
});

/** 10 000 users shaped like what Entra and Okta provision. */
const population: ScimObject[] = Array.from({ length: 10_000 }, (_, index) => ({
  id: `id-${index}`,
  userName: `user${index}@example.com`,
  externalId: `ext-${index}`,
  displayName: `User ${index}`,
  name: { givenName: `Given${index}`, familyName: `Family${index}` },
  userType: index % 3 === 0 ? "Employee" : "Contractor",
  ...(index % 4 === 0 ? { title: "Engineer" } : {}),
  active: index % 10 !== 0,
  emails: [
    {
      value: `user${index}@${index % 2 === 0 ? "example.com" : "example.org"}`,
      type: "work",
      primary: true,
    },
    { value: `home${index}@mail.test`, type: "home" },
  ],
  meta: {
    resourceType: "User",
    lastModified: `2024-01-${String((index % 28) + 1).padStart(2, "0")}T10:00:00.000Z`,
  },
}));

const EVALUATED = {
  lookup: 'userName eq "user7777@example.com"',
  complex:
    'userType eq "Employee" and (emails[type eq "work" and value co "@example.com"] or title pr)',
};

for (const [kind, text] of Object.entries(EVALUATED)) {
  const label = `filter-evaluate-${kind}`;
  const parsed = parseFilter(text);
  const bound = parsed.ok ? bindFilter(parsed.value, users) : parsed;
  if (!bound.ok) throw bound.error;
  const predicate = compileFilter(bound.value);
  const scim2ParseFilter = parseFilterFilter(parseFilterParse(text));
  const queryFilter = queryFilterCompile(text);
  const scimmy = new SCIMMY.Types.Filter(text);
  const counts = {
    scimkit: population.filter(predicate).length,
    "scim2-parse-filter": population.filter(scim2ParseFilter).length,
    "scim-query-filter-parser": population.filter(queryFilter).length,
    scimmy: scimmy.match(population).length,
  };

  console.log(`${label}: matches per library ${JSON.stringify(counts)}`);
  describe(label, () => {
    const record = reporter(label, ["scim2-parse-filter", "scim-query-filter-parser", "scimmy"]);
    bench(`${label}: scimkit`, () => void population.filter(predicate), record);
    bench(`${label}: scim2-parse-filter`, () => void population.filter(scim2ParseFilter), record);
    bench(`${label}: scim-query-filter-parser`, () => void population.filter(queryFilter), record);
    bench(`${label}: scimmy`, () => void scimmy.match(population), { ...record, time: 300 });
  });
}
