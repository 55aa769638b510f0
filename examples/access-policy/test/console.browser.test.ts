import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGroup, createUser, patch } from "./scim";
import { ADMIN_TOKEN, policyFolder, type RunningApp, startApp } from "./start-app";

/** Debian's chromium package; .ci/run installs it when it is missing. Never a downloaded browser. */
const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available) {
  console.log(
    `console.browser.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does it).`,
  );
}
/** `UPDATE_SCREENSHOT=1` writes the README's screenshot; otherwise it goes to a temp folder. */
const README_SCREENSHOT = fileURLToPath(new URL("../docs/console.png", import.meta.url));

describe.skipIf(!available)("the admin console in headless Chromium", () => {
  let app: RunningApp;
  let folder: Awaited<ReturnType<typeof policyFolder>>;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    folder = await policyFolder({
      domain: "example.com",
      acls: [
        {
          action: "accept",
          src: ["group:engineering@example.com"],
          dst: ["tag:db:5432", "tag:ssh:22"],
        },
        { action: "accept", src: ["group:all employees@example.com"], dst: ["tag:web:*"] },
      ],
    });
    app = await startApp({ POLICY_FILE: folder.file });
    ids.grace = await createUser(app, "grace.hopper@example.com", "Grace Hopper");
    ids.alan = await createUser(app, "alan.turing@example.com", "Alan Turing");
    ids.ada = await createUser(app, "ada.lovelace@example.com", "Ada Lovelace");
    ids.engineering = await createGroup(
      app,
      "Engineering",
      [ids.grace, ids.alan],
      "6f1c2f0e-5a0b-4c1e-9d43-1b2f2e7c9a10",
    );
    await createGroup(app, "All Employees", [ids.grace, ids.alan, ids.ada]);
    await createGroup(app, "contractors@example.com", [ids.ada]);
    // An IdP mistake, so the provisioning log has an error to highlight.
    await app.scim("/Users", {
      method: "POST",
      body: JSON.stringify({ userName: "grace.hopper@example.com" }),
    });

    profile = await mkdtemp(path.join(os.tmpdir(), "access-policy-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("dialog", (dialog) => void dialog.accept());
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await app?.stop();
    await folder?.remove();
    if (profile !== undefined) await rm(profile, { recursive: true, force: true });
  });

  it("asks for the admin token and refuses a wrong one", async () => {
    await page.goto(app.origin);
    await page.getByLabel("Admin token").fill("not-the-admin-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "That is not the admin token." }).waitFor();
  });

  it("signs in and shows the provisioned users with their status", async () => {
    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    const users = page.getByRole("table", { name: "Provisioned users" });
    await users.getByRole("row", { name: /grace\.hopper@example\.com.*Active/ }).waitFor();
    await patch(app, `/Users/${ids.ada}`, { op: "Replace", path: "active", value: "False" });
    await users.getByRole("row", { name: /ada\.lovelace@example\.com.*Suspended/ }).waitFor();
    const groups = page.getByRole("table", { name: "Provisioned groups" });
    await groups
      .getByRole("row", { name: /Engineering.*group:engineering@example\.com.*2 members/ })
      .waitFor();
    await groups.getByText("policies cannot refer to it by name").waitFor();
    await groups.getByRole("button", { name: "2 members" }).click();
    await groups.getByText("alan.turing@example.com").waitFor();
  });

  it("issues a token, shown once, that provisions; revoking it refuses it at once", async () => {
    await page.getByLabel("Description").fill("Entra ID production");
    await page.getByRole("button", { name: "Issue token" }).click();
    const issued = page.getByTestId("issued-token");
    await issued.waitFor();
    const token = (await issued.textContent())?.trim() ?? "";
    expect(token).toMatch(/^scimkit_/);
    const scimWith = () =>
      fetch(`${app.origin}/scim/v2/Users?count=1`, {
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await scimWith()).status).toBe(200);

    await page.getByRole("button", { name: "Done" }).click();
    expect(await page.getByTestId("issued-token").count()).toBe(0);
    await page.getByRole("button", { name: "Revoke Entra ID production" }).click();
    await page.getByText("No issued tokens.").waitFor();
    expect((await scimWith()).status).toBe(401);
  });

  it("disables and enables provisioning for the tenant", async () => {
    await page.getByRole("button", { name: "Disable provisioning" }).click();
    await page.getByText("Disabled: every token is refused (403)").waitFor();
    expect((await app.scim("/Users?count=1")).status).toBe(403);
    await page.getByRole("button", { name: "Enable provisioning" }).click();
    await page.getByRole("button", { name: "Disable provisioning" }).waitFor();
    expect((await app.scim("/Users?count=1")).status).toBe(200);
  });

  it("shows a policy error after the IdP renames a group, and highlights failed requests", async () => {
    await page.getByText("Every group reference resolves to exactly one group.").waitFor();
    await patch(app, `/Groups/${ids.engineering}`, {
      op: "Replace",
      path: "displayName",
      value: "Platform Engineering",
    });
    const errors = page.getByRole("list", { name: "Policy errors" });
    await errors.getByText("group:engineering@example.com").waitFor({ timeout: 10_000 });
    await errors.getByText('renamed from "Engineering" to "Platform Engineering"').waitFor();
    const failed = page.locator("table.log tr.failed");
    await failed.first().waitFor();
    expect(await failed.first().textContent()).toContain("409");

    await page.getByRole("button", { name: "Issue token" }).scrollIntoViewIfNeeded();
    await page.getByLabel("Description").fill("Okta");
    await page.getByRole("button", { name: "Issue token" }).click();
    await page.getByTestId("issued-token").waitFor();
    const target =
      process.env.UPDATE_SCREENSHOT === "1"
        ? README_SCREENSHOT
        : path.join(os.tmpdir(), `access-policy-console-${process.pid}.png`);
    await mkdir(path.dirname(target), { recursive: true });
    await page.screenshot({ path: target, fullPage: true });
    console.log(`console screenshot: ${target}`);
  });
});
