/**
 * The system-table migrations, in order. Numbers are reserved per part:
 *   001-metadata (metadata), 002-identity (identity), 003-audit-events (audit + outbox), 004-imports (import),
 *   005-lean-journal (audit + outbox).
 * To add one: create NNN-name.ts exporting a Migration and append it to this list.
 */
import type { Migration } from "../migrate";
import { metadataMigration } from "./001-metadata";
import { identityMigration } from "./002-identity";
import { auditEventsMigration } from "./003-audit-events";
import { importsMigration } from "./004-imports";
import { leanJournalMigration } from "./005-lean-journal";

export const MIGRATIONS: readonly Migration[] = [
  metadataMigration,
  identityMigration,
  auditEventsMigration,
  importsMigration,
  leanJournalMigration,
];
