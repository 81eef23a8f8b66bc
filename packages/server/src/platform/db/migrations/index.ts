/**
 * The system-table migrations, in order. Numbers are reserved per part:
 *   001-metadata (metadata), 002-identity (identity), 003-audit-events (audit + outbox), 004-imports (import),
 *   005-lean-journal (audit + outbox), 006-access (access: roles, policies), 007-auth (identity: TOTP, lock-out, SSO),
 *   008-audit (audit archive + append-only guards), 009-export-approval (settings + export requests: guards).
 * To add one: create NNN-name.ts exporting a Migration and append it to this list.
 */
import type { Migration } from "../migrate";
import { metadataMigration } from "./001-metadata";
import { identityMigration } from "./002-identity";
import { auditEventsMigration } from "./003-audit-events";
import { importsMigration } from "./004-imports";
import { leanJournalMigration } from "./005-lean-journal";
import { accessMigration } from "./006-access";
import { authMigration } from "./007-auth";
import { auditMigration } from "./008-audit";
import { exportApprovalMigration } from "./009-export-approval";

export const MIGRATIONS: readonly Migration[] = [
  metadataMigration,
  identityMigration,
  auditEventsMigration,
  importsMigration,
  leanJournalMigration,
  accessMigration,
  authMigration,
  auditMigration,
  exportApprovalMigration,
];
