import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateWebhookSecret, verifyWebhook } from "@scimkit/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./start-server";

describe("quickstart with WEBHOOK_URL and WEBHOOK_SECRET", () => {
  const secret = generateWebhookSecret();
  const received: { type: string; data: { userName?: string; id: string } }[] = [];
  let receiver: Server;
  let server: RunningServer;

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const verified = verifyWebhook({ headers: request.headers, body, secrets: secret });
        if (verified.ok) received.push(JSON.parse(body));
        response.writeHead(verified.ok ? 204 : 401).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.address() as AddressInfo;
    server = await startServer({
      SCIM_TOKEN: "webhook-test-token-0000000",
      WEBHOOK_URL: `http://127.0.0.1:${port}/hooks`,
      WEBHOOK_SECRET: secret,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it("says webhooks are on (best effort on the memory store) and delivers signed changes", async () => {
    // The start-up lines can reach the test in more than one chunk.
    await expect
      .poll(() => server.output(), { timeout: 5000 })
      .toMatch(/Webhooks: +http:\/\/127\.0\.0\.1:\d+\/hooks \(best effort/);
    const created = await fetch(`${server.baseUrl}/Users`, {
      method: "POST",
      headers: {
        authorization: "Bearer webhook-test-token-0000000",
        "content-type": "application/scim+json",
      },
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: "hook@example.com",
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await expect.poll(() => received.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(received[0]).toMatchObject({ type: "user.created", data: { tenant: "default", id } });
  });

  it("refuses WEBHOOK_URL without WEBHOOK_SECRET at start-up", async () => {
    await expect(startServer({ WEBHOOK_URL: "http://127.0.0.1:9/hooks" })).rejects.toThrow(
      /WEBHOOK_SECRET/,
    );
  });
});
