import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { versionTag } from "../src/repository/to-resource";
import { etagMatches, versionFromETag } from "../src/service/etag";

describe("ETag matching", () => {
  it("a version's own tag matches it and no other version", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (version, other) => {
          expect(etagMatches(versionTag(version), version)).toBe(true);
          expect(versionFromETag(versionTag(version))).toBe(version);
          expect(etagMatches(versionTag(version), other)).toBe(version === other);
        },
      ),
    );
  });

  it("accepts *, lists, strong and unquoted forms as clients send them", () => {
    expect(etagMatches("*", 7)).toBe(true);
    expect(etagMatches('W/"1", W/"7"', 7)).toBe(true);
    expect(etagMatches('"7"', 7)).toBe(true);
    expect(etagMatches("7", 7)).toBe(true);
    expect(etagMatches('W/"70"', 7)).toBe(false);
    expect(etagMatches("", 7)).toBe(false);
    expect(etagMatches('W/"', 7)).toBe(false);
  });

  it("names a version for a guarded write only for one tag this server could have issued", () => {
    expect(versionFromETag('W/"12"')).toBe(12);
    expect(versionFromETag("*")).toBeUndefined();
    expect(versionFromETag('W/"1", W/"2"')).toBeUndefined();
    expect(versionFromETag('W/"abc"')).toBeUndefined();
    expect(versionFromETag('W/"0"')).toBeUndefined();
    expect(versionFromETag(`W/"${"9".repeat(40)}"`)).toBeUndefined();
  });
});
