import { sql } from "kysely";
import type { Migration } from "../migrate";
import { sqlTypes } from "../sql-types";

/**
 * Guards (issue 3): instance settings an administrator changes at runtime (the watermark, the
 * export approval threshold) and the two-person export requests. A request's download token is
 * stored only as a sha256; `status` moves pending -> approved | rejected | expired, approved ->
 * downloaded (once) | expired. This is a simple maker/checker record until the approval engine
 * (issue 4) takes it over.
 */
export const exportApprovalMigration: Migration = {
  id: "009-export-approval",
  async up(db) {
    const t = sqlTypes(db.dialect);
    const run = (q: string) => sql.raw(q).execute(db.kysely);
    await run(`create table app_setting (
      key text primary key,
      value text not null,
      updated_at ${t.timestamp} not null,
      updated_by text not null)`);
    await run(`create table export_request (
      id text primary key,
      requester_id text not null,
      requester_name text not null,
      object text not null,
      filter text,
      sort text,
      fields text,
      format text not null,
      header text not null,
      locale text not null,
      clear_values ${t.boolean} not null,
      row_estimate ${t.bigint} not null,
      reason text,
      status text not null,
      approver_id text,
      approver_name text,
      decision_comment text,
      decided_at ${t.timestamp},
      token_hash text,
      expires_at ${t.timestamp},
      downloaded_at ${t.timestamp},
      rows_exported ${t.bigint},
      created_at ${t.timestamp} not null,
      updated_at ${t.timestamp} not null)`);
    await run(`create index export_request_requester on export_request (requester_id, created_at)`);
    await run(`create index export_request_status on export_request (status, created_at)`);
  },
};
