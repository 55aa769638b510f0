import { createHash } from "node:crypto";
import { ScimError } from "@scimkit/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AdapterRequest } from "../src/adapter-types";
import { authenticate, findEntry, readBearerToken } from "../src/scim-endpoint";
import * as token from "../src/token";
import { generateToken, hashToken, TOKEN_PREFIX } from "../src/token";

vi.mock("../src/token", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/token")>();
  return { ...original, digestsEqual: vi.fn(original.digestsEqual) };
});

const digest = (value: string) => new Uint8Array(createHash("sha256").update(value).digest());
const entries = [
  { digest: digest("token-one"), tenant: "acme", tokenId: "one" },
  { digest: digest("token-two"), tenant: "acme", tokenId: undefined },
  { digest: digest("token-three"), tenant: "globex", tokenId: "three" },
];

describe("findEntry", () => {
  beforeEach(() => {
    vi.mocked(token.digestsEqual).mockClear();
  });

  it("finds the entry of any configured token", () => {
    expect(findEntry(digest("token-one"), entries)?.tenant).toBe("acme");
    expect(findEntry(digest("token-two"), entries)?.tenant).toBe("acme");
    expect(findEntry(digest("token-three"), entries)?.tokenId).toBe("three");
    expect(findEntry(digest("token-four"), entries)).toBeUndefined();
    expect(findEntry(digest("token-on"), entries)).toBeUndefined();
  });

  it("compares the digest against every entry, even after a match", () => {
    findEntry(digest("token-one"), entries);
    const compare = vi.mocked(token.digestsEqual);
    expect(compare).toHaveBeenCalledTimes(entries.length);
    for (const [index, entry] of entries.entries()) {
      expect(compare.mock.calls[index]?.[0]).toEqual(digest("token-one"));
      expect(compare.mock.calls[index]?.[1]).toBe(entry.digest);
    }
  });

  it("compares the same number of times when nothing matches", () => {
    findEntry(digest("nope"), entries);
    expect(token.digestsEqual).toHaveBeenCalledTimes(entries.length);
  });
});

describe("digestsEqual", () => {
  it("is true only for equal bytes of equal length", () => {
    expect(token.digestsEqual(digest("a"), digest("a"))).toBe(true);
    expect(token.digestsEqual(digest("a"), digest("b"))).toBe(false);
    const last = digest("a");
    const changed = Uint8Array.from(last);
    changed[31] = (changed[31] as number) ^ 1;
    expect(token.digestsEqual(last, changed)).toBe(false);
    expect(token.digestsEqual(last, last.subarray(0, 31))).toBe(false);
  });
});

describe("readBearerToken", () => {
  it("accepts the scheme in any case", () => {
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      expect(readBearerToken(`${scheme} abc.def`)).toEqual({ ok: true, token: "abc.def" });
    }
    expect(readBearerToken("  Bearer \t abc  ")).toEqual({ ok: true, token: "abc" });
  });

  it("tells missing credentials from a wrong scheme", () => {
    expect(readBearerToken(undefined)).toEqual({ ok: false, failure: "missing" });
    expect(readBearerToken("   ")).toEqual({ ok: false, failure: "missing" });
    expect(readBearerToken("Bearer")).toEqual({ ok: false, failure: "missing" });
    expect(readBearerToken("Basic dXNlcjpwYXNz")).toEqual({ ok: false, failure: "scheme" });
    expect(readBearerToken("abc")).toEqual({ ok: false, failure: "scheme" });
    expect(readBearerToken("Bearer a b")).toEqual({ ok: false, failure: "scheme" });
  });

  it("refuses oversized headers without scanning them", () => {
    expect(readBearerToken(`Bearer ${"a".repeat(10_000)}`)).toEqual({
      ok: false,
      failure: "invalid",
    });
  });
});

describe("authenticate with verify", () => {
  const request = (authorization: string): AdapterRequest<string> => ({
    raw: "raw-request",
    method: "GET",
    target: "/Users",
    mountPath: "",
    headers: { authorization },
    protocol: "http",
    host: "x",
    body: { kind: "none" },
  });

  it("passes the token and the raw request, and the tokenId on", async () => {
    const verify = vi.fn(async () => ({ tenant: "acme", tokenId: "tok-7" }));
    const outcome = await authenticate({ kind: "verify", verify }, request("Bearer abc"));
    expect(outcome).toEqual({ ok: true, principal: { tenant: "acme", tokenId: "tok-7" } });
    expect(verify).toHaveBeenCalledWith("abc", "raw-request");
  });

  it("answers a thrown 4xx ScimError as itself and rethrows anything else", async () => {
    const forbidden = new ScimError({ status: 403, detail: "Provisioning is disabled." });
    const refused = await authenticate(
      {
        kind: "verify",
        verify: () => {
          throw forbidden;
        },
      },
      request("Bearer abc"),
    );
    expect(refused).toEqual({ ok: false, error: forbidden });
    const unavailable = new ScimError({ status: 503, detail: "down" });
    await expect(
      authenticate(
        {
          kind: "verify",
          verify: async () => {
            throw unavailable;
          },
        },
        request("Bearer abc"),
      ),
    ).rejects.toBe(unavailable);
  });

  it("refuses a verify result without a tenant or with a non-string tokenId", async () => {
    await expect(
      authenticate({ kind: "verify", verify: async () => ({ tenant: "" }) }, request("Bearer a")),
    ).rejects.toThrow(/non-empty string tenant/);
    await expect(
      authenticate(
        { kind: "verify", verify: async () => ({ tenant: "t", tokenId: 7 as never }) },
        request("Bearer a"),
      ),
    ).rejects.toThrow(/tokenId/);
  });
});

describe("hashToken and generateToken", () => {
  it("hashes with SHA-256 as lower-case hex", async () => {
    expect(await hashToken("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("generates prefixed base64url tokens with 32 random bytes", () => {
    const tokens = new Set(Array.from({ length: 50 }, () => generateToken()));
    expect(tokens.size).toBe(50);
    for (const value of tokens) {
      expect(value.startsWith(TOKEN_PREFIX)).toBe(true);
      const random = value.slice(TOKEN_PREFIX.length);
      expect(random).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(random, "base64url")).toHaveLength(32);
    }
  });
});
