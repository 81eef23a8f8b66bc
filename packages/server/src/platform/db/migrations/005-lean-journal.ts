import { sql } from "kysely";
import type { Migration } from "../migrate";

/**
 * A leaner journal per record write (docs/decisions/0003-events-reference-audit.md):
 * - outbox_event: the payload (a copy of the record, ~600 bytes a row) becomes audit_id, a reference
 *   to the audit entry of the same write, which holds the before/after of the changed fields.
 * - audit_log on SQLite: seq, the chain order, becomes the "integer primary key", i.e. the rowid, so
 *   the table is stored in chain order and the separate unique index on seq disappears. id stays
 *   unique (events reference entries by it). Indexes left: id, (object, record_id), (actor_id, at);
 *   no index on at alone: chain order is time order, and per-actor time search uses (actor_id, at).
 *   The hash of every entry is unchanged: rows are copied as they are.
 *   PostgreSQL heaps are not ordered by a key, so there the two unique indexes stay as they are.
 */
export const leanJournalMigration: Migration = {
  id: "005-lean-journal",
  async up(db) {
    const run = (q: string) => sql.raw(q).execute(db.kysely);
    // Events written before this migration keep no payload and no reference (no worker consumed them yet).
    await run(`alter table outbox_event add column audit_id text`);
    await run(`alter table outbox_event drop column payload`);
    if (db.dialect !== "sqlite") return;
    const cols = "seq, id, at, actor_id, actor_kind, action, object, record_id, changes, ip, user_agent, prev_hash, hash";
    await run(`create table audit_log_v2 (
      seq integer primary key,
      id text not null unique,
      at text not null,
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
    await run(`insert into audit_log_v2 (${cols}) select ${cols} from audit_log order by seq`);
    await run(`drop table audit_log`);
    await run(`alter table audit_log_v2 rename to audit_log`);
    await run(`create index audit_log_record on audit_log (object, record_id)`);
    await run(`create index audit_log_actor on audit_log (actor_id, at)`);
  },
};
