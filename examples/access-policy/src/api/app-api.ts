import { randomBytes } from "node:crypto";
import { type ChangeConsumer, type ScimStore, tokenSha256 } from "@scimkit/core";
import express, { type Request, type Response, Router } from "express";
import type { Directory } from "../directory/directory";
import { checkAccess, policyErrors } from "../policy/check-access";
import { parseDestination } from "../policy/parse-policy";
import type { PolicyFile } from "../policy/policy-file";
import {
  ApiError,
  adminTokenCheck,
  apiErrorHandler,
  fromLoopback,
  pageOf,
  queryText,
  route,
  sendError,
} from "./http-helpers";

export interface AppApiOptions {
  readonly directory: Directory;
  readonly policy: PolicyFile;
  /** The tenant whose directory the app's policy applies to. */
  readonly tenant: string;
  readonly adminToken: string;
  readonly store: ScimStore;
  readonly consumer: ChangeConsumer;
  readonly consumerName: string;
}

/** Longest userName accepted in a query or body. */
const MAX_USER_NAME = 256;
const SESSION_ID = /^ses_[A-Za-z0-9_-]{43}$/;

/**
 * The app's own API below `/api`:
 *
 * - `GET /access?user=&dst=`, `POST /sessions`, `GET /sessions/{id}`, `GET /policy/errors`:
 *   the demo endpoints, open to clients on the loopback address (a real app puts
 *   them behind its login), and to anyone with the admin token.
 * - `GET /admin/...`: the directory views the console shows, admin token only.
 */
