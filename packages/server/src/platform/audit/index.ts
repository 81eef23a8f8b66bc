/** platform/audit: the append-only, hash-chained audit log. */
export { appendAudit, hashEntry, GENESIS_HASH } from "./audit-log";
export type { AuditInput, AuditEntry } from "./audit-log";
