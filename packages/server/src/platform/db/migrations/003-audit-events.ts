import { sql } from "kysely";
import type { Migration } from "../migrate";
import { sqlTypes } from "../sql-types";

/** The hash-chained audit log and the transactional outbox of record events. */
export const auditEventsMigration: Migration = {
  id: "003-audit-events",
  async up(db) {
    const t = sqlTypes(db.dialect);
    const run = (q: string) => sql.raw(q).execute(db.kysely);
    await run(`create table audit_log (
      id text primary key,
      seq ${t.bigint} not null unique,
      at ${t.timestamp} not null,
      actor_id text not null,
      actor_kind text not null,
      action text not null,
      object text,
      record_id text,
      changes text,
      ip text,
      user_agent text,
      prev_hash text not null,
      hash text not null)`);
    await run(`create index audit_log_record on audit_log (object, record_id)`);
    await run(`create index audit_log_actor on audit_log (actor_id, at)`);
    await run(`create table outbox_event (
      id text primary key,
      at ${t.timestamp} not null,
      object text not null,
      record_id text not null,
      type text not null,
      payload text not null,
      processed_at ${t.timestamp})`);
    // The worker (issue 4) scans unprocessed events in order.
    await run(`create index outbox_event_pending on outbox_event (processed_at, id)`);
  },
};
