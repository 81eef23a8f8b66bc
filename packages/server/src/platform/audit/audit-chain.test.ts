/**
 * The audit chain on a real database (SQLite, or PostgreSQL with REVLINE_TEST_DIALECT=postgres):
 * - the database itself refuses UPDATE and DELETE of entries (and TRUNCATE on PostgreSQL);
 * - with those guards dropped, as an attacker with database access would, an edited, a removed, a
 *   swapped and a rewritten entry are each named by the verifier at the right seq;
 * - retention moves old entries into the archive and the chain verifies across the boundary;
 * - 20 concurrent writers leave one gap-free, intact chain (PostgreSQL: the advisory lock).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Ctx, Db } from "../context";
import { appendAudit, execSql, GENESIS_HASH, hashEntry, withTransaction } from "../db";
import { createRecord, updateRecord } from "../records";
import { createTestDb, setupPlatform, testCtx, type TestDb } from "../../../test/db";
import { archiveAudit, listSegments } from "./archive";
import { storedEntryOf } from "./chain";
import { chainHead, describeResult, verifyChain } from "./verify";

let open: TestDb[] = [];
afterEach(async () => {
  for (const t of open) await t.close();
  open = [];
});

async function freshDb(): Promise<{ db: Db; ctx: Ctx }> {
  const t = await createTestDb();
  open.push(t);
  await setupPlatform(t.db);
  return { db: t.db, ctx: testCtx(t.db) };
}

/** Eight entries: three account creates, two updates, three sign-in style entries. */
async function eightEntries(ctx: Ctx): Promise<string[]> {
  const a = await createRecord(ctx, "account", { name: "Acme" });
  const b = await createRecord(ctx, "account", { name: "Beta" });
  await createRecord(ctx, "account", { name: "Cancity" });
  await updateRecord(ctx, "account", a.id, { name: "Acme Corp" });
  await updateRecord(ctx, "account", b.id, { industry: "retail" });
  await withTransaction(ctx.db, (trx) => appendAudit({ ...ctx, db: trx }, [{ action: "auth.login" }, { action: "auth.login_failed" }, { action: "auth.logout" }]));
  const rows = await execSql(ctx.db, "select id from audit_log order by seq", []);
  return rows.rows.map((r) => String(r.id));
}

/** Runs fn with the append-only guards removed, as someone with direct database access could. */
async function withoutGuards(db: Db, fn: () => Promise<unknown>): Promise<void> {
  if (db.dialect === "postgres") {
    await execSql(db, "alter table audit_log disable trigger user", []);
    await execSql(db, "alter table audit_archive disable trigger user", []);
    try {
      await fn();
    } finally {
      await execSql(db, "alter table audit_log enable trigger user", []);
      await execSql(db, "alter table audit_archive enable trigger user", []);
    }
    return;
  }
  const triggers = (await execSql(db, "select name, sql from sqlite_master where type = 'trigger' and tbl_name in ('audit_log', 'audit_archive')", [])).rows;
  expect(triggers.length).toBe(4);
  for (const t of triggers) await execSql(db, `drop trigger ${String(t.name)}`, []);
  try {
    await fn();
  } finally {
    for (const t of triggers) await execSql(db, String(t.sql), []);
  }
}

describe("append-only in the database", () => {
  it("refuses UPDATE and DELETE of an entry, and the chain stays intact", async () => {
    const { db, ctx } = await freshDb();
    const ids = await eightEntries(ctx);
    await expect(execSql(db, "update audit_log set action = 'forged' where seq = 3", [])).rejects.toThrow(/append-only/);
    await expect(execSql(db, "delete from audit_log where seq = 3", [])).rejects.toThrow(/append-only/);
    await expect(execSql(db, "delete from audit_log", [])).rejects.toThrow(/append-only/);
    if (db.dialect === "postgres") await expect(execSql(db, "truncate audit_log", [])).rejects.toThrow(/append-only/);
    const r = await verifyChain(db);
    expect(r.intact).toBe(true);
    expect(r.entries).toBe(8);
    expect(r.through.seq).toBe(8);
    expect((await execSql(db, "select id from audit_log where seq = 3", [])).rows[0]!.id).toBe(ids[2]);
  });
});

