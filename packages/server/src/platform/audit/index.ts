/**
 * platform/audit: the append-only, hash-chained audit log (docs/audit.md). Entries are appended by the
 * parts that act, inside their own transactions, through db's appendAudit (records for every write,
 * identity for sign-ins, access for permission changes and reveals, io for exports). This part reads
 * them: the verifier (chain walk over archive + log), search, export, retention (archive), the HTTP
 * routes and the `revline audit` command.
 *
 * Wiring: app.ts calls registerAuditRoutes(app) and hands auditOpenApiPaths() to the OpenAPI document;
 * the CLI calls registerAuditCommand(program, open).
 */
export { appendAudit, hashEntry, GENESIS_HASH } from "../db";
export type { AuditInput, AuditEntry } from "../db";
export { ChainWalker, storedEntryOf } from "./chain";
export type { ChainBreak, BreakKind, StoredEntry } from "./chain";
export { verifyChain, chainHead, describeResult } from "./verify";
export type { VerifyResult, VerifyOptions, Anchor } from "./verify";
export { archiveAudit, listSegments, retentionDaysFromEnv, scheduleAuditArchive, SEGMENT_SIZE } from "./archive";
export type { ArchiveResult, SegmentInfo } from "./archive";
export { searchAudit, parseAuditQuery } from "./search";
export type { AuditSearch, AuditFilter, AuditEntryView } from "./search";
export { writeAuditExport, recordAuditExport } from "./export";
export { registerAuditRoutes } from "./audit.routes";
export type { AuditRouteOptions } from "./audit.routes";
export { auditOpenApiPaths } from "./audit.openapi";
export { registerAuditCommand, auditVerifyCommand, auditHeadCommand, auditExportCommand, auditArchiveCommand } from "./commands";
