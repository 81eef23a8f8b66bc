/** Import API (upload, run, poll, report) per the HTTP contract. */
import { api } from "./client";

export type ImportUpload = {
  id: string;
  fileName: string;
  encoding?: string;
  delimiter?: string;
  columns: string[];
  sample: (string | number | boolean | null)[][];
  totalRows: number;
  mapping: Record<string, string | null>;
};
export type DateOrder = "ymd" | "dmy" | "mdy";
export type RunOptions = {
  mapping: Record<string, string | null>;
  dryRun?: boolean;
  dateOrder?: DateOrder;
  onUnresolved: "reject" | "empty";
  /** The field to upsert by; null: none, every row is a new record; absent: the external key. */
  key?: string | null;
};
export type ImportStatus = {
  id?: string;
  status: "pending" | "running" | "done" | "failed";
  dryRun?: boolean;
  progress?: { read: number; total: number };
  summary?: { read: number; inserted: number; updated: number; rejected: number };
  error?: string;
};

export function uploadImport(object: string, file: File): Promise<ImportUpload> {
  const fd = new FormData();
  // Fields before the file: streaming multipart parsers read them first.
  fd.append("object", object);
  fd.append("file", file, file.name);
  return api<ImportUpload>("/api/imports", { method: "POST", body: fd });
}

export const runImport = (id: string, opts: RunOptions) => api<{ id: string; status: string }>(`/api/imports/${id}/run`, { method: "POST", body: opts });
export const getImport = (id: string) => api<ImportStatus>(`/api/imports/${id}`);
export const reportUrl = (id: string) => `/api/imports/${id}/report?format=csv`;
export type Rejection = { row: number; column: string | null; value: string | null; reason: string };
export const fetchRejections = (id: string) => api<{ rejections: Rejection[] }>(`/api/imports/${id}/report?format=json`).then((r) => r.rejections);
