/** The audit log for administrators and auditors: search, export, chain verification. */
import { api, qs } from "./client";

export type AuditChange = { before?: unknown; after?: unknown };
export type AuditEntry = {
  id: string;
  seq: number;
  at: string;
  actor: { id: string; kind: string; name: string | null };
  action: string;
  object: string | null;
  recordId: string | null;
  changes: Record<string, AuditChange> | null;
  ip: string | null;
  userAgent: string | null;
  prevHash: string;
  hash: string;
};

export type AuditFilter = { actor?: string; action?: string; object?: string; recordId?: string; from?: string; to?: string };
export type AuditPage = { entries: AuditEntry[]; nextCursor: string | null };

export type ChainBreak = { kind: string; seq: number; id?: string; where: "log" | "archive"; message: string };
export type VerifyResult = {
  intact: boolean;
  entries: number;
  archivedEntries: number;
  segments: number;
  through: { seq: number; hash: string };
  head: { seq: number; hash: string } | null;
  partial: boolean;
  break: ChainBreak | null;
  checkedAt: string;
  maxEntries: number;
};

export const searchAudit = (f: AuditFilter, cursor?: string | null, limit = 50, signal?: AbortSignal) =>
  api<AuditPage>(`/api/audit${qs({ ...f, cursor: cursor ?? undefined, limit })}`, { signal });

export const auditExportUrl = (f: AuditFilter, format: "csv" | "xlsx") => `/api/audit/export${qs({ ...f, format })}`;

export const verifyAuditChain = (anchor?: string) => api<VerifyResult>(`/api/audit/verify${qs({ anchor })}`);
