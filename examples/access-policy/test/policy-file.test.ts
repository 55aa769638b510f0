import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGroup, createUser } from "./scim";
import {
  applyPolicy,
  expectAccess,
  policyErrors,
  policyFolder,
  type RunningApp,
  startApp,
} from "./start-app";

const GOOD = {
  domain: "example.com",
  acls: [{ action: "accept", src: ["group:engineering@example.com"], dst: ["tag:db:5432"] }],
};

describe("the policy file: reloaded on change, the last good one kept", () => {
  let app: RunningApp;
  let folder: Awaited<ReturnType<typeof policyFolder>>;
  beforeAll(async () => {
    folder = await policyFolder(GOOD);
    app = await startApp({ POLICY_FILE: folder.file });
    const alice = await createUser(app, "alice@example.com");
    await createGroup(app, "Engineering", [alice]);
    await createGroup(app, "ops@example.com");
  });
  afterAll(async () => {
    await app?.stop();
    await folder?.remove();
  });

  it("a file that is not JSON is refused and reported; the last good policy stays in force", async () => {
    await expectAccess(app, "alice@example.com", "tag:db:5432", true);
    const status = await applyPolicy(app, folder, '{"acls": [');
    expect(status.error?.messages[0]).toMatch(/^not valid JSON/);
    await expectAccess(app, "alice@example.com", "tag:db:5432", true);
    await app.waitFor("INVALID, the last good policy stays in force");
  });

  it("every problem is reported with where it is", async () => {
    const status = await applyPolicy(app, folder, {
      domain: "example.com",
      nestedgroups: true,
      acls: [
        { action: "deny", src: ["group:engineering@example.com"], dst: ["tag:db:5432"] },
        { action: "accept", src: ["group:engineering@other.com"], dst: ["tag:db"] },
        { action: "accept", src: ["group:all employees"], dst: ["tag:web:70000"] },
        { action: "accept", src: ["group:ops@example.com@example.com", "user:bob"], dst: ["*"] },
        { action: "accept", src: [], dst: ["tag:web:*"] },
      ],
    });
    expect(status.error?.messages).toEqual([
      'unknown key "nestedgroups" (expected "acls", "domain", "nestedGroups")',
      'acls[0].action must be "accept"',
      'acls[1].src[0]: "group:engineering@other.com" names the domain other.com, but this policy\'s domain is example.com',
      'acls[1].dst[0]: expected tag:<name>:<port> or tag:<name>:*, found "tag:db"',
      'acls[2].src[0]: "group:all employees" has no @<domain>, so it is read as a group id, and ids have no spaces: a group name needs its domain, e.g. "group:all employees@example.com"',
      'acls[2].dst[0]: the port "70000" must be a number from 1 to 65535 or *',
      'acls[3].src[0]: "group:ops@example.com@example.com": group names that contain "@" cannot be referenced by name; refer to the group by its id (group:<externalId or id>)',
      'acls[3].src[1]: expected group:<name>@<domain> or group:<id>, found "user:bob"',
      'acls[3].dst[0]: expected tag:<name>:<port> or tag:<name>:*, found "*"',
      "acls[4].src must be a non-empty array of strings",
    ]);
    await expectAccess(app, "alice@example.com", "tag:db:5432", true);
  });

  it("a group whose name contains @ is listed with a warning and its id reference", async () => {
    const { groups } = (await (await app.admin("/api/admin/groups")).json()) as {
      groups: {
        displayName: string;
        nameReference: string | null;
        warning?: string;
        idReference: string;
      }[];
    };
    const ops = groups.find((group) => group.displayName === "ops@example.com")!;
    expect(ops.nameReference).toBeNull();
    expect(ops.warning).toContain('contains "@"');
    expect(ops.idReference).toMatch(/^group:/);
  });

  it("a fixed file is in force at once and the error is gone", async () => {
    const status = await applyPolicy(app, folder, {
      ...GOOD,
      acls: [{ action: "accept", src: ["group:engineering@example.com"], dst: ["tag:ssh:22"] }],
    });
    expect(status.error).toBeUndefined();
    await expectAccess(app, "alice@example.com", "tag:db:5432", false);
    await expectAccess(app, "alice@example.com", "tag:ssh:22", true);
    expect(await policyErrors(app)).toEqual([]);
  });

  it("a file larger than 1 MiB is refused", async () => {
    await folder.write(`{"acls": [], "domain": "${"a".repeat(1024 * 1024)}"}`);
    await expect
      .poll(async () => {
        const status = (await (await app.admin("/api/admin/policy")).json()) as {
          error?: { messages: string[] };
        };
        return status.error?.messages;
      })
      .toEqual(["the policy file is larger than 1048576 bytes"]);
    await expectAccess(app, "alice@example.com", "tag:ssh:22", true);
  });

  it("a deleted file keeps the last good policy and says the file is missing", async () => {
    await rm(folder.file);
    await expect
      .poll(async () => {
        const status = (await (await app.admin("/api/admin/policy")).json()) as {
          error?: { messages: string[] };
        };
        return status.error?.messages[0] ?? "";
      })
      .toMatch(/does not exist$/);
    await expectAccess(app, "alice@example.com", "tag:ssh:22", true);
  });
});

describe("without a policy file", () => {
  let app: RunningApp;
  let folder: Awaited<ReturnType<typeof policyFolder>>;
  beforeAll(async () => {
    folder = await policyFolder(GOOD);
    await rm(folder.file);
    app = await startApp({ POLICY_FILE: folder.file });
  });
  afterAll(async () => {
    await app?.stop();
    await folder?.remove();
  });

  it("grants nothing until the file appears, then loads it", async () => {
    expect(app.output()).toContain("does not exist");
    const alice = await createUser(app, "alice@example.com");
    await createGroup(app, "Engineering", [alice]);
    await expectAccess(app, "alice@example.com", "tag:db:5432", false);
    await applyPolicy(app, folder, GOOD);
    await expectAccess(app, "alice@example.com", "tag:db:5432", true);
  });
});
