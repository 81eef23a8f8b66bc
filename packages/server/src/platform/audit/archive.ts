/**
 * Retention: entries older than N days move from audit_log into audit_archive, never dropped.
 * A segment holds up to SEGMENT_SIZE consecutive entries as gzip-compressed JSONL (one stored row
 * per line, exactly as it was in audit_log) with its checkpoint: seq range, the prev_hash of its
 * first entry and the hash of its last. The live log continues from that last hash, so the verifier
 * walks the archive and then the log as one chain.
 *
 * One transaction per segment: check the segment's chain, insert it, append "audit.archived", then
 * delete the entries (the database's guard allows deleting an entry only once a segment holds it).
 * The newest entry is never archived, so the log always has a head to chain onto.
 */
import crypto from "node:crypto";
import zlib from "node:zlib";
import { sql } from "kysely";
import { invalid } from "@revline/core";
import type { Ctx, Db } from "../context";
import { appendAudit, execSql, withTransaction } from "../db";
import { ChainWalker, ENTRY_COLUMNS, START, storedEntryOf, type ChainPosition, type StoredEntry } from "./chain";

export const SEGMENT_SIZE = 10_000;
/** Same lock number as the appenders (db/audit-append.ts): archiving and appending take turns. */
const CHAIN_LOCK = 74203;
const DAY_MS = 86_400_000;

export type SegmentInfo = {
  seqFrom: number;
  seqTo: number;
  entries: number;
  prevHash: string;
  lastHash: string;
  atFrom: string;
  atTo: string;
  archivedAt: string;
};

/** REVLINE_AUDIT_RETENTION_DAYS: a whole number of days >= 1, or unset/empty for "keep forever" (null). */
export function retentionDaysFromEnv(env: Record<string, string | undefined> = process.env): number | null {
  const raw = env.REVLINE_AUDIT_RETENTION_DAYS?.trim();
  if (!raw) return null;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) throw new Error(`REVLINE_AUDIT_RETENTION_DAYS must be a whole number of days (1 or more), not "${raw}". Leave it unset to keep every entry in the log.`);
  return n;
}

const sha256 = (data: Buffer) => crypto.createHash("sha256").update(data).digest("hex");

function encodeSegment(entries: StoredEntry[]): Buffer {
  return zlib.gzipSync(entries.map((e) => JSON.stringify(e)).join("\n") + "\n");
}

/** The entries of a segment's data, after checking its digest. Throws a message naming the damage. */
export function decodeSegment(data: Buffer, digest: string): StoredEntry[] {
  if (sha256(data) !== digest) throw new Error("its data does not match its stored digest");
  let text: string;
  try {
    text = zlib.gunzipSync(data).toString("utf8");
  } catch {
    throw new Error("its data is not readable gzip");
  }
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((line, i) => {
      try {
        return storedEntryOf(JSON.parse(line) as Record<string, unknown>);
      } catch {
        throw new Error(`line ${i + 1} of its data is not a JSON entry`);
      }
    });
}

const segmentInfo = (r: Record<string, unknown>): SegmentInfo => ({
  seqFrom: Number(r.seq_from),
  seqTo: Number(r.seq_to),
  entries: Number(r.entry_count),
  prevHash: String(r.prev_hash),
  lastHash: String(r.last_hash),
  atFrom: String(r.at_from),
  atTo: String(r.at_to),
  archivedAt: String(r.archived_at),
});

/** The archive's segments in chain order (metadata only: a few hundred rows for millions of entries). */
export async function listSegments(db: Db): Promise<SegmentInfo[]> {
  const r = await execSql(db, "select seq_from, seq_to, entry_count, prev_hash, last_hash, at_from, at_to, archived_at from audit_archive order by seq_from", []);
  return r.rows.map(segmentInfo);
}

/** One segment's stored data and digest. */
export async function readSegmentData(db: Db, seqFrom: number): Promise<{ data: Buffer; digest: string } | undefined> {
  const r = await execSql(db, "select data, data_sha256 from audit_archive where seq_from = ?", [seqFrom]);
  const row = r.rows[0];
  if (!row) return undefined;
  const data = row.data;
  return { data: Buffer.isBuffer(data) ? data : Buffer.from(data as Uint8Array), digest: String(row.data_sha256) };
}

/** Where the archive ends: the checkpoint the live log chains onto (the genesis when nothing is archived). */
export async function archiveCheckpoint(db: Db): Promise<ChainPosition> {
  const r = await execSql(db, "select seq_to, last_hash from audit_archive order by seq_from desc limit 1", []);
  const row = r.rows[0];
  return row ? { seq: Number(row.seq_to), hash: String(row.last_hash), id: null } : START;
}

export type ArchiveResult = { segments: number; entries: number; throughSeq: number | null; cutoff: string };

