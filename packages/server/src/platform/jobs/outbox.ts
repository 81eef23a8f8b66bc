/**
 * The transactional outbox: every record write appends its event here in the same transaction,
 * so an event exists exactly when the write committed. The worker (issue 4) consumes them.
 */
import type { Ctx } from "../context";
import { insertRows, newId } from "../db";

export type RecordEventType = "created" | "updated" | "deleted" | "restored";
export type OutboxEventInput = { object: string; recordId: string; type: RecordEventType; payload: unknown };

const COLUMNS = ["id", "at", "object", "record_id", "type", "payload", "processed_at"];

export async function appendEvents(ctx: Ctx, events: OutboxEventInput[]): Promise<void> {
  if (!events.length) return;
  const at = ctx.clock().toISOString();
  const rows = events.map((e) => [newId(), at, e.object, e.recordId, e.type, JSON.stringify(e.payload), null]);
  await insertRows(ctx.db, "outbox_event", COLUMNS, rows);
}