describe("the verifier names the first broken link", () => {
  it("an intact chain: OK through the head, in any batch size", async () => {
    const { db, ctx } = await freshDb();
    await eightEntries(ctx);
    const head = await chainHead(db);
    expect(head!.seq).toBe(8);
    for (const batchSize of [1, 3, 5000]) {
      const r = await verifyChain(db, { batchSize });
      expect(r).toMatchObject({ intact: true, entries: 8, partial: false, break: null, through: { seq: 8, hash: head!.hash } });
    }
    expect(describeResult(await verifyChain(db))).toBe(`OK: 8 entries, chain intact through seq 8 (hash ${head!.hash})`);
    // Bounded: the HTTP endpoint stops at maxEntries and says so.
    expect(await verifyChain(db, { maxEntries: 5, batchSize: 2 })).toMatchObject({ intact: true, partial: true, entries: 5, through: { seq: 5 } });
  });

  it("an edited entry (the changes of seq 4 rewritten in SQL)", async () => {
    const { db, ctx } = await freshDb();
    const ids = await eightEntries(ctx);
    await withoutGuards(db, () => execSql(db, `update audit_log set changes = '{"name":{"before":"Acme","after":"Evil"}}' where seq = 4`, []));
    const r = await verifyChain(db);
    expect(r.intact).toBe(false);
    expect(r.break).toMatchObject({ kind: "edited", seq: 4, id: ids[3], where: "log" });
    expect(r.break!.message).toBe(`Entry seq 4 (id ${ids[3]}) was edited: its content no longer matches its hash.`);
    expect(r.through.seq).toBe(3);
    expect(describeResult(r)).toMatch(/^BROKEN at seq 4: /);
  });

  it("a removed entry (seq 5 deleted)", async () => {
    const { db, ctx } = await freshDb();
    const ids = await eightEntries(ctx);
    await withoutGuards(db, () => execSql(db, "delete from audit_log where seq = 5", []));
    const r = await verifyChain(db);
    expect(r.break).toMatchObject({ kind: "removed", seq: 5 });
    expect(r.break!.message).toBe(`Entries were removed: seq 5 is missing between seq 4 and seq 6 (id ${ids[5]}).`);
  });

  it("swapped entries (seq 3 and 4 exchanged)", async () => {
    const { db, ctx } = await freshDb();
    const ids = await eightEntries(ctx);
    await withoutGuards(db, async () => {
      await execSql(db, "update audit_log set seq = -4 where seq = 4", []);
      await execSql(db, "update audit_log set seq = 4 where seq = 3", []);
      await execSql(db, "update audit_log set seq = 3 where seq = -4", []);
    });
    const r = await verifyChain(db);
    // At seq 3 now sits the old 4th entry, whose prev_hash points at the old 3rd entry, now at seq 4.
    expect(r.break).toMatchObject({ kind: "reordered", seq: 3, id: ids[3] });
    expect(r.break!.message).toBe(`Entries were reordered: seq 3 (id ${ids[3]}) is chained after seq 4 (id ${ids[2]}), not after seq 2.`);
  });

  it("a rewritten entry (seq 6 edited and its hash recomputed): the link into seq 7 names it", async () => {
    const { db, ctx } = await freshDb();
    const ids = await eightEntries(ctx);
    const row = storedEntryOf((await execSql(db, "select * from audit_log where seq = 6", [])).rows[0]!);
    const forged = { ...row, action: "auth.logout" };
    await withoutGuards(db, () => execSql(db, "update audit_log set action = ?, hash = ? where seq = 6", [forged.action, hashEntry(forged)]));
    const r = await verifyChain(db);
    expect(r.break).toMatchObject({ kind: "rewritten", seq: 7, id: ids[6] });
    expect(r.break!.message).toContain(`seq 6 (id ${ids[5]}) is not the entry it was chained to`);
  });

  it("a removed tail is found with an anchor kept outside, and a wrong anchor is named", async () => {
    const { db, ctx } = await freshDb();
    await eightEntries(ctx);
    const head = (await chainHead(db))!;
    await withoutGuards(db, () => execSql(db, "delete from audit_log where seq >= 7", []));
    expect((await verifyChain(db)).intact).toBe(true); // without an anchor a cut tail is invisible
    const r = await verifyChain(db, { anchor: { seq: head.seq, hash: head.hash } });
    expect(r.break).toMatchObject({ kind: "truncated", seq: 7 });
    const wrong = await verifyChain(db, { anchor: { seq: 4, hash: "f".repeat(64) } });
    expect(wrong.break).toMatchObject({ kind: "anchor_mismatch", seq: 4 });
  });
});

