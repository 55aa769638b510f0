import { generateKeyPairSync } from "node:crypto";
import { type FeedChange, toFeedChange } from "@scimkit/core";
import { describe, expect, it } from "vitest";
import {
  changeId,
  createSecurityEventIssuer,
  SCIM_EVENT_URIS,
  type SetSigningKey,
  type SetVerificationKey,
  securityEventsConfig,
  securityEventUris,
  verifySecurityEventToken,
} from "../src";
import { directory } from "./helpers/directory";

const SECRET = "a-shared-secret-of-at-least-32-bytes!";
const ISSUER = "https://sp.example.com/scim/v2";
const hs256: SetSigningKey = { alg: "HS256", secret: SECRET };
const hs256Key: SetVerificationKey = { alg: "HS256", secret: SECRET };

const decode = (token: string) => {
  const [header, claims] = token.split(".") as [string, string];
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString()),
    claims: JSON.parse(Buffer.from(claims, "base64url").toString()),
  };
};

/** A service with writes of every kind, and its feed as consumers see it. */
async function writes() {
  const scim = directory({ deletion: { mode: "soft", retentionDays: 0 } });
  const ann = await scim.user("ann@example.com", { externalId: "ann-ext" });
  const bob = await scim.user("bob@example.com");
  const group = await scim.group("Engineering", [ann.id]);
  await scim.patch(`/Users/${ann.id}`, [{ op: "replace", path: "active", value: false }]);
  await scim.patch(`/Users/${ann.id}`, [{ op: "replace", path: "active", value: true }]);
  await scim.patch(`/Groups/${group.id}`, [
    { op: "add", path: "members", value: [{ value: bob.id }] },
    { op: "remove", path: `members[value eq "${ann.id}"]` },
  ]);
  await scim.patch(`/Groups/${group.id}`, [{ op: "replace", path: "displayName", value: "Eng" }]);
  await scim.call("DELETE", `/Users/${bob.id}`);
  await scim.service.purgeExpired({ now: new Date(Date.now() + 1000) });
  const changes = (await scim.store.feed!.read("acme", { after: 0, limit: 100 })).map(toFeedChange);
  return { scim, ann, bob, group, changes };
}

const issued = (
  change: FeedChange,
  options: Partial<Parameters<typeof createSecurityEventIssuer>[0]> = {},
) => {
  const issue = createSecurityEventIssuer({
    issuer: ISSUER,
    signing: hs256,
    now: () => 1_700_000_000_000,
    ...options,
  });
  const result = issue.issue(change);
  return result === undefined ? undefined : { ...result, ...decode(result.token) };
};

