/**
 * The audit log's append primitive: append-only, hash-chained entries (each entry's hash covers its
 * content and the previous entry's hash, so an edit, removal or reordering breaks the chain).
 * It lives in db, the lowest part, so that every part that must leave an audit entry can: records
 * for each write (records/journal.ts), identity for sign-ins, access for permission changes and
 * reveals, io for exports. platform/audit (verifier, search, export) reads what it wrote.
 * Appends run inside the caller's transaction: a write that rolls back leaves no entry.
 */
import crypto from "node:crypto";
import { sql } from "kysely";
import type { Ctx, Db } from "../context";
import { insertRows } from "./exec";
import { newId } from "./ids";

export type AuditInput = {
  action: string;
  object?: string | null;
  recordId?: string | null;
  /** Before/after of the changed fields: { field: { before, after } }. */
  changes?: Record<string, { before?: unknown; after?: unknown }> | null;
};

export type AuditEntry = {
  id: string;
  seq: number;
  at: string;
  actor_id: string;
  actor_kind: string;
  action: string;
  object: string | null;
  record_id: string | null;
  changes: string | null;
  ip: string | null;
  user_agent: string | null;
  prev_hash: string;
};

export const GENESIS_HASH = "0".repeat(64);

// One-shot hashing (Node >= 20.12) skips the Hash object per entry; the digest is the same.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;
const sha256Hex = oneShot ? (data: string) => oneShot("sha256", data, "hex") : (data: string) => crypto.createHash("sha256").update(data).digest("hex");

/** The hash of an entry: sha256 over its fields in a fixed order, then the previous hash. */
export function hashEntry(e: AuditEntry): string {
  const parts = [e.id, String(e.seq), e.at, e.actor_id, e.actor_kind, e.action, e.object ?? "", e.record_id ?? "", e.changes ?? "", e.ip ?? "", e.user_agent ?? "", e.prev_hash];
  return sha256Hex(JSON.stringify(parts));
}

async function chainHead(db: Db): Promise<{ seq: number; hash: string }> {
  // One writer extends the chain at a time on PostgreSQL; SQLite serialises writers already.
  if (db.dialect === "postgres") await sql`select pg_advisory_xact_lock(74203)`.execute(db.kysely);
  const last = (await sql<{ seq: unknown; hash: string }>`select seq, hash from audit_log order by seq desc limit 1`.execute(db.kysely)).rows[0];
  return last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
}

const AUDIT_COLUMNS = ["id", "seq", "at", "actor_id", "actor_kind", "action", "object", "record_id", "changes", "ip", "user_agent", "prev_hash", "hash"] as const;

/**
 * Appends entries in order (one chain lookup for the batch) and returns their ids, in input order.
 * Must run inside the write's transaction.
 */
export async function appendAudit(ctx: Ctx, inputs: AuditInput[]): Promise<string[]> {
  if (!inputs.length) return [];
  let head = await chainHead(ctx.db);
  const at = ctx.clock().toISOString();
  const rows = inputs.map((input) => {
    const entry: AuditEntry = {
      id: newId(),
      seq: head.seq + 1,
      at,
      actor_id: ctx.actor.id,
      actor_kind: ctx.actor.kind,
      action: input.action,
      object: input.object ?? null,
      record_id: input.recordId ?? null,
      changes: input.changes ? JSON.stringify(input.changes) : null,
      ip: ctx.client?.ip ?? null,
      user_agent: ctx.client?.userAgent ?? null,
      prev_hash: head.hash,
    };
    const hash = hashEntry(entry);
    head = { seq: entry.seq, hash };
    // AUDIT_COLUMNS order.
    return [entry.id, entry.seq, entry.at, entry.actor_id, entry.actor_kind, entry.action, entry.object, entry.record_id, entry.changes, entry.ip, entry.user_agent, entry.prev_hash, hash];
  });
  await insertRows(ctx.db, "audit_log", AUDIT_COLUMNS, rows);
  return rows.map((r) => r[0] as string);
}


