import { ScimError } from "../errors";
import type { ScimStore, TenantStore } from "../store/contract";
import { constantTimeEqual, TENANT_ID, tokenSha256 } from "./tokens";

/** The credential a bearer token stands for. */
export interface VerifiedToken {
  readonly tenant: string;
  /** The stored token's id; absent for static tokens. */
  readonly tokenId?: string;
}

/** A token configured outside the store (e.g. the quickstart's `SCIM_TOKEN`), by its SHA-256. */
export interface StaticTokenHash {
  readonly sha256: string;
  /** @default "default" */
  readonly tenant?: string;
}

/** Options of `createTokenVerifier`. */
export interface TokenVerifierOptions {
  /** A store with `tenants`: its tokens, and tenant records that can disable them. */
  readonly store: ScimStore;
  /** Tokens that work besides the store's, compared in constant time. */
  readonly staticTokens?: readonly StaticTokenHash[];
  /** The time source for expiry and `lastUsedAt`. @default () => new Date() */
  readonly clock?: () => Date;
  /** `lastUsedAt` is written at most this often per token. @default 60000 */
  readonly touchIntervalMs?: number;
  /** Receives a failed `lastUsedAt` write (never the token). @default console.error */
  readonly onError?: (error: unknown) => void;
}

const MAX_TOKEN_LENGTH = 4096;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_TOUCHED = 10_000;

/** 403: the tenant's provisioning is switched off (its tokens are valid, its data kept). */
export const tenantDisabled = () =>
  new ScimError({
    status: 403,
    detail: "Provisioning is disabled for this tenant.",
    code: "tenant.disabled",
  });

/**
 * A bearer-token check over the store: `verify(token)` resolves the tenant and
 * token id, `null` for an unknown, revoked or expired token, and throws a 403
 * ScimError when the tenant is disabled. Every call asks the store, so a revoked
 * token or a disabled tenant is refused on the very next request by every
 * instance on the same database; no cache to wait out.
 */
export function createTokenVerifier(
  options: TokenVerifierOptions,
): (token: string) => Promise<VerifiedToken | null> {
  const tenants: TenantStore | undefined = options.store?.tenants;
  if (tenants === undefined) {
    throw new TypeError("createTokenVerifier: `store` must have tenants (`store.tenants`).");
  }
  const statics = (options.staticTokens ?? []).map((entry, index) => {
    const sha256 = typeof entry?.sha256 === "string" ? entry.sha256.toLowerCase() : "";
    const tenant = entry?.tenant ?? "default";
    if (!SHA256_HEX.test(sha256)) {
      throw new TypeError(
        `createTokenVerifier: staticTokens[${index}].sha256 must be 64 hex characters.`,
      );
    }
    if (typeof tenant !== "string" || !TENANT_ID.test(tenant)) {
      throw new TypeError(
        `createTokenVerifier: staticTokens[${index}].tenant is not a valid tenant id.`,
      );
    }
    return { sha256, tenant };
  });
  const clock = options.clock ?? (() => new Date());
  const touchIntervalMs = options.touchIntervalMs ?? 60_000;
  const onError = options.onError ?? ((error) => console.error("scimkit: token lastUsedAt", error));
  const touched = new Map<string, number>();

  const checkTenant = (record: { readonly disabled: boolean } | undefined) => {
    if (record?.disabled === true) throw tenantDisabled();
  };

  const touch = (tenant: string, id: string, lastUsedAt: string | undefined, now: Date) => {
    const key = `${tenant}\n${id}`;
    const last = Math.max(
      touched.get(key) ?? 0,
      lastUsedAt === undefined ? 0 : Date.parse(lastUsedAt),
    );
    if (now.getTime() - last < touchIntervalMs) return;
    if (touched.size >= MAX_TOUCHED) touched.clear();
    touched.set(key, now.getTime());
    tenants.touchToken(tenant, id, now.toISOString()).catch(onError);
  };

  return async (token) => {
    if (
      typeof token !== "string" ||
      token.length > MAX_TOKEN_LENGTH ||
      !VISIBLE_ASCII.test(token)
    ) {
      return null;
    }
    const sha256 = await tokenSha256(token);
    let staticTenant: string | undefined;
    for (const entry of statics) {
      // Every entry is compared, so the time taken does not say which one matched.
      if (constantTimeEqual(entry.sha256, sha256)) staticTenant = entry.tenant;
    }
    if (staticTenant !== undefined) {
      checkTenant(await tenants.get(staticTenant));
      return { tenant: staticTenant };
    }
    const found = await tenants.findToken(sha256);
    if (found === undefined) return null;
    const now = clock();
    const { token: record } = found;
    if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= now.getTime())
      return null;
    checkTenant(found.tenant);
    touch(record.tenant, record.id, record.lastUsedAt, now);
    return { tenant: record.tenant, tokenId: record.id };
  };
}