export function appApi(options: AppApiOptions): Router {
  const { directory, policy, tenant } = options;
  const isAdmin = adminTokenCheck(options.adminToken);
  const router = Router();

  const adminOnly = async (request: Request) => {
    if (!(await isAdmin(request))) {
      request.res?.setHeader("WWW-Authenticate", 'Bearer realm="access-policy-admin"');
      throw new ApiError(
        401,
        "unauthorized",
        "Send the admin token as Authorization: Bearer <token>.",
      );
    }
  };
  const guarded = (
    guard: (request: Request) => Promise<void>,
    handler: (request: Request, response: Response) => Promise<void>,
  ) =>
    route(async (request, response) => {
      await guard(request);
      await handler(request, response);
    });
  const demo = (handler: (request: Request, response: Response) => Promise<void>) =>
    guarded(async (request) => {
      if (fromLoopback(request) || (await isAdmin(request))) return;
      throw new ApiError(
        403,
        "loopback_only",
        "This demo endpoint answers only on the loopback address, or with the admin token.",
      );
    }, handler);
  const admin = (handler: (request: Request, response: Response) => Promise<void>) =>
    guarded(adminOnly, handler);

  /** The one user a userName names now, or undefined (unknown, or ambiguous: denied either way). */
  const userNamed = async (userName: string) => {
    const users = await directory.usersByName(tenant, userName);
    return users.length === 1 ? users[0] : undefined;
  };

  router.get(
    "/access",
    demo(async (request, response) => {
      const userName = queryText(request, "user", { max: MAX_USER_NAME, required: true });
      const dstText = queryText(request, "dst", { max: 128, required: true });
      const dst = parseDestination(dstText, { allowAnyPort: false });
      if (typeof dst === "string") throw new ApiError(400, "invalid_request", `"dst": ${dst}.`);
      const user = await userNamed(userName);
      if (user === undefined || !user.active) {
        response.json({ allowed: false, via: [] });
        return;
      }
      response.json(await checkAccess(directory, tenant, policy.current().policy, user.id, dst));
    }),
  );

  router.get(
    "/policy/errors",
    demo(async (_request, response) => {
      response.json({ errors: await policyErrors(directory, tenant, policy.current().policy) });
    }),
  );

  const json = express.json({ limit: "8kb", type: () => true });
  router.post(
    "/sessions",
    demo(async (request, response) => {
      if (!request.is("application/json")) {
        throw new ApiError(415, "unsupported_media_type", 'Send a JSON body: {"userName": "..."}.');
      }
      await new Promise<void>((resolve, reject) =>
        json(request, response, (error?: unknown) => (error ? reject(error) : resolve())),
      );
      const body = request.body as unknown;
      const userName =
        typeof body === "object" && body !== null && !Array.isArray(body)
          ? (body as Record<string, unknown>).userName
          : undefined;
      if (typeof userName !== "string" || userName === "" || userName.length > MAX_USER_NAME) {
        throw new ApiError(
          400,
          "invalid_request",
          `The body must be {"userName": "<1 to ${MAX_USER_NAME} characters>"}.`,
        );
      }
      const user = await userNamed(userName);
      if (user === undefined) throw new ApiError(404, "user.not_found", `No user "${userName}".`);
      const id = `ses_${randomBytes(32).toString("base64url")}`;
      const created = await directory.createSession(
        tenant,
        user.id,
        await tokenSha256(id),
        new Date().toISOString(),
      );
      if (created === "inactive") {
        throw new ApiError(403, "user.suspended", `The user "${user.userName}" is suspended.`);
      }
      if (created === "unknown")
        throw new ApiError(404, "user.not_found", `No user "${userName}".`);
      response.status(201).json({ id });
    }),
  );

  router.get(
    "/sessions/:id",
    demo(async (request, response) => {
      const id = String(request.params.id);
      const session = SESSION_ID.test(id)
        ? await directory.getSession(tenant, await tokenSha256(id))
        : undefined;
      if (session === undefined) {
        throw new ApiError(401, "session.unknown", "No such session.");
      }
      if (session.revokedAt !== undefined) {
        throw new ApiError(
          401,
          "session.revoked",
          `The session was revoked at ${session.revokedAt} (the user was ${session.revokedReason}).`,
        );
      }
      if (!session.userActive) {
        throw new ApiError(401, "session.revoked", "The session's user is suspended or deleted.");
      }
      response.json({ id, userName: session.userName, createdAt: session.createdAt });
    }),
  );

  router.get(
    "/admin/overview",
    admin(async (_request, response) => {
      const heads = (await options.store.feed?.heads()) ?? [];
      const checkpoints =
        (await options.store.feed?.checkpoints(options.consumerName)) ?? new Map();
      const head = heads.find((entry) => entry.tenant === tenant)?.position ?? 0;
      const position = checkpoints.get(tenant) ?? 0;
      response.json({
        tenant,
        consumer: { name: options.consumerName, active: options.consumer.active, position, head },
      });
    }),
  );

  router.get(
    "/admin/policy",
    admin(async (_request, response) => {
      const status = policy.current();
      response.json({
        file: status.file,
        ...(status.sha256 === undefined ? {} : { sha256: status.sha256 }),
        ...(status.loadedAt === undefined ? {} : { loadedAt: status.loadedAt }),
        ...(status.error === undefined ? {} : { error: status.error }),
        domain: status.policy.domain ?? null,
        nestedGroups: status.policy.nestedGroups,
        rules: status.policy.rules.map((rule) => ({
          index: rule.index,
          src: rule.src.map((ref) => ref.text),
          dst: rule.dst.map((entry) => entry.text),
        })),
      });
    }),
  );

  router.get(
    "/admin/users",
    admin(async (request, response) => {
      response.json(await directory.listUsers(tenant, pageOf(request)));
    }),
  );

  router.get(
    "/admin/groups",
    admin(async (request, response) => {
      const { groups, total } = await directory.listGroups(tenant, pageOf(request));
      const domain = policy.current().policy.domain ?? "<domain>";
      response.json({
        groups: groups.map((group) => {
          const referenceable = group.policyName !== "" && !group.policyName.includes("@");
          return {
            ...group,
            nameReference: referenceable ? `group:${group.policyName}@${domain}` : null,
            idReference: `group:${group.externalId ?? group.id}`,
            ...(referenceable
              ? {}
              : {
                  warning:
                    group.policyName === ""
                      ? "This group has no name, so policies can refer to it only by id."
                      : `The name "${group.displayName}" contains "@", so policies cannot refer to it by name; use its id.`,
                }),
          };
        }),
        total,
      });
    }),
  );

  router.get(
    "/admin/groups/:id/members",
    admin(async (request, response) => {
      const id = String(request.params.id);
      const page = pageOf(request);
      const members = id.length <= 256 ? await directory.groupMembers(tenant, id, page) : undefined;
      if (members === undefined) throw new ApiError(404, "group.not_found", `No group "${id}".`);
      response.json(members);
    }),
  );

  for (const [path, allow] of [
    ["/access", "GET"],
    ["/policy/errors", "GET"],
    ["/sessions", "POST"],
    ["/sessions/:id", "GET"],
  ] as const) {
    router.all(path, (_request, response) => {
      response.setHeader("Allow", allow);
      sendError(response, 405, "method_not_allowed", `Use ${allow}.`);
    });
  }
  router.use((_request, response) => {
    sendError(response, 404, "not_found", "No such route.");
  });
  router.use(apiErrorHandler);
  return router;
}
