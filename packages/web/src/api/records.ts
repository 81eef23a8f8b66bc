/** Typed calls for records, metadata and aggregates (HTTP contract of the server). */
import type { Condition, FieldDef, ObjectDef } from "@revline/core";
import { api, qs } from "./client";

export type RecordData = Record<string, unknown> & {
  id: string;
  version?: number;
  _related?: Record<string, RecordData | null | undefined>;
};
export type ListPage = { records: RecordData[]; nextCursor: string | null };
export type ListParams = {
  filter?: Condition;
  sort?: string;
  limit?: number;
  cursor?: string | null;
  fields?: string[];
  include?: string[];
};

export type CurrencyValue = { amount: string; currency: string };
export type AggregateRow = { group: Record<string, unknown>; values: Record<string, unknown> };
export type GroupBy = { field: string; bucket?: "day" | "month" | "quarter" | "year" };
export type Metric = { fn: "count" | "sum" | "avg" | "min" | "max"; field?: string };

export type Me = { id: string; name: string; email: string; locale?: string | null; isAdmin?: boolean; roles?: string[] };

export const fetchMe = () => api<{ user: Me }>("/api/auth/me").then((r) => r.user);
/** Remembers the user's language for their next sign-in on any browser. */
export const saveMyLocale = (locale: "en" | "zh-CN") => api<{ user: Me }>("/api/auth/me", { method: "PATCH", body: { locale } }).then((r) => r.user);
export const login = (email: string, password: string) => api<{ user: Me }>("/api/auth/login", { method: "POST", body: { email, password } });
export const logout = () => api<void>("/api/auth/logout", { method: "POST" });

export const fetchObjects = () => api<{ objects: ObjectDef[] }>("/api/objects").then((r) => r.objects);

/** The POST form of the list carries long conditions that would not fit a URL. */
export function listRecords(object: string, p: ListParams, signal?: AbortSignal): Promise<ListPage> {
  return api<ListPage>(`/api/objects/${object}/records/query`, {
    method: "POST",
    signal,
    body: {
      filter: p.filter,
      sort: p.sort || undefined,
      limit: p.limit ?? 50,
      cursor: p.cursor ?? undefined,
      fields: p.fields,
      include: p.include?.length ? p.include : undefined,
    },
  });
}

export function getRecord(object: string, id: string, include?: string[]): Promise<RecordData> {
  return api<RecordData>(`/api/objects/${object}/records/${id}${qs({ include: include?.join(",") })}`);
}

export function createRecord(object: string, input: Record<string, unknown>): Promise<RecordData> {
  return api<RecordData>(`/api/objects/${object}/records`, { method: "POST", body: input });
}

export function updateRecord(object: string, id: string, patch: Record<string, unknown>, version?: number): Promise<RecordData> {
  const headers: Record<string, string> = {};
  if (version !== undefined) headers["if-match"] = `"${version}"`;
  return api<RecordData>(`/api/objects/${object}/records/${id}`, { method: "PATCH", body: patch, headers });
}

/** Unmasks one masked value (needs the reveal right; the server audits it as record.reveal). */
export const revealValue = (object: string, id: string, field: string) =>
  api<{ field: string; value: unknown }>(`/api/objects/${object}/records/${id}/reveal`, { method: "POST", body: { field } });
export const deleteRecord = (object: string, id: string) => api<void>(`/api/objects/${object}/records/${id}`, { method: "DELETE" });

export function aggregate(object: string, body: { filter?: Condition; groupBy?: GroupBy[]; metrics: Metric[] }): Promise<AggregateRow[]> {
  return api<{ rows: AggregateRow[] }>(`/api/objects/${object}/aggregate`, {
    method: "POST",
    body: { filter: body.filter, groupBy: body.groupBy ?? [], metrics: body.metrics },
  }).then((r) => r.rows);
}

export const createObject = (def: Partial<ObjectDef>) => api<ObjectDef>("/api/objects", { method: "POST", body: def });
export const addField = (object: string, def: FieldDef) => api<FieldDef>(`/api/objects/${object}/fields`, { method: "POST", body: def });

export function exportUrl(object: string, format: "csv" | "xlsx", p: { filter?: Condition; sort?: string; fields?: string[]; locale?: string }): string {
  return `/api/objects/${object}/export${qs({
    format,
    header: "label",
    locale: p.locale,
    filter: p.filter ? JSON.stringify(p.filter) : undefined,
    sort: p.sort,
    fields: p.fields?.join(","),
  })}`;
}

/** Joins conditions with AND, dropping empty ones. */
export function andConditions(...parts: (Condition | undefined | null)[]): Condition | undefined {
  const list = parts.filter((c): c is Condition => !!c && !isEmptyCondition(c));
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return { all: list };
}

export function isEmptyCondition(c: Condition): boolean {
  if ("all" in c) return c.all.length === 0;
  if ("any" in c) return c.any.length === 0;
  return false;
}

/** Reads a numeric amount out of a currency value or number (display only; never used for arithmetic that is stored). */
export function amountOf(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "number") return v;
  if (typeof v === "string") return Number(v);
  if (typeof v === "object" && "amount" in (v as CurrencyValue)) return Number((v as CurrencyValue).amount);
  return 0;
}
