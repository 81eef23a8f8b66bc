/**
 * Walking the hash chain: entries come in seq order (archive segments first, then audit_log), and
 * each one is checked against the one before it. The walker keeps only the previous entry's seq,
 * id and hash, so memory stays flat however long the chain is. The first broken link is named
 * precisely: an edited entry (its content no longer matches its hash), removed entries (a gap in
 * seq, or a link to an entry that is gone), reordered entries (a link to an entry elsewhere).
 */
import { GENESIS_HASH, hashEntry, toIsoTimestamp, type AuditEntry } from "../db";

/** An entry as stored: its content, its seq and prev_hash, and its own hash. */
export type StoredEntry = AuditEntry & { hash: string };

export type BreakKind = "edited" | "removed" | "reordered" | "rewritten" | "archive_corrupt" | "anchor_mismatch" | "truncated";

export type ChainBreak = {
  kind: BreakKind;
  /** The seq where the walk stopped. */
  seq: number;
  /** The id of the entry there (absent for a gap or truncation). */
  id?: string;
  /** Where the entry lives: the live log or an archive segment. */
  where: "log" | "archive";
  /** One sentence naming what is wrong and where. */
  message: string;
};

/** Finds a stored entry by its hash (used only after a link broke, to tell a reorder from a removal). */
export type LocateByHash = (hash: string) => Promise<{ seq: number; id: string } | undefined>;

export type ChainPosition = { seq: number; hash: string; id: string | null };

export const START: ChainPosition = { seq: 0, hash: GENESIS_HASH, id: null };

export class ChainWalker {
  private last: ChainPosition;
  checked = 0;

  constructor(
    start: ChainPosition = START,
    private readonly locate: LocateByHash = () => Promise.resolve(undefined),
  ) {
    this.last = start;
  }

  get position(): ChainPosition {
    return this.last;
  }

  /** Checks the next entry in seq order; returns the break it shows, or null and moves on. */
  async next(e: StoredEntry, where: "log" | "archive"): Promise<ChainBreak | null> {
    const expected = this.last.seq + 1;
    const after = this.last.seq === 0 ? "the start of the log" : `seq ${this.last.seq}`;
    if (e.seq > expected) {
      const n = e.seq - expected;
      const range = n === 1 ? `seq ${expected} is` : `seq ${expected} to ${e.seq - 1} (${n} entries) are`;
      return { kind: "removed", seq: expected, where, message: `Entries were removed: ${range} missing between ${after} and seq ${e.seq} (id ${e.id}).` };
    }
    if (e.seq < expected) {
      return { kind: "reordered", seq: e.seq, id: e.id, where, message: `Entry seq ${e.seq} (id ${e.id}) appears again after ${after}: entries were duplicated or reordered.` };
    }
    const contentOk = hashEntry(e) === e.hash;
    const linkOk = e.prev_hash === this.last.hash;
    if (contentOk && linkOk) {
      this.last = { seq: e.seq, hash: e.hash, id: e.id };
      this.checked++;
      return null;
    }
    const edited: ChainBreak = { kind: "edited", seq: e.seq, id: e.id, where, message: `Entry seq ${e.seq} (id ${e.id}) was edited: its content no longer matches its hash.` };
    if (linkOk) return edited;
    const pred = e.prev_hash === GENESIS_HASH ? { seq: 0, id: "" } : await this.locate(e.prev_hash);
    if (pred && pred.seq !== e.seq - 1) {
      const target = pred.seq === 0 ? "the start of the log" : `seq ${pred.seq} (id ${pred.id})`;
      return { kind: "reordered", seq: e.seq, id: e.id, where, message: `Entries were reordered: seq ${e.seq} (id ${e.id}) is chained after ${target}, not after ${after}.` };
    }
    if (!contentOk) return edited;
    const prev = this.last.id ? `seq ${this.last.seq} (id ${this.last.id})` : after;
    return {
      kind: "rewritten",
      seq: e.seq,
      id: e.id,
      where,
      message: `The link into seq ${e.seq} (id ${e.id}) is broken: ${prev} is not the entry it was chained to. That entry was rewritten (its hash recomputed) or removed with the entries renumbered.`,
    };
  }
}

const text = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? v : typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
};

/** A row of audit_log (or of an archive segment) as the hash covers it: seq a number, at ISO. */
export function storedEntryOf(row: Record<string, unknown>): StoredEntry {
  return {
    id: String(row.id),
    seq: Number(row.seq),
    at: toIsoTimestamp(row.at) ?? String(row.at),
    actor_id: String(row.actor_id),
    actor_kind: String(row.actor_kind),
    action: String(row.action),
    object: text(row.object),
    record_id: text(row.record_id),
    changes: text(row.changes),
    ip: text(row.ip),
    user_agent: text(row.user_agent),
    prev_hash: String(row.prev_hash),
    hash: String(row.hash),
  };
}

export const ENTRY_COLUMNS = "id, seq, at, actor_id, actor_kind, action, object, record_id, changes, ip, user_agent, prev_hash, hash";
