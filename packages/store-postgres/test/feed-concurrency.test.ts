import type { ChangeRecord } from "@scimkit/core";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresStore, postgresStore } from "../src";
import { DATABASE_URL, type Driver, openPostgres, uniqueSchema } from "./drivers";
import { heldOpen } from "./held-open";

/**
 * The classic outbox gap, on a real server: a write that took its position early
 * but commits late would let a reader that already moved past that position skip
 * it. Here writers run on one pool, a transaction holds its write open on its own
 * connection while others commit, and two readers on a second pool poll the
 * whole time; every reader must see 1, 2, 3, ... with nothing skipped or repeated.
 */
describe.skipIf(DATABASE_URL === undefined)("change feed under concurrent transactions", () => {
  const tenant = "feed-race";
  let driver: Driver;
  let schema: string;
  let writer: PostgresStore;
  let reader: PostgresStore;

  beforeAll(async () => {
    driver = openPostgres(DATABASE_URL!);
    schema = uniqueSchema("scimkit_feed_race");
    writer = postgresStore({ client: driver.client, schema });
    reader = postgresStore({ client: driver.second!, schema });
    await writer.migrate();
  }, 60_000);

  afterAll(async () => {
    await driver?.dropSchema(schema);
    await driver?.close();
  });

  const createUser = (store: PostgresStore, id: string) =>
    store.create(tenant, {
      resourceType: "User",
      id,
      created: new Date().toISOString(),
      data: { userName: id },
      uniqueKeys: [{ attribute: "userName", value: id }],
      changes: [{ type: "user.created", data: { id } }],
    });

  /** Polls the feed until stopped, checking each page continues the last one exactly. */
  function poll(store: PostgresStore, seen: ChangeRecord[], stop: () => boolean): Promise<void> {
    return (async () => {
      for (;;) {
        // Asked before the read: an empty page read after the last commit ends the
        // poll, one that may have started before it does not.
        const stopping = stop();
        const after = seen.at(-1)?.position ?? 0;
        const page = await store.feed!.read(tenant, { after, limit: 5 });
        for (const [index, change] of page.entries()) {
          expect(change.position, `page after ${after}`).toBe(after + index + 1);
        }
        seen.push(...page);
        if (page.length === 0) {
          if (stopping) return;
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }
    })();
  }

  it("never lets a reader skip a change whose transaction commits after later ones", async () => {
    const rounds = 6;
    const perRound = 15;
    const late: string[] = [];
    const seenBy: [ChangeRecord[], ChangeRecord[]] = [[], []];
    /** For each late write: every position any reader had seen when it committed. */
    const seenAtCommit = new Map<string, number>();
    let writing = true;
    const readers = seenBy.map((seen) => poll(reader, seen, () => !writing));
    for (let round = 0; round < rounds; round += 1) {
      // A write that is done but not committed while many later writes commit.
      const open = await heldOpen(driver.client as pg.Pool, schema);
      const lateId = `late-${round}`;
      await createUser(open.store, lateId);
      late.push(lateId);
      await Promise.all(
        Array.from({ length: perRound }, (_, index) => createUser(writer, `u-${round}-${index}`)),
      );
      // Let the readers number and read everything committed so far.
      await new Promise((resolve) => setTimeout(resolve, 30));
      seenAtCommit.set(lateId, Math.max(...seenBy.map((seen) => seen.at(-1)?.position ?? 0)));
      await open.commit();
    }
    writing = false;
    await Promise.all(readers);

    const total = rounds * (perRound + 1);
    for (const seen of seenBy) {
      expect(seen.map((change) => change.position)).toEqual(
        Array.from({ length: total }, (_, index) => index + 1),
      );
      expect(new Set(seen.map((change) => change.id)).size).toBe(total);
    }
    // Both readers saw the same change at every position.
    expect(seenBy[0].map((change) => change.id)).toEqual(seenBy[1].map((change) => change.id));
    // Each late change was numbered after everything readers had already seen.
    for (const id of late) {
      const position = seenBy[0].find((change) => change.id === id)!.position;
      expect(position).toBeGreaterThan(seenAtCommit.get(id)!);
    }
    // Readers numbered changes while earlier-started transactions were still open.
    expect(Math.max(...seenAtCommit.values())).toBeGreaterThan(0);
  }, 60_000);

  it("records nothing for a write whose transaction rolls back", async () => {
    const before = (await reader.feed!.heads()).find((head) => head.tenant === tenant)?.position;
    const open = await heldOpen(driver.client as pg.Pool, schema);
    await createUser(open.store, "rolled-back");
    await open.rollback();
    await createUser(writer, "kept");
    const after = await reader.feed!.read(tenant, { after: before ?? 0, limit: 10 });
    expect(after.map((change) => change.id)).toEqual(["kept"]);
    expect(after[0]?.position).toBe((before ?? 0) + 1);
  });
});