/**
 * Moves every entry older than `olderThanDays` (except the newest entry) into the archive.
 * Refuses (Invalid) when the entries to move do not chain onto the archive: archiving never buries a
 * broken link; `revline audit verify` names it.
 */
export async function archiveAudit(ctx: Ctx, opts: { olderThanDays: number; segmentSize?: number; onSegment?: (s: SegmentInfo) => void }): Promise<ArchiveResult> {
  if (!Number.isSafeInteger(opts.olderThanDays) || opts.olderThanDays < 1) {
    throw invalid("The retention must be a whole number of days, 1 or more.", [{ field: "olderThanDays", reason: "must be a whole number >= 1" }]);
  }
  const size = Math.max(1, Math.min(opts.segmentSize ?? SEGMENT_SIZE, SEGMENT_SIZE));
  const cutoff = new Date(ctx.clock().getTime() - opts.olderThanDays * DAY_MS).toISOString();
  const result: ArchiveResult = { segments: 0, entries: 0, throughSeq: null, cutoff };
  // The newest entry when the run starts stays, whatever this run appends (its audit.archived entries).
  const head = (await execSql(ctx.db, "select seq from audit_log order by seq desc limit 1", [])).rows[0];
  if (!head) return result;
  const headSeq = Number(head.seq);
  for (;;) {
    const info = await withTransaction(ctx.db, (trx) => archiveOneSegment({ ...ctx, db: trx }, cutoff, size, opts.olderThanDays, headSeq));
    if (!info) return result;
    result.segments++;
    result.entries += info.entries;
    result.throughSeq = info.seqTo;
    opts.onSegment?.(info);
  }
}

async function archiveOneSegment(ctx: Ctx, cutoff: string, size: number, days: number, headSeq: number): Promise<SegmentInfo | null> {
  const db = ctx.db;
  if (db.dialect === "postgres") await sql.raw(`select pg_advisory_xact_lock(${CHAIN_LOCK})`).execute(db.kysely);
  const rows = (await execSql(db, `select ${ENTRY_COLUMNS} from audit_log where seq < ? order by seq limit ?`, [headSeq, size])).rows;
  // A contiguous run from the oldest entry, as long as the entries are older than the cutoff.
  const entries: StoredEntry[] = [];
  for (const row of rows) {
    const e = storedEntryOf(row);
    if (!(e.at < cutoff)) break;
    entries.push(e);
  }
  if (!entries.length) return null;
  const walker = new ChainWalker(await archiveCheckpoint(db));
  for (const e of entries) {
    const broken = await walker.next(e, "log");
    if (broken) throw invalid(`Nothing was archived: the audit chain is broken. ${broken.message} Run \`revline audit verify\`.`, [{ field: "audit_log", reason: broken.message }]);
  }
  const first = entries[0]!;
  const last = entries[entries.length - 1]!;
  const data = encodeSegment(entries);
  const archivedAt = ctx.clock().toISOString();
  const info: SegmentInfo = { seqFrom: first.seq, seqTo: last.seq, entries: entries.length, prevHash: first.prev_hash, lastHash: last.hash, atFrom: first.at, atTo: last.at, archivedAt };
  await execSql(
    db,
    "insert into audit_archive (seq_from, seq_to, entry_count, prev_hash, last_hash, at_from, at_to, archived_at, data, data_sha256) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [info.seqFrom, info.seqTo, info.entries, info.prevHash, info.lastHash, info.atFrom, info.atTo, archivedAt, data, sha256(data)],
  );
  await appendAudit(ctx, [
    {
      action: "audit.archived",
      changes: { archived: { after: { seqFrom: info.seqFrom, seqTo: info.seqTo, entries: info.entries, lastHash: info.lastHash, olderThanDays: days, cutoff } } },
    },
  ]);
  const removed = await execSql(db, "delete from audit_log where seq >= ? and seq <= ?", [info.seqFrom, info.seqTo]);
  if (removed.changes !== entries.length) {
    throw new Error(`archiving moved ${removed.changes} entries, expected ${entries.length}; rolled back`);
  }
  return info;
}

/**
 * The server's retention run: once shortly after start, then once a day, in this process. With several
 * app nodes each runs it; the chain lock makes them take turns and the second finds nothing to move.
 * Returns a stop function.
 */
export function scheduleAuditArchive(ctx: () => Ctx, olderThanDays: number, everyMs = DAY_MS): () => void {
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    const c = ctx();
    archiveAudit(c, { olderThanDays })
      .then((r) => r.entries && c.log.info({ archived: r }, "audit entries archived"))
      .catch((e: unknown) => c.log.error({ err: e }, "archiving audit entries failed"))
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(run, 60_000);
  const timer = setInterval(run, everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
