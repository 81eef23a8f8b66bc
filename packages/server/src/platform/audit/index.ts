/**
 * platform/audit: the append-only, hash-chained audit log. Entries are appended by records inside
 * each write's transaction (records/journal.ts); the verifier, search and export come with issue 3.
 */
export { appendAudit, hashEntry, GENESIS_HASH } from "../records";
export type { AuditInput, AuditEntry } from "../records";
