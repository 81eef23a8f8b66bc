/**
 * The two rows every record write leaves in its own transaction: an audit entry (through the
 * hash-chained append primitive of platform/db, which identity, access and io use for their own
 * entries too) and an outbox event (the worker of platform/jobs consumes it).
 * Appends run inside the caller's transaction: a write that rolls back leaves neither.
 */
import type { Ctx } from "../context";
import { insertRows, newId } from "../db";
export { appendAudit, hashEntry, GENESIS_HASH } from "../db";
export type { AuditInput, AuditEntry } from "../db";

export type RecordEventType = "created" | "updated" | "deleted" | "restored";
/**
 * An event is a reference, not a copy (docs/decisions/0003-events-reference-audit.md): the audit
 * entry it names holds the before/after of the changed fields, and the record itself is read
 * through records when the event is handled.
 */
export type OutboxEventInput = { object: string; recordId: string; type: RecordEventType; auditId: string };

const OUTBOX_COLUMNS = ["id", "at", "object", "record_id", "type", "audit_id", "processed_at"];

export async function appendEvents(ctx: Ctx, events: OutboxEventInput[]): Promise<void> {
  if (!events.length) return;
  const at = ctx.clock().toISOString();
  const rows = events.map((e) => [newId(), at, e.object, e.recordId, e.type, e.auditId, null]);
  await insertRows(ctx.db, "outbox_event", OUTBOX_COLUMNS, rows);
}
