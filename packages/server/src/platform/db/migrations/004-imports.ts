import { sql } from "kysely";
import type { Migration } from "../migrate";
import { sqlTypes } from "../sql-types";

/**
 * Import jobs and their rejected-row reports. `last_committed_row` moves in the same transaction
 * as each batch of records, so a killed import can be resumed exactly where its last batch ended.
 */
export const importsMigration: Migration = {
  id: "004-imports",
  async up(db) {
    const t = sqlTypes(db.dialect);
    const run = (q: string) => sql.raw(q).execute(db.kysely);
    await run(`create table import_job (
      id text primary key,
      object text not null,
      file_name text not null,
      file_path text,
      status text not null,
      options text not null,
      encoding text,
      delimiter text,
      total ${t.bigint},
      "read" ${t.bigint} not null default 0,
      inserted ${t.bigint} not null default 0,
      updated ${t.bigint} not null default 0,
      rejected ${t.bigint} not null default 0,
      last_committed_row ${t.bigint} not null default 0,
      error text,
      created_by text not null,
      created_at ${t.timestamp} not null,
      updated_at ${t.timestamp} not null,
      finished_at ${t.timestamp})`);
    await run(`create index import_job_created on import_job (created_at)`);
    await run(`create table import_rejection (
      import_id text not null references import_job(id) on delete cascade,
      seq ${t.bigint} not null,
      "row" ${t.bigint} not null,
      "column" text,
      value text,
      reason text not null,
      primary key (import_id, seq))`);
  },
};
