import {
  createScimService,
  digestFromHex,
  type ScimHandler,
  type ScimService,
  type ScimServiceOptions,
  type ScimStore,
} from "@scimkit/core";
import { digestToken } from "./token";

/** A plaintext bearer token and the tenant it grants access to. */
export interface StaticToken {
  /** The bearer token as the IdP sends it. Hashed when the handler is created; the plaintext is not kept. */
  readonly token: string;
  /** @default "default" */
  readonly tenant?: string;
  /** Names the token in logs and rate limits (`ScimRequest.tokenId`); never the token itself. */
  readonly id?: string;
}

/** A stored token hash (see `hashToken`) and the tenant it grants access to. */
export interface TokenHash {
  /** SHA-256 of the token, 64 hex characters. */
  readonly sha256: string;
  readonly tenant: string;
  /** Names the token in logs and rate limits (`ScimRequest.tokenId`). */
  readonly id?: string;
}

/** What a custom `verify` callback resolved a token to. */
export interface VerifiedToken {
  readonly tenant: string;
  /** The id of the credential, passed on as `ScimRequest.tokenId` (logs, rate limits). */
  readonly tokenId?: string;
}

/**
 * A fixed list of bearer tokens. Several tokens may map to one tenant, so a new
 * token can be issued before the old one is removed (rotation).
 */
export interface StaticTokensAuth {
  readonly tokens: readonly StaticToken[];
  readonly tokenHashes?: never;
  readonly verify?: never;
  readonly none?: never;
}

/** Token hashes only, for apps that keep `hashToken(token)` in their database. */
export interface TokenHashesAuth {
  readonly tokenHashes: readonly TokenHash[];
  readonly tokens?: never;
  readonly verify?: never;
  readonly none?: never;
}

/**
 * Your own check, e.g. a database lookup that honours revocation at once.
 * Resolve `null` to answer 401. Throw a `ScimError` with a 4xx status to answer
 * exactly that error (e.g. 403 when the tenant's provisioning is switched off);
 * any other error answers 500 and reaches `onError`. Prefer comparing hashes
 * (`hashToken`) in constant time over comparing plaintext.
 */
export interface VerifyAuth<Raw = Request> {
  readonly verify: (
    token: string,
    request: Raw,
  ) => VerifiedToken | null | Promise<VerifiedToken | null>;
  readonly tokens?: never;
  readonly tokenHashes?: never;
  readonly none?: never;
}

/** Authentication explicitly switched off (tests, local development). Never the default. */
export interface NoAuth {
  readonly none: true;
  /** Tenant every request is served as. @default "default" */
  readonly tenant?: string;
  readonly tokens?: never;
  readonly tokenHashes?: never;
  readonly verify?: never;
}

/** How requests are authenticated; exactly one form. */
export type ScimAuthOptions<Raw = Request> =
  | StaticTokensAuth
  | TokenHashesAuth
  | VerifyAuth<Raw>
  | NoAuth;

/** Where the protocol handler comes from: a service you created, or a store the layer wraps. */
export interface HandlerSource {
  /** The protocol service's `handle`, e.g. `createScimService(options).handle`. */
  readonly handler: ScimHandler;
  readonly store?: never;
  readonly service?: never;
}

/** `createScimService` options without `store`, distributed over its union. */
export type ServiceOptionsWithoutStore = ScimServiceOptions extends infer Options
  ? Options extends unknown
    ? Omit<Options, "store">
    : never
  : never;

/**
 * The layer creates the protocol service over `store` (`createScimService`);
 * subscribe to its events through the returned handler's `service`.
 */
export interface StoreSource {
  /** Where resources live: `memoryStore()`, `postgresStore(...)` or your own `ScimStore`. */
  readonly store: ScimStore;
  /** Further `createScimService` options (schemas, limits, `patchResponse`, `me`, ...). */
  readonly service?: ServiceOptionsWithoutStore;
  readonly handler?: never;
}

