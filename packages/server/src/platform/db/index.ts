/**
 * platform/db: opening SQLite or PostgreSQL behind Kysely, transactions, system-table migrations.
 *
 *   const db = openDb({ url: process.env.DATABASE_URL, dataDir: "./data" });
 *   await migrate(db);
 *   ...
 *   await closeDb(db);
 */
export { openDb, closeDb, optimizeDb, rootDb, sqliteHandle, pgPool, isPostgresUrl, onSqliteOpen } from "./open";
export type { DbConfig } from "./open";
export { withTransaction, isInTransaction } from "./transaction";
export { migrate } from "./migrate";
export type { Migration } from "./migrate";
export { MIGRATIONS } from "./migrations";
export { sqlTypes, quoteIdent } from "./sql-types";
export { toIsoTimestamp, toIsoDate } from "./values";
export { execSql, insertRows } from "./exec";
export type { ExecResult } from "./exec";
export { newId } from "./ids";
export { appendAudit, hashEntry, GENESIS_HASH } from "./audit-append";
export type { AuditInput, AuditEntry } from "./audit-append";
