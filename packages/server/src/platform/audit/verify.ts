/**
 * The verifier: walks the whole chain in seq order, the archive segments first (one segment in
 * memory at a time), then audit_log in keyset batches, recomputing every hash. Memory stays flat
 * for millions of entries. It stops at the first broken link and names it (chain.ts).
 * With an anchor (a seq and hash kept outside the database, from `revline audit head`), it also
 * detects a cut-off or rewritten tail, which no chain inside the database can reveal by itself.
 */
import type { Db } from "../context";
import { execSql, GENESIS_HASH } from "../db";
import { decodeSegment, listSegments, readSegmentData } from "./archive";
import { ChainWalker, ENTRY_COLUMNS, START, storedEntryOf, type ChainBreak, type LocateByHash } from "./chain";

export type Anchor = { seq: number; hash: string };

export type VerifyOptions = {
  /** Entries read per query (default 5,000). */
  batchSize?: number;
  /** Stop (partial result) after this many entries; the HTTP endpoint bounds its work with it. */
  maxEntries?: number;
  anchor?: Anchor;
  onProgress?: (p: { checked: number; total: number }) => void;
};

export type VerifyResult = {
  /** True when every entry checked chains correctly (and the anchor, if given, matched). */
  intact: boolean;
  /** Entries checked, archived ones included. */
  entries: number;
  archivedEntries: number;
  segments: number;
  /** The last entry checked and found good: "intact through seq N (hash H)". */
  through: { seq: number; hash: string };
  /** The newest entry of the log (what `revline audit head` prints). */
  head: { seq: number; hash: string } | null;
  /** Set when maxEntries stopped the walk before the end. */
  partial: boolean;
  break: ChainBreak | null;
};

const DEFAULT_BATCH = 5_000;

/** The newest entry of the log: anchor it outside the database to detect a truncated tail later. */
export async function chainHead(db: Db): Promise<{ seq: number; hash: string; at: string; id: string } | null> {
  const r = await execSql(db, `select ${ENTRY_COLUMNS} from audit_log order by seq desc limit 1`, []);
  if (!r.rows[0]) return null;
  const e = storedEntryOf(r.rows[0]);
  return { seq: e.seq, hash: e.hash, at: e.at, id: e.id };
}

export async function verifyChain(db: Db, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const batch = Math.max(1, opts.batchSize ?? DEFAULT_BATCH);
  const max = opts.maxEntries ?? Number.POSITIVE_INFINITY;
  const locate: LocateByHash = async (hash) => {
    const row = (await execSql(db, "select seq, id from audit_log where hash = ? limit 1", [hash])).rows[0];
    return row ? { seq: Number(row.seq), id: String(row.id) } : undefined;
  };
  const walker = new ChainWalker(START, locate);
  const head = await chainHead(db);
  const total = head?.seq ?? 0;
  const result: VerifyResult = { intact: true, entries: 0, archivedEntries: 0, segments: 0, through: { seq: 0, hash: GENESIS_HASH }, head: head && { seq: head.seq, hash: head.hash }, partial: false, break: null };
  const finish = (b: ChainBreak | null): VerifyResult => {
    result.entries = walker.checked;
    result.through = { seq: walker.position.seq, hash: walker.position.hash };
    if (b) {
      result.intact = false;
      result.break = b;
    }
    opts.onProgress?.({ checked: walker.checked, total: Math.max(total, walker.checked) });
    return result;
  };
  const anchorCheck = (seq: number, hash: string): ChainBreak | null =>
    opts.anchor && seq === opts.anchor.seq && hash !== opts.anchor.hash
      ? { kind: "anchor_mismatch", seq, where: "log", message: `Entry seq ${seq} has hash ${hash}, but the anchor kept outside says ${opts.anchor.hash}: the log was rewritten from there on.` }
      : null;

  for (const seg of await listSegments(db)) {
    result.segments++;
    const stored = await readSegmentData(db, seg.seqFrom);
    let entries;
    try {
      entries = decodeSegment(stored?.data ?? Buffer.alloc(0), stored?.digest ?? "");
    } catch (e) {
      return finish({ kind: "archive_corrupt", seq: seg.seqFrom, where: "archive", message: `The archive segment seq ${seg.seqFrom} to ${seg.seqTo} is damaged: ${(e as Error).message}.` });
    }
    const last = entries[entries.length - 1];
    if (entries.length !== seg.entries || entries[0]?.seq !== seg.seqFrom || last?.seq !== seg.seqTo || last.hash !== seg.lastHash) {
      return finish({ kind: "archive_corrupt", seq: seg.seqFrom, where: "archive", message: `The archive segment seq ${seg.seqFrom} to ${seg.seqTo} does not hold what its checkpoint says (${seg.entries} entries ending with hash ${seg.lastHash}).` });
    }
    for (const e of entries) {
      const b = (await walker.next(e, "archive")) ?? anchorCheck(e.seq, e.hash);
      if (b) return finish(b);
      result.archivedEntries++;
    }
    opts.onProgress?.({ checked: walker.checked, total });
    if (walker.checked >= max) {
      result.partial = true;
      return finish(null);
    }
  }

  let after = walker.position.seq;
  for (;;) {
    const take = Math.min(batch, max - walker.checked);
    if (take <= 0) {
      result.partial = after < total;
      return finish(null);
    }
    const rows = (await execSql(db, `select ${ENTRY_COLUMNS} from audit_log where seq > ? order by seq limit ?`, [after, take])).rows;
    if (!rows.length) break;
    for (const row of rows) {
      const e = storedEntryOf(row);
      const b = (await walker.next(e, "log")) ?? anchorCheck(e.seq, e.hash);
      if (b) return finish(b);
      after = e.seq;
    }
    opts.onProgress?.({ checked: walker.checked, total });
  }
  if (opts.anchor && opts.anchor.seq > walker.position.seq) {
    return finish({
      kind: "truncated",
      seq: walker.position.seq + 1,
      where: "log",
      message: `The log ends at seq ${walker.position.seq}, but the anchor kept outside names seq ${opts.anchor.seq}: entries after seq ${walker.position.seq} were removed.`,
    });
  }
  return finish(null);
}

/** The one-line outcome the CLI prints and the admin page shows. */
export function describeResult(r: VerifyResult): string {
  if (r.break) return `BROKEN at seq ${r.break.seq}: ${r.break.message} (intact through seq ${r.through.seq})`;
  const archived = r.archivedEntries ? ` (${r.archivedEntries} of them archived in ${r.segments} segments)` : "";
  if (r.partial) return `PARTIAL: ${r.entries} entries checked${archived}, intact through seq ${r.through.seq} (hash ${r.through.hash}); run \`revline audit verify\` for the whole log`;
  return `OK: ${r.entries} entries${archived}, chain intact through seq ${r.through.seq} (hash ${r.through.hash})`;
}