/** Options for HTTP concerns, shared by every handler source and every adapter. */
export interface ScimHttpOptions<Raw = Request> {
  /** Bearer-token authentication; required so that an open endpoint is always a deliberate choice. */
  readonly auth: ScimAuthOptions<Raw>;
  /**
   * Largest accepted request body in bytes; larger bodies answer 413.
   * @default 1048576 (1 MiB)
   */
  readonly bodyLimit?: number;
  /**
   * Whether `X-Forwarded-Proto` and `X-Forwarded-Host` are believed when building
   * the absolute base URL (`meta.location`, `Location`). `true` trusts them from any
   * peer, `false` never does.
   * @default the framework's own proxy setting where it has one (Express's
   * `trust proxy`, Fastify's `trustProxy`), else `false`
   */
  readonly trustProxy?: boolean;
  /**
   * Called with unexpected errors (a handler or `verify` that throws, a response
   * that cannot be serialised). The client gets a generic 500 SCIM error either way.
   * @default logs with `console.error`
   */
  readonly onError?: (error: unknown, request: Raw) => void;
}

/** Every option of a SCIM HTTP handler: a handler source plus the HTTP options. */
export type ScimHandlerOptions<Raw = Request> = (HandlerSource | StoreSource) &
  ScimHttpOptions<Raw>;

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_TENANT = "default";

const MAX_TOKEN_LENGTH = 4096;
const MAX_TENANT_LENGTH = 256;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** A configured token: its digest, tenant and id. */
export interface HashEntry {
  readonly digest: Uint8Array;
  readonly tenant: string;
  readonly tokenId: string | undefined;
}

export type ResolvedAuth<Raw> =
  | {
      readonly kind: "hashes";
      /** A promise only on runtimes where hashing is asynchronous (Web Crypto). */
      readonly entries: readonly HashEntry[] | Promise<readonly HashEntry[]>;
    }
  | { readonly kind: "verify"; readonly verify: VerifyAuth<Raw>["verify"] }
  | { readonly kind: "none"; readonly tenant: string };

/** Options after validation: one normalised shape the layer reads. */
export interface ResolvedOptions<Raw> {
  readonly handler: ScimHandler;
  /** The service the layer created, when the options named a `store`. */
  readonly service: ScimService | undefined;
  readonly auth: ResolvedAuth<Raw>;
  readonly bodyLimit: number;
  readonly trustProxy: boolean | undefined;
  readonly onError: (error: unknown, request: Raw) => void;
}

