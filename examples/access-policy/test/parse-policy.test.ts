import { describe, expect, it } from "vitest";
import { parseDestination, parseGroupRef, parsePolicy } from "../src/policy/parse-policy";

describe("parsePolicy", () => {
  it("reads Tailscale's shape: lower-cased names with spaces, ids, ports and *", () => {
    const result = parsePolicy(
      JSON.stringify({
        domain: "Example.COM",
        nestedGroups: true,
        acls: [
          {
            action: "accept",
            src: ["group:All Employees@example.com", "group:8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"],
            dst: ["tag:web:*", "tag:db:5432"],
          },
        ],
      }),
    );
    expect(result).toEqual({
      ok: true,
      policy: {
        domain: "example.com",
        nestedGroups: true,
        rules: [
          {
            index: 0,
            src: [
              {
                kind: "name",
                text: "group:All Employees@example.com",
                name: "all employees",
                domain: "example.com",
              },
              {
                kind: "id",
                text: "group:8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                id: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
              },
            ],
            dst: [
              { text: "tag:web:*", tag: "web", port: "*" },
              { text: "tag:db:5432", tag: "db", port: 5432 },
            ],
          },
        ],
      },
    });
  });

  it("defaults: no domain, nested groups off; an empty acls list grants nothing", () => {
    expect(parsePolicy('{"acls": []}')).toEqual({
      ok: true,
      policy: { nestedGroups: false, rules: [] },
    });
  });

  it.each([
    ["", /^not valid JSON/],
    ["[]", /^the policy must be a JSON object$/],
    ['{"acls": {}}', /^"acls" must be an array of rules$/],
    ['{"acls": [], "domain": "not a domain"}', /^"domain" must be a domain name/],
    ['{"acls": [], "nestedGroups": "yes"}', /^"nestedGroups" must be true or false$/],
    ['{"acls": [7]}', /^acls\[0\] must be an object$/],
    [
      '{"acls": [{"action": "accept", "src": ["group:a@b.c"], "dst": ["tag:x:1"], "ports": 1}]}',
      /unknown key "ports"/,
    ],
    [
      '{"acls": [{"action": "accept", "src": ["group:@b.c"], "dst": ["tag:x:1"]}]}',
      /names no group before the @/,
    ],
    [
      '{"acls": [{"action": "accept", "src": [""], "dst": ["tag:x:1"]}]}',
      /must be a string of 1 to 512/,
    ],
    [
      '{"acls": [{"action": "accept", "src": ["group:a@b.c"], "dst": ["tag:1x:1"]}]}',
      /must start with a letter/,
    ],
  ])("refuses %j", (text, message) => {
    const result = parsePolicy(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatch(message);
  });

  it("bounds the number of rules, entries and reported errors", () => {
    const rule = { action: "accept", src: ["group:a@b.c"], dst: ["tag:x:1"] };
    const tooMany = parsePolicy(
      JSON.stringify({ acls: Array.from({ length: 10_001 }, () => rule) }),
    );
    expect(tooMany).toEqual({
      ok: false,
      errors: ['"acls" has 10001 rules; at most 10000 are allowed'],
    });
    const wide = parsePolicy(
      JSON.stringify({
        acls: [{ ...rule, src: Array.from({ length: 1001 }, () => "group:a@b.c") }],
      }),
    );
    expect(wide).toEqual({
      ok: false,
      errors: ["acls[0].src has 1001 entries; at most 1000 are allowed"],
    });
    const broken = parsePolicy(
      JSON.stringify({
        acls: Array.from({ length: 50 }, () => ({ action: "deny", src: rule.src, dst: rule.dst })),
      }),
    );
    expect(broken.ok === false && broken.errors.length).toBe(20);
  });
});

describe("references and destinations", () => {
  it("splits a name at its last @ and checks the policy's domain", () => {
    expect(parseGroupRef("group: Engineering @example.com", undefined)).toMatchObject({
      kind: "name",
      name: "engineering",
    });
    expect(parseGroupRef("group:eng@example.org", "example.com")).toMatch(
      /this policy's domain is example.com/,
    );
    expect(parseGroupRef("group:00g1abcd", "example.com")).toEqual({
      kind: "id",
      text: "group:00g1abcd",
      id: "00g1abcd",
    });
  });

  it("a request names one port; a rule may name * ", () => {
    expect(parseDestination("tag:db:*", { allowAnyPort: true })).toMatchObject({ port: "*" });
    expect(parseDestination("tag:db:*", { allowAnyPort: false })).toMatch(
      /must be a number from 1 to 65535$/,
    );
    expect(parseDestination("tag:db:65535", { allowAnyPort: false })).toMatchObject({
      port: 65535,
    });
    expect(parseDestination("tag:db:007", { allowAnyPort: false })).toMatchObject({ port: 7 });
  });
});
