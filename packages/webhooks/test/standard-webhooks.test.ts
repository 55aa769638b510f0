import { describe, expect, it } from "vitest";
import {
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookSecretKey,
  webhookSecretKeys,
} from "../src/standard-webhooks";

// The published Standard Webhooks example (the reference libraries test this vector).
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const at = (seconds: number) => () => seconds * 1000;

const headersOf = (id: string, timestamp: number, signature: string) => ({
  "webhook-id": id,
  "webhook-timestamp": String(timestamp),
  "webhook-signature": signature,
});

describe("the Standard Webhooks signature", () => {
  it("matches the specification's example vector", () => {
    const keys = webhookSecretKeys(VECTOR.secret, "secrets");
    expect(
      signWebhook({ id: VECTOR.id, timestamp: VECTOR.timestamp, body: VECTOR.body, keys }),
    ).toBe(VECTOR.signature);
    expect(
      verifyWebhook({
        headers: headersOf(VECTOR.id, VECTOR.timestamp, VECTOR.signature),
        body: VECTOR.body,
        secrets: VECTOR.secret,
        now: at(VECTOR.timestamp + 10),
      }),
    ).toEqual({ ok: true, id: VECTOR.id, timestamp: VECTOR.timestamp });
  });

  it("signs with every secret during a rotation, and either secret verifies", () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const body = '{"type":"user.created"}';
    const signature = signWebhook({
      id: "msg_1",
      timestamp: 1000,
      body,
      keys: webhookSecretKeys([current, previous], "secrets"),
    });
    expect(signature.split(" ")).toHaveLength(2);
    const headers = headersOf("msg_1", 1000, signature);
    for (const secrets of [current, previous, [generateWebhookSecret(), previous]]) {
      expect(verifyWebhook({ headers, body, secrets, now: at(1000) }).ok).toBe(true);
    }
    expect(
      verifyWebhook({ headers, body, secrets: generateWebhookSecret(), now: at(1000) }),
    ).toMatchObject({
      ok: false,
      error: "invalidSignature",
    });
  });

  it("refuses a changed body, id or timestamp, and a replay outside the tolerance", () => {
    const secret = generateWebhookSecret();
    const keys = webhookSecretKeys(secret, "secrets");
    const signature = signWebhook({ id: "msg_2", timestamp: 5000, body: "{}", keys });
    const verify = (headers: Record<string, string>, body = "{}", now = 5000) =>
      verifyWebhook({ headers, body, secrets: secret, now: at(now) });
    expect(verify(headersOf("msg_2", 5000, signature)).ok).toBe(true);
    expect(verify(headersOf("msg_2", 5000, signature), "{ }")).toMatchObject({
      error: "invalidSignature",
    });
    expect(verify(headersOf("msg_3", 5000, signature))).toMatchObject({
      error: "invalidSignature",
    });
    expect(verify(headersOf("msg_2", 5001, signature))).toMatchObject({
      error: "invalidSignature",
    });
    expect(verify(headersOf("msg_2", 5000, signature), "{}", 5000 + 301)).toMatchObject({
      error: "timestampOutOfRange",
    });
    expect(verify(headersOf("msg_2", 5000, signature), "{}", 5000 - 301)).toMatchObject({
      error: "timestampOutOfRange",
    });
    expect(
      verifyWebhook({
        headers: headersOf("msg_2", 5000, signature),
        body: "{}",
        secrets: secret,
        now: at(5000 + 3600),
        toleranceSeconds: 7200,
      }).ok,
    ).toBe(true);
  });

  it("reads fetch Headers, Node headers in any case, and bytes as the body", () => {
    const secret = generateWebhookSecret();
    const body = '{"é":1}';
    const signature = signWebhook({
      id: "msg_4",
      timestamp: 7,
      body,
      keys: webhookSecretKeys(secret, "s"),
    });
    const fetchHeaders = new Headers(headersOf("msg_4", 7, signature));
    expect(verifyWebhook({ headers: fetchHeaders, body, secrets: secret, now: at(7) }).ok).toBe(
      true,
    );
    const mixedCase = {
      "Webhook-Id": "msg_4",
      "WEBHOOK-TIMESTAMP": "7",
      "webhook-signature": signature,
    };
    expect(
      verifyWebhook({
        headers: mixedCase,
        body: new TextEncoder().encode(body),
        secrets: secret,
        now: at(7),
      }).ok,
    ).toBe(true);
  });

  it("ignores signatures of other schemes and refuses malformed or repeated headers", () => {
    const secret = generateWebhookSecret();
    const keys = webhookSecretKeys(secret, "s");
    const signature = signWebhook({ id: "msg_5", timestamp: 9, body: "x", keys });
    const verify = (headers: Record<string, string | string[]>) =>
      verifyWebhook({ headers, body: "x", secrets: secret, now: at(9) });
    expect(verify(headersOf("msg_5", 9, `v1a,AAAA ${signature} v2,zzz`)).ok).toBe(true);
    expect(verify(headersOf("msg_5", 9, signature.replace("v1,", "v1a,")))).toMatchObject({
      error: "invalidSignature",
    });
    expect(verify({ "webhook-id": "msg_5", "webhook-timestamp": "9" })).toMatchObject({
      error: "missingHeaders",
    });
    expect(
      verify({ ...headersOf("msg_5", 9, signature), "webhook-id": ["msg_5", "msg_6"] }),
    ).toMatchObject({
      error: "invalidHeaders",
    });
    expect(verify(headersOf("msg_5", 9, signature.padEnd(5000, " v1,x")))).toMatchObject({
      error: "invalidHeaders",
    });
    expect(
      verify({ ...headersOf("msg_5", 9, signature), "webhook-timestamp": "9.5" }),
    ).toMatchObject({
      error: "invalidHeaders",
    });
    expect(verify({ ...headersOf("msg_5", 9, signature), "webhook-id": "a b" })).toMatchObject({
      error: "invalidHeaders",
    });
  });

  it("generates whsec_ secrets of 32 random bytes and never echoes a bad secret", () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookSecretKey(secret)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
    for (const bad of ["sekrit-value-1234567890", "whsec_c2hvcnQ=", "whsec_not base64!!"]) {
      let message = "";
      try {
        webhookSecretKey(bad);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/webhook secret/);
      expect(message).not.toContain(bad);
      expect(message).not.toContain(bad.slice(6));
    }
    expect(() => webhookSecretKeys([], "secrets")).toThrow(/1 to 10/);
  });
});
