/** Exports with two-person approval, and the guard settings the UI reads (watermark). */
import type { Condition } from "@revline/core";
import { api, apiRaw } from "./client";

export type ExportStatus = "pending" | "approved" | "rejected" | "expired" | "downloaded";
export type Person = { id: string; name: string };
export type ExportRequestView = {
  id: string;
  requester: Person;
  object: string;
  format: "csv" | "xlsx";
  filter: unknown;
  sort: unknown;
  fields: string[] | null;
  clear: boolean;
  rows: number;
  reason: string | null;
  status: ExportStatus;
  approver: Person | null;
  comment: string | null;
  decidedAt: string | null;
  expiresAt: string | null;
  downloadedAt: string | null;
  createdAt: string;
};
export type ExportPlan = {
  object: string;
  rows: number;
  threshold: number;
  maskedFields: string[];
  canReveal: boolean;
  needsApproval: boolean;
  reasons: ("rows" | "clear")[];
};
export type ExportAsk = {
  object: string;
  format: "csv" | "xlsx";
  filter?: Condition;
  sort?: string;
  fields?: string[];
  header?: "name" | "label";
  locale?: "en" | "zh-CN";
  clear?: boolean;
  reason?: string;
};

export const planExport = (ask: ExportAsk) => api<{ plan: ExportPlan }>("/api/exports", { method: "POST", body: { ...ask, dryRun: true } }).then((r) => r.plan);

function clickDownload(href: string, fileName = ""): void {
  const a = document.createElement("a");
  a.href = href;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** Starts an export: downloads the file when it is small, or returns the request made for approval. */
export async function startExport(ask: ExportAsk): Promise<{ kind: "downloaded" } | { kind: "requested"; request: ExportRequestView }> {
  const res = await apiRaw("/api/exports", { method: "POST", body: ask });
  if (res.status === 202) return { kind: "requested", request: ((await res.json()) as { request: ExportRequestView }).request };
  const name = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? `${ask.object}.${ask.format}`;
  const url = URL.createObjectURL(await res.blob());
  clickDownload(url, name);
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { kind: "downloaded" };
}

export const listExportRequests = () => api<{ requests: ExportRequestView[]; canApprove: boolean }>("/api/exports");
export const decideExport = (id: string, decision: "approve" | "reject", comment?: string) =>
  api<ExportRequestView>(`/api/exports/${encodeURIComponent(id)}/${decision}`, { method: "POST", body: comment ? { comment } : {} });

/** Gets a one-time link for an approved request and follows it (the browser downloads the file). */
export async function downloadApprovedExport(id: string): Promise<void> {
  const { url } = await api<{ url: string; expiresAt: string }>(`/api/exports/${encodeURIComponent(id)}/link`, { method: "POST" });
  clickDownload(url);
}

export type WatermarkSetting = { enabled: boolean; source: "setting" | "env" | "default" };
export const fetchWatermark = () => api<WatermarkSetting>("/api/settings/watermark");
export const setWatermark = (enabled: boolean) => api<WatermarkSetting>("/api/settings/watermark", { method: "PUT", body: { enabled } });

export type ExportSetting = { approvalThreshold: number; source: "setting" | "env" | "default" };
export const fetchExportSetting = () => api<ExportSetting>("/api/settings/export");