describe("retention: archive, never drop", () => {
  const DAY = 86_400_000;
  const t0 = Date.parse("2024-01-01T00:00:00.000Z");

  async function agedLog() {
    const { db, ctx } = await freshDb();
    let now = t0;
    const at = (ms: number): Ctx => ({ ...ctx, clock: () => new Date(ms) });
    // 6 entries 40 days old, then 3 entries 10 days old.
    for (let i = 0; i < 6; i++) await createRecord(at(now + i * 1000), "region", { name: `R${i}`, code: `C${i}` });
    now = t0 + 30 * DAY;
    for (let i = 0; i < 3; i++) await createRecord(at(now + i * 1000), "region", { name: `S${i}`, code: `D${i}` });
    return { db, ctx: at(t0 + 40 * DAY), t0 };
  }

  it("moves entries older than N days into a segment; the chain verifies across the boundary", async () => {
    const { db, ctx } = await agedLog();
    const before = (await chainHead(db))!;
    const r = await archiveAudit(ctx, { olderThanDays: 20, segmentSize: 4 });
    // 6 old entries in segments of 4 and 2; each segment appends one audit.archived entry.
    expect(r).toMatchObject({ segments: 2, entries: 6, throughSeq: 6, cutoff: new Date(t0 + 20 * DAY).toISOString() });
    const segs = await listSegments(db);
    expect(segs.map((s) => [s.seqFrom, s.seqTo, s.entries])).toEqual([[1, 4, 4], [5, 6, 2]]);
    const live = (await execSql(db, "select seq, action from audit_log order by seq", [])).rows.map((x) => [Number(x.seq), x.action]);
    expect(live).toEqual([[7, "create"], [8, "create"], [9, "create"], [10, "audit.archived"], [11, "audit.archived"]]);
    const v = await verifyChain(db, { anchor: { seq: before.seq, hash: before.hash } });
    expect(v).toMatchObject({ intact: true, entries: 11, archivedEntries: 6, segments: 2, through: { seq: 11 } });
    // Nothing older left: a second run moves nothing.
    expect(await archiveAudit(ctx, { olderThanDays: 20 })).toMatchObject({ segments: 0, entries: 0 });
    // Archived entries cannot be changed or removed either; entries still in the log stay protected.
    await expect(execSql(db, "delete from audit_archive", [])).rejects.toThrow(/append-only/);
    await expect(execSql(db, "update audit_archive set last_hash = 'x'", [])).rejects.toThrow(/append-only/);
    await expect(execSql(db, "delete from audit_log where seq = 7", [])).rejects.toThrow(/append-only/);
  });

  it("never archives the newest entry, so the log keeps chaining on", async () => {
    const { db, ctx } = await agedLog();
    await archiveAudit({ ...ctx, clock: () => new Date(t0 + 400 * DAY) }, { olderThanDays: 1 });
    const live = (await execSql(db, "select seq, action from audit_log order by seq", [])).rows.map((x) => [Number(x.seq), x.action]);
    expect(live).toEqual([[9, "create"], [10, "audit.archived"]]);
    await createRecord(ctx, "region", { name: "After", code: "AF" });
    expect(await verifyChain(db)).toMatchObject({ intact: true, entries: 11, archivedEntries: 8 });
  });

  it("a damaged archive segment or a break at the boundary is named", async () => {
    const { db, ctx } = await agedLog();
    await archiveAudit(ctx, { olderThanDays: 20 });
    const first = storedEntryOf((await execSql(db, "select * from audit_log order by seq limit 1", [])).rows[0]!);
    expect(first.seq).toBe(7);
    await withoutGuards(db, () => execSql(db, "update audit_log set prev_hash = ? where seq = 7", [GENESIS_HASH.replace(/0$/, "1")]));
    expect((await verifyChain(db)).break).toMatchObject({ kind: "edited", seq: 7, id: first.id, where: "log" });
    await withoutGuards(db, () => execSql(db, "update audit_log set prev_hash = ? where seq = 7", [first.prev_hash]));
    expect((await verifyChain(db)).intact).toBe(true);
    await withoutGuards(db, () => execSql(db, "update audit_archive set data = ? where seq_from = 1", [Buffer.from("not gzip")]));
    expect((await verifyChain(db)).break).toMatchObject({ kind: "archive_corrupt", seq: 1, where: "archive" });
  });

  it("refuses to archive over a broken chain", async () => {
    const { db, ctx } = await agedLog();
    await withoutGuards(db, () => execSql(db, "update audit_log set action = 'forged' where seq = 2", []));
    await expect(archiveAudit(ctx, { olderThanDays: 20 })).rejects.toThrow(/Nothing was archived: the audit chain is broken. Entry seq 2 .* was edited/);
    expect(await listSegments(db)).toEqual([]);
  });
});

describe("concurrent writers", () => {
  it("20 concurrent writes leave one gap-free, intact chain", async () => {
    const { db, ctx } = await freshDb();
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => createRecord(ctx, "account", { name: `Concurrent ${i}` })));
    expect(new Set(created.map((r) => r.id)).size).toBe(20);
    const seqs = (await execSql(db, "select seq from audit_log order by seq", [])).rows.map((r) => Number(r.seq));
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await verifyChain(db)).toMatchObject({ intact: true, entries: 20, through: { seq: 20 } });
  });
});
