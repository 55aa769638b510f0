import * as crypto from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { findTenant, readBearerToken } from "../src/authenticate";
import { generateToken, hashToken, TOKEN_PREFIX, tokenDigest } from "../src/hash-token";

vi.mock("node:crypto", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:crypto")>();
  return {
    ...original,
    timingSafeEqual: vi.fn((left: NodeJS.ArrayBufferView, right: NodeJS.ArrayBufferView) =>
      original.timingSafeEqual(left, right),
    ),
  };
});

const entries = [
  { digest: tokenDigest("token-one"), tenant: "acme" },
  { digest: tokenDigest("token-two"), tenant: "acme" },
  { digest: tokenDigest("token-three"), tenant: "globex" },
];

describe("findTenant", () => {
  beforeEach(() => {
    vi.mocked(crypto.timingSafeEqual).mockClear();
  });

  it("finds the tenant of any configured token", () => {
    expect(findTenant("token-one", entries)).toBe("acme");
    expect(findTenant("token-two", entries)).toBe("acme");
    expect(findTenant("token-three", entries)).toBe("globex");
    expect(findTenant("token-four", entries)).toBeUndefined();
    expect(findTenant("token-on", entries)).toBeUndefined();
  });

  it("compares the digest against every entry in constant time, even after a match", () => {
    findTenant("token-one", entries);
    const compare = vi.mocked(crypto.timingSafeEqual);
    expect(compare).toHaveBeenCalledTimes(entries.length);
    for (const [index, entry] of entries.entries()) {
      expect(compare.mock.calls[index]?.[0]).toEqual(tokenDigest("token-one"));
      expect(compare.mock.calls[index]?.[1]).toBe(entry.digest);
    }
  });

  it("compares the same number of times when nothing matches", () => {
    findTenant("nope", entries);
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(entries.length);
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

describe("hashToken and generateToken", () => {
  it("hashes with SHA-256 as lower-case hex", () => {
    expect(hashToken("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("generates prefixed base64url tokens with 32 random bytes", () => {
    const tokens = new Set(Array.from({ length: 50 }, () => generateToken()));
    expect(tokens.size).toBe(50);
    for (const token of tokens) {
      expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
      const random = token.slice(TOKEN_PREFIX.length);
      expect(random).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(random, "base64url")).toHaveLength(32);
    }
  });
});
