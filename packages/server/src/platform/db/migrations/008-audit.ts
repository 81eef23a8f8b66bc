import { sql } from "kysely";
import type { Migration } from "../migrate";
import { sqlTypes } from "../sql-types";

/**
 * The audit log becomes append-only in the database itself, and gains its archive (docs/audit.md).
 *
 * - audit_archive: entries older than the retention period move here, in gzip-compressed JSONL
 *   segments of consecutive entries, each with its checkpoint (seq range, the prev_hash of its first
 *   entry, the hash of its last). The chain runs on from the archive into audit_log unbroken, so the
 *   verifier walks both. A segment row is never changed or removed.
 * - Guards (triggers) on both tables: an UPDATE is always refused; a DELETE from audit_log is refused
 *   unless an archive segment already holds that entry's seq (the archive step inserts the segment,
 *   then deletes the entries it copied, in one transaction); a DELETE from audit_archive, and TRUNCATE
 *   of either table on PostgreSQL, is always refused. No session flag opens them: the only way an
 *   entry leaves audit_log is by being in the archive first.
 *   These guards stop the application, a bug or a stray SQL statement; someone who can drop a
 *   trigger can also rewrite rows, and that is what the hash chain and the verifier are for.
 */
export const auditMigration: Migration = {
  id: "008-audit",
  async up(db) {
    const t = sqlTypes(db.dialect);
    const pg = db.dialect === "postgres";
    const run = (q: string) => sql.raw(q).execute(db.kysely);
    await run(`create table audit_archive (
      seq_from ${t.bigint} primary key,
      seq_to ${t.bigint} not null,
      entry_count integer not null,
      prev_hash text not null,
      last_hash text not null,
      at_from ${t.timestamp} not null,
      at_to ${t.timestamp} not null,
      archived_at ${t.timestamp} not null,
      data ${pg ? "bytea" : "blob"} not null,
      data_sha256 text not null)`);
    if (pg) {
      await run(`create function revline_audit_guard() returns trigger language plpgsql as $$
begin
  -- Nested, not ANDed: plpgsql may evaluate old.seq for audit_archive rows, which have no seq.
  if TG_OP = 'DELETE' and TG_TABLE_NAME = 'audit_log' then
    if exists (select 1 from audit_archive a where a.seq_from <= old.seq and a.seq_to >= old.seq) then
      return old;
    end if;
  end if;
  raise exception 'revline: % on % refused: the audit log is append-only (entries leave it only by archiving)', TG_OP, TG_TABLE_NAME
    using errcode = 'insufficient_privilege';
end
$$`);
      for (const table of ["audit_log", "audit_archive"]) {
        await run(`create trigger ${table}_append_only before update or delete on ${table} for each row execute function revline_audit_guard()`);
        await run(`create trigger ${table}_no_truncate before truncate on ${table} for each statement execute function revline_audit_guard()`);
      }
      return;
    }
    const refuse = (what: string) => `select raise(abort, 'revline: ${what} refused: the audit log is append-only (entries leave it only by archiving)')`;
    await run(`create trigger audit_log_no_update before update on audit_log begin ${refuse("UPDATE on audit_log")}; end`);
    await run(`create trigger audit_log_no_delete before delete on audit_log
      when not exists (select 1 from audit_archive a where a.seq_from <= old.seq and a.seq_to >= old.seq)
      begin ${refuse("DELETE on audit_log")}; end`);
    await run(`create trigger audit_archive_no_update before update on audit_archive begin ${refuse("UPDATE on audit_archive")}; end`);
    await run(`create trigger audit_archive_no_delete before delete on audit_archive begin ${refuse("DELETE on audit_archive")}; end`);
  },
};
