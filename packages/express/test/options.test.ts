import { describe, expect, it } from "vitest";
import { hashToken, type ScimRouterOptions, scimRouter } from "../src/index";

const handler = async () => ({ status: 200, headers: {} });

const build = (options: unknown) => () => scimRouter(options as ScimRouterOptions);

describe("scimRouter options", () => {
  it("accepts each auth form", () => {
    expect(build({ handler, auth: { tokens: [{ token: "t".repeat(20) }] } })).not.toThrow();
    expect(
      build({ handler, auth: { tokenHashes: [{ sha256: hashToken("x"), tenant: "acme" }] } }),
    ).not.toThrow();
    expect(build({ handler, auth: { verify: async () => null } })).not.toThrow();
    expect(build({ handler, auth: { none: true } })).not.toThrow();
  });

  it.each([
    [undefined, /options must be an object/],
    [{ auth: { none: true } }, /options\.handler must be a function/],
    [{ handler }, /options\.auth is required/],
    [{ handler, auth: {} }, /needs one of tokens, tokenHashes, verify or none/],
    [
      { handler, auth: { none: true, tokens: [{ token: "abc" }] } },
      /exactly one of .* \(got tokens, none\)/,
    ],
    [{ handler, auth: { none: false } }, /auth\.none must be true/],
    [{ handler, auth: { tokens: [] } }, /auth\.tokens must be a non-empty array/],
    [{ handler, auth: { tokens: [{ token: "" }] } }, /tokens\[0\]\.token must be/],
    [{ handler, auth: { tokens: [{ token: "has space" }] } }, /tokens\[0\]\.token must be/],
    [{ handler, auth: { tokens: [{ token: "abc", tenant: "" }] } }, /tokens\[0\]\.tenant/],
    [{ handler, auth: { tokenHashes: [{ sha256: "abc", tenant: "a" }] } }, /64 hex characters/],
    [{ handler, auth: { tokenHashes: [{ sha256: hashToken("x") }] } }, /tokenHashes\[0\]\.tenant/],
    [{ handler, auth: { verify: "yes" } }, /auth\.verify must be a function/],
    [{ handler, auth: { none: true }, bodyLimit: 0 }, /bodyLimit must be a positive integer/],
    [{ handler, auth: { none: true }, bodyLimit: 1.5 }, /bodyLimit/],
    [{ handler, auth: { none: true }, trustProxy: "yes" }, /trustProxy must be a boolean/],
    [{ handler, auth: { none: true }, onError: 1 }, /onError must be a function/],
  ])("rejects %j with a TypeError", (options, message) => {
    expect(build(options)).toThrow(TypeError);
    expect(build(options)).toThrow(message);
  });

  it("rejects one token configured for two tenants, without echoing it", () => {
    const secret = "scim_supersecretvalue";
    const attempt = build({
      handler,
      auth: {
        tokens: [
          { token: secret, tenant: "acme" },
          { token: secret, tenant: "globex" },
        ],
      },
    });
    expect(attempt).toThrow(/two tenants/);
    try {
      attempt();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(secret);
    }
  });

  it("never echoes a rejected token in the error message", () => {
    const secret = "secret with spaces";
    try {
      build({ handler, auth: { tokens: [{ token: secret }] } })();
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain("secret");
    }
  });
});
