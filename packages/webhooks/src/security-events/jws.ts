import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from "node:crypto";

/**
 * JWS compact serialization (RFC 7515) for SETs, with the few algorithms a SET
 * transmitter needs: HS256 (a secret shared with the receiver), RS256, ES256 and
 * EdDSA (Ed25519) with a private key the host supplies. `alg: none` is not
 * offered: RFC 8417 §5.1 requires a signature unless integrity is ensured by
 * other means, and poll responses and forwarded SETs outlive their TLS channel.
 */

/** The algorithms SETs are signed with. */
export type SetAlgorithm = "HS256" | "RS256" | "ES256" | "EdDSA";

/** How SETs are signed. */
export type SetSigningKey =
  | {
      readonly alg: "HS256";
      /** At least 32 bytes (RFC 7518 §3.2: a key at least as long as the hash). */
      readonly secret: string | Uint8Array;
      /** Sent as the `kid` header, so receivers can pick the key during a rotation. */
      readonly kid?: string;
    }
  | {
      readonly alg: "RS256" | "ES256" | "EdDSA";
      /** A `KeyObject` or PEM: RSA (2048 bits or more), P-256, or Ed25519 to match `alg`. */
      readonly privateKey: KeyObject | string;
      readonly kid?: string;
    };

/** A key a receiver verifies SETs with. */
export type SetVerificationKey =
  | { readonly alg: "HS256"; readonly secret: string | Uint8Array; readonly kid?: string }
  | {
      readonly alg: "RS256" | "ES256" | "EdDSA";
      /** A `KeyObject` or PEM (a private key works too: its public half is used). */
      readonly publicKey: KeyObject | string;
      readonly kid?: string;
    };

const encoder = new TextEncoder();
const base64url = (value: string | Uint8Array) => Buffer.from(value).toString("base64url");

function secretBytes(secret: unknown, name: string): Buffer {
  const bytes =
    typeof secret === "string"
      ? Buffer.from(secret, "utf8")
      : secret instanceof Uint8Array
        ? Buffer.from(secret)
        : undefined;
  if (bytes === undefined || bytes.length < 32) {
    throw new TypeError(`scimkit: \`${name}\` for HS256 must be at least 32 bytes.`);
  }
  return bytes;
}