describe("RFC 9967 events for scimkit's changes", () => {
  it("maps every change to the RFC's event URIs and payloads (full mode)", async () => {
    const { ann, bob, group, changes } = await writes();
    const events = changes.map((change) => ({ type: change.type, set: issued(change) }));
    const uris = events.map(({ type, set }) => [
      type,
      set === undefined ? undefined : Object.keys(set.claims.events),
    ]);
    expect(uris).toEqual([
      ["user.created", [SCIM_EVENT_URIS.createFull]],
      ["user.created", [SCIM_EVENT_URIS.createFull]],
      ["group.created", [SCIM_EVENT_URIS.createFull]],
      ["user.updated", [SCIM_EVENT_URIS.putFull]],
      ["user.deactivated", [SCIM_EVENT_URIS.deactivate]],
      ["user.updated", [SCIM_EVENT_URIS.putFull]],
      ["user.reactivated", [SCIM_EVENT_URIS.activate]],
      ["group.membersChanged", [SCIM_EVENT_URIS.patchFull]],
      ["group.updated", [SCIM_EVENT_URIS.putFull]],
      ["group.renamed", undefined], // the group.updated of the same write carries it
      ["user.deactivated", [SCIM_EVENT_URIS.deactivate]], // a soft delete suspends first
      ["user.deleted", [SCIM_EVENT_URIS.delete]],
      ["user.purged", undefined], // deleted already
    ]);
    const created = events[0]!.set!;
    expect(created.claims.sub_id).toEqual({
      format: "scim",
      uri: `/Users/${ann.id}`,
      id: ann.id,
      externalId: "ann-ext",
    });
    const createFull = created.claims.events[SCIM_EVENT_URIS.createFull];
    expect(createFull.data).toMatchObject({
      id: ann.id,
      userName: "ann@example.com",
      externalId: "ann-ext",
    });
    expect(createFull.version).toBe((ann.meta as { version: string }).version);
    // A group's creation carries its members.
    const groupCreated = events[2]!.set!.claims;
    expect(groupCreated.sub_id.uri).toBe(`/Groups/${group.id}`);
    expect(groupCreated.events[SCIM_EVENT_URIS.createFull].data.members).toEqual([
      { value: ann.id },
    ]);
    // A membership change is a PatchOp with exactly the members added and removed.
    expect(events[7]!.set!.claims.events[SCIM_EVENT_URIS.patchFull]).toEqual({
      data: {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [
          { op: "add", path: "members", value: [{ value: bob.id }] },
          { op: "remove", path: `members[value eq "${ann.id}"]` },
        ],
      },
    });
    // Activation events and deletes have no payload (RFC 9967 §2.4.4-2.4.6).
    expect(events[4]!.set!.claims.events).toEqual({ [SCIM_EVENT_URIS.deactivate]: {} });
    expect(events[11]!.set!.claims.events).toEqual({ [SCIM_EVENT_URIS.delete]: {} });
    expect(events[11]!.set!.claims.sub_id).toEqual({
      format: "scim",
      uri: `/Users/${bob.id}`,
      id: bob.id,
    });
  });

  it("sends attribute names instead of data in notice mode", async () => {
    const { changes } = await writes();
    const notice = (index: number) => issued(changes[index]!, { mode: "notice" })!.claims.events;
    expect(Object.keys(notice(0))).toEqual([SCIM_EVENT_URIS.createNotice]);
    const created = notice(0)[SCIM_EVENT_URIS.createNotice]!;
    expect([...(created.attributes as string[])].sort()).toEqual(["externalId", "id", "userName"]);
    expect(created.version).toEqual(expect.any(String));
    expect(notice(2)[SCIM_EVENT_URIS.createNotice]!.attributes).toContain("members");
    expect(Object.keys(notice(3))).toEqual([SCIM_EVENT_URIS.putNotice]);
    expect(notice(7)).toEqual({ [SCIM_EVENT_URIS.patchNotice]: { attributes: ["members"] } });
    expect(created.data).toBeUndefined();
  });

  it("builds SETs per RFC 8417 and RFC 9967: typed, signed, stable jti and txn, no sub or exp", async () => {
    const { changes } = await writes();
    const change = changes[0]!;
    const first = issued(change, { audience: ["https://rp.example.com/events"] })!;
    const again = issued(change, { now: () => 1_700_000_999_000 })!;
    expect(first.header).toEqual({ alg: "HS256", typ: "secevent+jwt" });
    expect(first.claims).toEqual({
      iss: ISSUER,
      iat: 1_700_000_000,
      jti: changeId(change),
      aud: ["https://rp.example.com/events"],
      txn: changeId(change),
      toe: Math.floor(Date.parse(change.time) / 1000),
      sub_id: expect.objectContaining({ format: "scim" }),
      events: expect.any(Object),
    });
    expect(first.claims.sub).toBeUndefined();
    expect(first.claims.exp).toBeUndefined();
    // A retransmission is issued again (new iat) with the same jti and txn.
    expect(again.jti).toBe(first.jti);
    expect(again.claims.txn).toBe(first.claims.txn);
    expect(again.claims.iat).toBe(1_700_000_999);
    // Per-tenant issuers and audiences.
    const perTenant = issued(change, {
      issuer: (tenant) => `https://sp.example.com/scim/v2/${tenant}`,
      audience: (tenant) => `https://rp.example.com/${tenant}`,
    })!;
    expect(perTenant.claims.iss).toBe("https://sp.example.com/scim/v2/acme");
    expect(perTenant.claims.aud).toBe("https://rp.example.com/acme");
  });

  it("issues a too large full SET in notice form", async () => {
    const scim = directory();
    const ids: string[] = [];
    for (let index = 0; index < 30; index += 1)
      ids.push((await scim.user(`u${index}@example.com`)).id);
    await scim.group("Everyone", ids);
    const [created] = (await scim.store.feed!.read("acme", { after: 30, limit: 1 })).map(
      toFeedChange,
    );
    expect(Object.keys(issued(created!)!.claims.events)).toEqual([SCIM_EVENT_URIS.createFull]);
    const small = issued(created!, { maxTokenBytes: 1000 })!;
    expect(Object.keys(small.claims.events)).toEqual([SCIM_EVENT_URIS.createNotice]);
    expect(small.token.length).toBeLessThan(1000);
  });

  it("uses the service's resource type endpoints for sub_id", async () => {
    const { changes } = await writes();
    const set = issued(changes[0]!, {
      resourceTypes: {
        resourceType: (name) => (name === "User" ? { endpoint: "/People" } : undefined),
      },
    })!;
    expect(set.claims.sub_id.uri).toMatch(/^\/People\//);
  });
});

describe("signing and verifying SETs", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const ed = generateKeyPairSync("ed25519");
  const pairs = [
    { signing: hs256, key: hs256Key },
    {
      signing: { alg: "RS256", privateKey: rsa.privateKey, kid: "rsa-1" },
      key: { alg: "RS256", publicKey: rsa.publicKey, kid: "rsa-1" },
    },
    {
      signing: {
        alg: "ES256",
        privateKey: ec.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
      },
      key: {
        alg: "ES256",
        publicKey: ec.publicKey.export({ type: "spki", format: "pem" }) as string,
      },
    },
    {
      signing: { alg: "EdDSA", privateKey: ed.privateKey },
      key: { alg: "EdDSA", publicKey: ed.publicKey },
    },
  ] as { signing: SetSigningKey; key: SetVerificationKey }[];

  it.each(pairs.map((pair) => [pair.signing.alg, pair] as const))(
    "signs with %s and verifies",
    async (_, { signing, key }) => {
      const { changes } = await writes();
      const set = issued(changes[0]!, { signing, audience: "rp" })!;
      const result = verifySecurityEventToken(set.token, {
        keys: key,
        issuer: ISSUER,
        audience: "rp",
      });
      expect(result).toMatchObject({ ok: true, claims: { jti: set.jti, iss: ISSUER } });
      // ES256 signatures are JOSE's r||s (64 bytes), not DER.
      if (signing.alg === "ES256")
        expect(Buffer.from(set.token.split(".")[2]!, "base64url")).toHaveLength(64);
      // The other keys do not verify it.
      for (const other of pairs.filter((pair) => pair.key !== key)) {
        expect(verifySecurityEventToken(set.token, { keys: other.key, issuer: ISSUER }).ok).toBe(
          false,
        );
      }
    },
  );

  it("refuses tampering, alg none, alg confusion, other issuers and audiences", async () => {
    const { changes } = await writes();
    const set = issued(changes[0]!, { audience: "rp" })!;
    const verify = (
      token: string,
      options: Partial<Parameters<typeof verifySecurityEventToken>[1]> = {},
    ) => verifySecurityEventToken(token, { keys: hs256Key, issuer: ISSUER, ...options });
    const [header, claims, signature] = set.token.split(".") as [string, string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...decode(set.token).claims, iss: "https://evil.example" }),
    ).toString("base64url");
    expect(verify(`${header}.${forged}.${signature}`)).toMatchObject({ error: "invalidSignature" });
    const none = Buffer.from(JSON.stringify({ alg: "none", typ: "secevent+jwt" })).toString(
      "base64url",
    );
    expect(verify(`${none}.${claims}.`)).toMatchObject({ error: "unsupportedAlgorithm" });
    // An RS256 public key must never be used as an HMAC secret.
    const rsaPublic = rsa.publicKey.export({ type: "spki", format: "pem" }) as string;
    const confused = issued(changes[0]!, { signing: { alg: "HS256", secret: rsaPublic } })!;
    expect(verify(confused.token, { keys: { alg: "RS256", publicKey: rsaPublic } })).toMatchObject({
      error: "unsupportedAlgorithm",
    });
    expect(verify(set.token, { issuer: "https://other.example" })).toMatchObject({
      error: "invalidIssuer",
    });
    expect(verify(set.token, { audience: "someone-else" })).toMatchObject({
      error: "invalidAudience",
    });
    expect(verify("not.a.jwt!")).toMatchObject({ error: "malformed" });
    expect(verify(set.token, { maxLength: 10 })).toMatchObject({ error: "malformed" });
    const untyped = Buffer.from(JSON.stringify({ alg: "HS256" })).toString("base64url");
    expect(verify(`${untyped}.${claims}.${signature}`)).toMatchObject({ error: "malformed" });
  });

  it("refuses weak or mismatched keys when created", () => {
    const create = (signing: unknown) => () =>
      createSecurityEventIssuer({ issuer: ISSUER, signing: signing as SetSigningKey });
    expect(create({ alg: "HS256", secret: "short" })).toThrow(/at least 32 bytes/);
    expect(create({ alg: "none" })).toThrow(/HS256, RS256, ES256 or EdDSA/);
    expect(create({ alg: "RS256", privateKey: ec.privateKey })).toThrow(/does not fit RS256/);
    expect(create({ alg: "ES256", privateKey: rsa.privateKey })).toThrow(/does not fit ES256/);
    expect(create({ alg: "RS256", privateKey: rsa.publicKey })).toThrow(/must be a private key/);
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(create({ alg: "RS256", privateKey: weak.privateKey })).toThrow(/2048 bits/);
    expect(create({ ...hs256, kid: "" })).toThrow(/kid/);
    expect(() => createSecurityEventIssuer({ issuer: "", signing: hs256 })).toThrow(/issuer/);
    expect(() =>
      createSecurityEventIssuer({ issuer: ISSUER, signing: hs256, mode: "thin" as never }),
    ).toThrow(/mode/);
  });
});

