import {
  createManagementService,
  digestsEqual,
  digestToken,
  type ManagementErrorBody,
  type ManagementService,
  ScimError,
  type ScimStore,
} from "@scimkit/core";
import type { AdapterRequest } from "./adapter-types";
import type { OptionsOwner } from "./options";
import { decodePath, parseQuery } from "./parse-query";
import { type Authentication, createPipeline, type JsonEndpoint, type Pipeline } from "./pipeline";
import { firstHeader } from "./read-body";
import { readBearerToken } from "./scim-endpoint";

/** How management requests are authorised; exactly one form. */
export type ManagementAuthOptions<Raw> =
  | {
      /**
       * Admin bearer token(s), at least 16 characters each (several for
       * rotation). Hashed when the factory runs; compared in constant time.
       */
      readonly token: string | readonly string[];
      readonly authorize?: never;
    }
  | {
      /**
       * Your own check of the framework's request (a session, an SSO group):
       * resolve true to let it through. A throw answers 500 through `onError`.
       */
      readonly authorize: (request: Raw) => boolean | Promise<boolean>;
      readonly token?: never;
    };

/** Options of the management API over HTTP (`managementRouter`, `managementFetchHandler`, ...). */
export type ManagementHttpOptions<Raw> = (
  | {
      /** A service from `createManagementService`, shared with other code. */
      readonly management: ManagementService;
      readonly store?: never;
    }
  | {
      /** A store with `tenants` (and `log`): the layer creates the management service. */
      readonly store: ScimStore;
      readonly management?: never;
    }
) & {
  readonly auth: ManagementAuthOptions<Raw>;
  /** Largest accepted request body in bytes (413 beyond). @default 65536 */
  readonly bodyLimit?: number;
  /** Whether X-Forwarded-* are believed for the base URL. @default the framework's setting */
  readonly trustProxy?: boolean;
  /** Unexpected errors (a throwing `authorize`, a store failure). @default console.error */
  readonly onError?: (error: unknown, request: Raw) => void;
};

const CONTENT_TYPE = "application/json; charset=utf-8";
const MEDIA_TYPES = new Set(["application/json"]);
const DEFAULT_BODY_LIMIT = 64 * 1024;
const MIN_TOKEN_LENGTH = 16;
const CHALLENGE = ["WWW-Authenticate", 'Bearer realm="scimkit-admin"'];

/** The management error body for what the pipeline refuses itself. */
export const managementErrorBody = (error: ScimError): ManagementErrorBody => ({
  error: {
    status: error.status,
    code: error.code ?? (error.status === 401 ? "unauthorized" : "invalid_request"),
    message: error.detail,
  },
});

const unauthorized: Authentication<undefined> = {
  ok: false,
  error: new ScimError({
    status: 401,
    detail: "Send the admin token as Authorization: Bearer <token>.",
    code: "unauthorized",
  }),
  headers: CHALLENGE,
};
const allowed: Authentication<undefined> = { ok: true, principal: undefined };

function resolve<Raw>(
  options: unknown,
  owner: OptionsOwner,
): {
  readonly management: ManagementService;
  readonly authenticate: (request: AdapterRequest<Raw>) => Promise<Authentication<undefined>>;
  readonly bodyLimit: number;
  readonly trustProxy: boolean | undefined;
  readonly onError: (error: unknown, request: Raw) => void;
} {
  const invalid = (message: string) => new TypeError(`${owner.factory}: ${message}`);
  if (typeof options !== "object" || options === null) throw invalid("options must be an object");
  const input = options as Record<string, unknown>;
  let management = input.management as ManagementService | undefined;
  if (input.store !== undefined) {
    if (management !== undefined) throw invalid("pass either options.management or options.store");
    management = createManagementService({ store: input.store as ScimStore });
  }
  if (typeof management?.handle !== "function") {
    throw invalid("options.management (createManagementService) or options.store is required");
  }
  const auth = input.auth as Record<string, unknown> | undefined;
  if (typeof auth !== "object" || auth === null) {
    throw invalid("options.auth is required: { token } or { authorize }");
  }
  let authenticate: (request: AdapterRequest<Raw>) => Promise<Authentication<undefined>>;
  if (auth.authorize !== undefined) {
    if (auth.token !== undefined) throw invalid("options.auth takes token or authorize, not both");
    if (typeof auth.authorize !== "function")
      throw invalid("options.auth.authorize must be a function");
    const authorize = auth.authorize as (request: Raw) => boolean | Promise<boolean>;
    authenticate = async (request) =>
      (await authorize(request.raw)) === true ? allowed : unauthorized;
  } else {
    const tokens = typeof auth.token === "string" ? [auth.token] : auth.token;
    if (!Array.isArray(tokens) || tokens.length === 0) {
      throw invalid("options.auth.token must be a string or a non-empty array of strings");
    }
    for (const token of tokens) {
      if (
        typeof token !== "string" ||
        token.length < MIN_TOKEN_LENGTH ||
        !/^[\x21-\x7e]+$/.test(token)
      ) {
        // The message never echoes the token.
        throw invalid(
          `options.auth.token must be at least ${MIN_TOKEN_LENGTH} visible ASCII characters without spaces`,
        );
      }
    }
    const digests = Promise.all(tokens.map(async (token) => digestToken(token)));
    authenticate = async (request) => {
      const bearer = readBearerToken(firstHeader(request.headers.authorization));
      if (!bearer.ok) return unauthorized;
      const presented = await digestToken(bearer.token);
      let match = false;
      for (const digest of await digests) match = digestsEqual(presented, digest) || match;
      return match ? allowed : unauthorized;
    };
  }
  const bodyLimit = input.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (typeof bodyLimit !== "number" || !Number.isSafeInteger(bodyLimit) || bodyLimit < 1) {
    throw invalid("options.bodyLimit must be a positive integer number of bytes");
  }
  if (input.trustProxy !== undefined && typeof input.trustProxy !== "boolean") {
    throw invalid("options.trustProxy must be a boolean");
  }
  const onError =
    (input.onError as ((error: unknown, request: Raw) => void) | undefined) ??
    ((error: unknown) => console.error(`[${owner.packageName}] management API error`, error));
  if (typeof onError !== "function") throw invalid("options.onError must be a function");
  return {
    management,
    authenticate,
    bodyLimit,
    trustProxy: input.trustProxy as boolean | undefined,
    onError,
  };
}

/**
 * The management API (tenants, tokens, the provisioning log) as a JSON endpoint of
 * the shared pipeline: the same body limits, JSON parsing, base URL and 500 path as
 * SCIM, with its own authorisation (an admin token or `authorize`), `application/json`
 * and the management error body.
 */
export function createManagementHttp<Raw>(
  options: unknown,
  owner: OptionsOwner,
): { readonly serve: Pipeline<Raw> } {
  const resolved = resolve<Raw>(options, owner);
  const endpoint: JsonEndpoint<Raw, undefined> = {
    contentType: CONTENT_TYPE,
    errorBody: managementErrorBody,
    bodyPolicy: {
      limit: resolved.bodyLimit,
      mediaTypes: MEDIA_TYPES,
      mediaTypesText: "application/json",
    },
    trustProxy: resolved.trustProxy,
    onError: resolved.onError,
    authenticate: resolved.authenticate,
    handle: ({ request, body }) =>
      resolved.management.handle({
        method: request.method.toUpperCase(),
        path: decodePath(request.target),
        query: parseQuery(request.target),
        body,
      }),
  };
  return { serve: createPipeline(endpoint) };
}