function checkKeyType(key: KeyObject, alg: SetAlgorithm, name: string): void {
  const type = key.asymmetricKeyType;
  const ok =
    (alg === "RS256" && type === "rsa" && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) ||
    (alg === "ES256" && type === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") ||
    (alg === "EdDSA" && type === "ed25519");
  if (!ok) {
    throw new TypeError(
      `scimkit: \`${name}\` does not fit ${alg} (RS256: RSA of 2048 bits or more, ES256: P-256, EdDSA: Ed25519).`,
    );
  }
}

const checkKid = (kid: unknown) => {
  if (kid !== undefined && (typeof kid !== "string" || !/^[\x21-\x7e]{1,128}$/.test(kid))) {
    throw new TypeError("scimkit: `kid` must be 1 to 128 printable ASCII characters.");
  }
};

/** A signer for SETs: validates the key once, then signs claim sets. */
export function createSetSigner(key: SetSigningKey): {
  readonly alg: SetAlgorithm;
  sign(claims: object): string;
} {
  if (key === null || typeof key !== "object") {
    throw new TypeError("scimkit: `signing` must be { alg, secret } or { alg, privateKey }.");
  }
  checkKid(key.kid);
  const header = base64url(
    JSON.stringify({ alg: key.alg, typ: "secevent+jwt", ...(key.kid ? { kid: key.kid } : {}) }),
  );
  let signBytes: (input: string) => Buffer;
  if (key.alg === "HS256") {
    const secret = secretBytes(key.secret, "signing.secret");
    signBytes = (input) => createHmac("sha256", secret).update(input).digest();
  } else if (key.alg === "RS256" || key.alg === "ES256" || key.alg === "EdDSA") {
    const privateKey =
      typeof key.privateKey === "string" ? createPrivateKey(key.privateKey) : key.privateKey;
    if (privateKey?.type !== "private") {
      throw new TypeError("scimkit: `signing.privateKey` must be a private key.");
    }
    checkKeyType(privateKey, key.alg, "signing.privateKey");
    const alg = key.alg;
    signBytes = (input) =>
      alg === "EdDSA"
        ? sign(null, encoder.encode(input), privateKey)
        : sign("sha256", encoder.encode(input), {
            key: privateKey,
            ...(alg === "ES256" ? { dsaEncoding: "ieee-p1363" as const } : {}),
          });
  } else {
    throw new TypeError("scimkit: `signing.alg` must be HS256, RS256, ES256 or EdDSA.");
  }
  return {
    alg: key.alg,
    sign(claims) {
      const input = `${header}.${base64url(JSON.stringify(claims))}`;
      return `${input}.${signBytes(input).toString("base64url")}`;
    },
  };
}

/** Why `verifySecurityEventToken` refused a token. */
export type VerifySetError =
  /** Not three base64url parts of JSON, too long, or not a SET (`typ`, `events`). */
  | "malformed"
  /** `alg` is not one of the keys' (never `none`). */
  | "unsupportedAlgorithm"
  | "invalidSignature"
  | "invalidIssuer"
  | "invalidAudience";

/** The claims of a verified SET (RFC 8417 §2.2, RFC 9967 §2). */
export interface SecurityEventClaims {
  readonly iss: string;
  readonly iat: number;
  readonly jti: string;
  readonly aud?: string | readonly string[];
  readonly txn?: string;
  readonly toe?: number;
  readonly sub_id?: Readonly<Record<string, unknown>>;
  readonly events: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly [claim: string]: unknown;
}

export type VerifySetResult =
  | { readonly ok: true; readonly claims: SecurityEventClaims; readonly kid?: string }
  | { readonly ok: false; readonly error: VerifySetError; readonly message: string };

/** Options of `verifySecurityEventToken`. */
export interface VerifySetOptions {
  /** The transmitter's key, or several (a rotation); the token's `kid` picks one when set. */
  readonly keys: SetVerificationKey | readonly SetVerificationKey[];
  /** The `iss` to accept (RFC 8935 §2: an issuer the recipient is willing to receive from). */
  readonly issuer: string | readonly string[];
  /** This recipient's audience value; when given, `aud` must name it. */
  readonly audience?: string;
  /** Longest token accepted, in characters. @default 4194304 */
  readonly maxLength?: number;
}

const refused = (error: VerifySetError, message: string): VerifySetResult => ({
  ok: false,
  error,
  message,
});

const JWS_PART = /^[A-Za-z0-9_-]*$/;

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Verifies a SET as a receiver (or a test) should: JWS signature with one of the
 * keys and an algorithm of that key (the header's `alg` alone is never trusted),
 * `typ` `secevent+jwt`, an `events` claim with at least one event, `iss`, and
 * `aud` when `audience` is given. Returns the claims; never throws on bad input.
 */
export function verifySecurityEventToken(
  token: unknown,
  options: VerifySetOptions,
): VerifySetResult {
  const maxLength = options.maxLength ?? 4_194_304;
  if (typeof token !== "string" || token.length > maxLength) {
    return refused("malformed", "The SET is not a string of an acceptable length.");
  }
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((part) => JWS_PART.test(part))) {
    return refused("malformed", "The SET is not a JWS in compact serialization.");
  }
  const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart);
  const claims = decodeJson(claimsPart);
  if (!isObject(header) || !isObject(claims)) {
    return refused("malformed", "The SET's header or claims are not JSON objects.");
  }
  if (header.typ !== "secevent+jwt" && header.typ !== "application/secevent+jwt") {
    return refused("malformed", "The JWT is not typed as a SET (typ secevent+jwt).");
  }
  const keys = (
    Array.isArray(options.keys) ? options.keys : [options.keys]
  ) as SetVerificationKey[];
  const kid = typeof header.kid === "string" ? header.kid : undefined;
  const candidates = keys.filter(
    (key) =>
      key.alg === header.alg && (kid === undefined || key.kid === undefined || key.kid === kid),
  );
  if (candidates.length === 0) {
    return refused("unsupportedAlgorithm", "No key for the SET's alg (and kid).");
  }
  const input = encoder.encode(`${headerPart}.${claimsPart}`);
  const signature = Buffer.from(signaturePart, "base64url");
  const valid = candidates.some((key) => {
    if (key.alg === "HS256") {
      const expected = createHmac("sha256", secretBytes(key.secret, "keys.secret"))
        .update(input)
        .digest();
      return expected.length === signature.length && timingSafeEqual(expected, signature);
    }
    const publicKey =
      typeof key.publicKey === "string" ? createPublicKey(key.publicKey) : key.publicKey;
    try {
      if (key.alg === "EdDSA") return verify(null, input, publicKey, signature);
      return verify(
        "sha256",
        input,
        { key: publicKey, ...(key.alg === "ES256" ? { dsaEncoding: "ieee-p1363" as const } : {}) },
        signature,
      );
    } catch {
      return false;
    }
  });
  if (!valid) return refused("invalidSignature", "The SET's signature does not verify.");
  const events = claims.events;
  if (
    !isObject(events) ||
    Object.keys(events).length === 0 ||
    !Object.values(events).every(isObject)
  ) {
    return refused("malformed", "The SET has no events claim with at least one event.");
  }
  if (typeof claims.jti !== "string" || typeof claims.iat !== "number") {
    return refused("malformed", "The SET lacks jti or iat.");
  }
  const issuers = typeof options.issuer === "string" ? [options.issuer] : options.issuer;
  if (typeof claims.iss !== "string" || !issuers.includes(claims.iss)) {
    return refused("invalidIssuer", "The SET's issuer is not accepted.");
  }
  if (options.audience !== undefined) {
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audience.includes(options.audience)) {
      return refused("invalidAudience", "The SET is not addressed to this audience.");
    }
  }
  return { ok: true, claims: claims as unknown as SecurityEventClaims, ...(kid ? { kid } : {}) };
}