describe("advertising security events in /ServiceProviderConfig (RFC 9967 §4)", () => {
  it("lists the event URIs this server issues, with asyncRequest none", async () => {
    const scim = directory({ serviceProviderConfig: securityEventsConfig() });
    const config = await scim.call("GET", "/ServiceProviderConfig");
    expect(config.securityEvents).toEqual({
      asyncRequest: "none",
      eventUris: [...securityEventUris("full")],
    });
    expect(config.schemas).toEqual([
      "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
      "urn:scimkit:params:scim:schemas:extension:limits:1.0:ServiceProviderConfig",
    ]);
    expect(securityEventUris("full")).toEqual([
      SCIM_EVENT_URIS.createFull,
      SCIM_EVENT_URIS.putFull,
      SCIM_EVENT_URIS.patchFull,
      SCIM_EVENT_URIS.createNotice,
      SCIM_EVENT_URIS.putNotice,
      SCIM_EVENT_URIS.patchNotice,
      SCIM_EVENT_URIS.delete,
      SCIM_EVENT_URIS.activate,
      SCIM_EVENT_URIS.deactivate,
    ]);
    expect(securityEventsConfig(["notice"]).attributes!.securityEvents).toEqual({
      asyncRequest: "none",
      eventUris: securityEventUris("notice"),
    });
    expect(() => securityEventsConfig(["thin" as never])).toThrow(/modes/);
  });

  it("advertises only URIs the issuer can produce", async () => {
    const { changes } = await writes();
    const produced = new Set<string>();
    for (const mode of ["full", "notice"] as const) {
      for (const change of changes) {
        const set = issued(change, {
          mode,
          maxTokenBytes: mode === "full" ? 1_000_000 : 1_000_000,
        });
        for (const uri of Object.keys(set?.claims.events ?? {})) produced.add(uri);
      }
    }
    const advertised = new Set([...securityEventUris("full"), ...securityEventUris("notice")]);
    for (const uri of produced) expect(advertised.has(uri), uri).toBe(true);
  });
});
