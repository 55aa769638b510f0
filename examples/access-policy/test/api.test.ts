import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "./scim";
import { ADMIN_TOKEN, createSession, type RunningApp, SCIM_TOKEN, startApp } from "./start-app";

interface ErrorBody {
  error: { status: number; code: string; message: string };
}

describe("the app's API: bounded input, JSON errors, who may call what", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
    await createUser(app, "alice@example.com");
  });
  afterAll(async () => {
    await app?.stop();
  });

  const expectError = async (response: Response, status: number, code: string) => {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toMatchObject({ status, code });
    expect(body.error.message.length).toBeGreaterThan(0);
    return body;
  };

  it("an unknown user is denied, not an error", async () => {
    const response = await app.api("/access?user=nobody%40example.com&dst=tag:db:5432");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ allowed: false, via: [] });
  });

  it.each([
    ["/access?dst=tag:db:5432", "invalid_request"],
    ["/access?user=alice%40example.com", "invalid_request"],
    ["/access?user=a&user=b&dst=tag:db:5432", "invalid_request"],
    [`/access?user=${"a".repeat(257)}&dst=tag:db:5432`, "invalid_request"],
    ["/access?user=alice%40example.com&dst=tag:db:*", "invalid_request"],
    ["/access?user=alice%40example.com&dst=db:5432", "invalid_request"],
    ["/access?user=alice%40example.com&dst=tag:db:0", "invalid_request"],
    [`/access?user=alice%40example.com&dst=tag:${"d".repeat(200)}:1`, "invalid_request"],
  ])("GET %s answers 400 %s", async (path, code) => {
    await expectError(await app.api(path), 400, code);
  });

  it("POST /sessions refuses what is not a small JSON object with a userName", async () => {
    const post = (body: string, contentType = "application/json") =>
      app.api("/sessions", { method: "POST", body, headers: { "content-type": contentType } });
    await expectError(
      await post('{"userName":"alice@example.com"}', "text/plain"),
      415,
      "unsupported_media_type",
    );
    await expectError(await post("{"), 400, "invalid_json");
    await expectError(await post("[]"), 400, "invalid_request");
    await expectError(await post('{"userName": 7}'), 400, "invalid_request");
    await expectError(
      await post(JSON.stringify({ userName: "x".repeat(257) })),
      400,
      "invalid_request",
    );
    await expectError(
      await post(JSON.stringify({ userName: "a", pad: "x".repeat(10_000) })),
      413,
      "too_large",
    );
    await expectError(await post('{"userName":"nobody@example.com"}'), 404, "user.not_found");
  });

  it("a session id that does not exist, or is not one, answers 401", async () => {
    await expectError(await app.api(`/sessions/ses_${"A".repeat(43)}`), 401, "session.unknown");
    await expectError(await app.api("/sessions/not-a-session"), 401, "session.unknown");
    const id = await createSession(app, "Alice@Example.com");
    expect(id).toMatch(/^ses_[A-Za-z0-9_-]{43}$/);
    const read = await app.api(`/sessions/${id}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id, userName: "alice@example.com" });
  });

  it("unknown routes and methods answer JSON", async () => {
    await expectError(await app.api("/nothing"), 404, "not_found");
    const wrong = await app.api("/access", { method: "DELETE" });
    expect(wrong.headers.get("allow")).toBe("GET");
    await expectError(wrong, 405, "method_not_allowed");
  });

  it("the demo endpoints refuse a request relayed by a proxy, unless it carries the admin token", async () => {
    const proxied = { "x-forwarded-for": "203.0.113.7" };
    await expectError(
      await app.api("/access?user=a&dst=tag:db:1", { headers: proxied }),
      403,
      "loopback_only",
    );
    await expectError(await app.api("/policy/errors", { headers: proxied }), 403, "loopback_only");
    const withToken = await app.api("/policy/errors", {
      headers: { ...proxied, authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(withToken.status).toBe(200);
  });

  it("the console's API and the management API take the admin token, never the SCIM token", async () => {
    for (const path of [
      "/api/admin/users",
      "/api/admin/groups",
      "/api/admin/policy",
      "/admin/api/tenants/default",
    ]) {
      const none = await fetch(`${app.origin}${path}`);
      expect(none.status, path).toBe(401);
      expect(none.headers.get("www-authenticate"), path).toMatch(/^Bearer realm=/);
      const scim = await fetch(`${app.origin}${path}`, {
        headers: { authorization: `Bearer ${SCIM_TOKEN}` },
      });
      expect(scim.status, path).toBe(401);
      expect((await app.admin(path)).status, path).toBe(200);
    }
    const scimWithAdmin = await fetch(`${app.origin}/scim/v2/Users`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(scimWithAdmin.status).toBe(401);
  });

  it("list routes bound their paging", async () => {
    await expectError(await app.admin("/api/admin/users?limit=0"), 400, "invalid_request");
    await expectError(await app.admin("/api/admin/users?limit=501"), 400, "invalid_request");
    await expectError(await app.admin("/api/admin/users?offset=-1"), 400, "invalid_request");
    await expectError(await app.admin("/api/admin/groups/nope/members"), 404, "group.not_found");
    const page = await app.admin("/api/admin/users?limit=1&offset=0");
    expect(await page.json()).toMatchObject({
      total: 1,
      users: [{ userName: "alice@example.com", active: true }],
    });
  });

  it("serves the console with a strict content security policy", async () => {
    const page = await fetch(`${app.origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await page.text()).toContain('<script type="module" src="/main.js"></script>');
    expect((await fetch(`${app.origin}/main.js`)).status).toBe(200);
  });
});