/** Who is validating: the factory named in TypeErrors and the package named in logs. */
export interface OptionsOwner {
  /** e.g. `scimRouter`. */
  readonly factory: string;
  /** e.g. `@scimkit/express`. */
  readonly packageName: string;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Validates the options when the factory runs; throws TypeError with the offending option named. */
export function resolveOptions<Raw>(options: unknown, owner: OptionsOwner): ResolvedOptions<Raw> {
  const invalid = (message: string) => new TypeError(`${owner.factory}: ${message}`);
  if (!isRecord(options)) throw invalid("options must be an object");
  let handler = options.handler as ScimHandler | undefined;
  let service: ScimService | undefined;
  if (options.store !== undefined) {
    if (handler !== undefined)
      throw invalid("pass either options.handler or options.store, not both");
    if (options.service !== undefined && !isRecord(options.service)) {
      throw invalid("options.service must be an object of createScimService options");
    }
    service = createScimService(
      Object.assign({}, options.service as object | undefined, {
        store: options.store,
      }) as ScimServiceOptions,
    );
    handler = service.handle;
  } else if (options.service !== undefined) {
    throw invalid("options.service needs options.store");
  }
  if (typeof handler !== "function") {
    throw invalid(
      "options.handler must be a function (request) => Promise<response>, or pass options.store",
    );
  }
  const auth = resolveAuth<Raw>(options.auth, invalid);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (typeof bodyLimit !== "number" || !Number.isSafeInteger(bodyLimit) || bodyLimit < 1) {
    throw invalid("options.bodyLimit must be a positive integer number of bytes");
  }
  const trustProxy = options.trustProxy;
  if (trustProxy !== undefined && typeof trustProxy !== "boolean") {
    throw invalid("options.trustProxy must be a boolean");
  }
  const onError =
    options.onError ??
    ((error: unknown) => {
      console.error(`[${owner.packageName}] unexpected error while serving a SCIM request`, error);
    });
  if (typeof onError !== "function") throw invalid("options.onError must be a function");
  return {
    handler,
    service,
    auth,
    bodyLimit,
    trustProxy,
    onError: onError as ResolvedOptions<Raw>["onError"],
  };
}

function resolveAuth<Raw>(
  auth: unknown,
  invalid: (message: string) => TypeError,
): ResolvedAuth<Raw> {
  if (!isRecord(auth)) {
    throw invalid(
      "options.auth is required: { tokens }, { tokenHashes }, { verify } or { none: true }",
    );
  }
  const forms = (["tokens", "tokenHashes", "verify", "none"] as const).filter(
    (key) => auth[key] !== undefined,
  );
  if (forms.length !== 1) {
    throw invalid(
      forms.length === 0
        ? "options.auth needs one of tokens, tokenHashes, verify or none"
        : `options.auth takes exactly one of tokens, tokenHashes, verify, none (got ${forms.join(", ")})`,
    );
  }
  const checkText = (value: unknown, where: string): string => {
    if (typeof value !== "string" || value.length === 0 || value.length > MAX_TENANT_LENGTH) {
      throw invalid(
        `${where} must be a non-empty string of at most ${MAX_TENANT_LENGTH} characters`,
      );
    }
    return value;
  };
  const form = forms[0] as (typeof forms)[number];
  if (form === "none") {
    if (auth.none !== true) throw invalid("options.auth.none must be true");
    const tenant =
      auth.tenant === undefined ? DEFAULT_TENANT : checkText(auth.tenant, "options.auth.tenant");
    return { kind: "none", tenant };
  }
  if (form === "verify") {
    if (typeof auth.verify !== "function") throw invalid("options.auth.verify must be a function");
    return { kind: "verify", verify: auth.verify as VerifyAuth<Raw>["verify"] };
  }
  const list = auth[form];
  if (!Array.isArray(list) || list.length === 0) {
    throw invalid(`options.auth.${form} must be a non-empty array`);
  }
  // Keyed by the token (or its hex hash): a duplicate is found before any hashing,
  // which may be asynchronous on some runtimes.
  const seen = new Map<string, { tenant: string; tokenId: string | undefined }>();
  const pending: { key: string; digest: Uint8Array | Promise<Uint8Array> }[] = [];
  list.forEach((item: unknown, index) => {
    const where = `options.auth.${form}[${index}]`;
    if (!isRecord(item)) throw invalid(`${where} must be an object`);
    const tokenId = item.id === undefined ? undefined : checkText(item.id, `${where}.id`);
    let key: string;
    let tenant: string;
    let digest: () => Uint8Array | Promise<Uint8Array>;
    if (form === "tokens") {
      const token = item.token;
      if (
        typeof token !== "string" ||
        token.length > MAX_TOKEN_LENGTH ||
        !VISIBLE_ASCII.test(token)
      ) {
        // The message never echoes the token.
        throw invalid(
          `${where}.token must be 1-${MAX_TOKEN_LENGTH} visible ASCII characters without spaces`,
        );
      }
      tenant =
        item.tenant === undefined ? DEFAULT_TENANT : checkText(item.tenant, `${where}.tenant`);
      key = `token:${token}`;
      digest = () => digestToken(token);
    } else {
      const hash = item.sha256;
      if (typeof hash !== "string" || !SHA256_HEX.test(hash)) {
        throw invalid(`${where}.sha256 must be 64 hex characters (see hashToken)`);
      }
      tenant = checkText(item.tenant, `${where}.tenant`);
      key = `sha256:${hash.toLowerCase()}`;
      digest = () => digestFromHex(hash);
    }
    const existing = seen.get(key);
    if (existing !== undefined) {
      if (existing.tenant !== tenant) {
        const field = form === "tokens" ? "token" : "sha256";
        throw invalid(
          `${where}.${field} is configured for two tenants ("${existing.tenant}" and "${tenant}")`,
        );
      }
      return;
    }
    seen.set(key, { tenant, tokenId });
    pending.push({ key, digest: digest() });
  });
  const entry = (key: string, digest: Uint8Array): HashEntry => {
    const { tenant, tokenId } = seen.get(key) as { tenant: string; tokenId: string | undefined };
    return { digest, tenant, tokenId };
  };
  if (pending.every((item) => item.digest instanceof Uint8Array)) {
    return {
      kind: "hashes",
      entries: pending.map((item) => entry(item.key, item.digest as Uint8Array)),
    };
  }
  return {
    kind: "hashes",
    entries: Promise.all(pending.map(async (item) => entry(item.key, await item.digest))),
  };
}
