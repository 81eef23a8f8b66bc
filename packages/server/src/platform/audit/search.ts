/**
 * Searching the live audit log: by actor, object, record, action and time, newest first, keyset-paged
 * by seq. Parameters are checked strictly (unknown ones, repeated ones and bad values are a 400 naming
 * the parameter). Entries come back with the actor's name, looked up through the records layer as the
 * system actor (the user directory is records' business, not raw SQL on its table).
 */
import { invalid, type ErrorDetail } from "@revline/core";
import { systemActor, type Ctx, type Db } from "../context";
import { execSql } from "../db";
import { listRecords } from "../records";
import { ENTRY_COLUMNS, storedEntryOf, type StoredEntry } from "./chain";

export type AuditFilter = {
  /** Actor id: a user id, or "system". */
  actor?: string;
  object?: string;
  recordId?: string;
  /** An action name ("record.reveal"), or a family ("auth.*"). */
  action?: string;
  /** from <= at < to, ISO timestamps. */
  from?: string;
  to?: string;
};

export type AuditSearch = AuditFilter & { limit: number; cursor?: number };

export type AuditEntryView = {
  id: string;
  seq: number;
  at: string;
  actor: { id: string; kind: string; name: string | null };
  action: string;
  object: string | null;
  recordId: string | null;
  changes: Record<string, { before?: unknown; after?: unknown }> | null;
  ip: string | null;
  userAgent: string | null;
  prevHash: string;
  hash: string;
};

export const MAX_AUDIT_LIMIT = 1000;
export const DEFAULT_AUDIT_LIMIT = 50;

const FILTER_KEYS = ["actor", "object", "recordId", "action", "from", "to"] as const;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function timestampOf(raw: string): string | undefined {
  if (!DATE_ONLY.test(raw) && !DATE_TIME.test(raw)) return undefined;
  const d = new Date(DATE_ONLY.test(raw) ? `${raw}T00:00:00.000Z` : raw);
  if (Number.isNaN(d.getTime())) return undefined;
  // "2024-02-30" rolls over in Date; a date that does not exist is an error, not March 1st.
  if (DATE_ONLY.test(raw) && d.toISOString().slice(0, 10) !== raw) return undefined;
  return d.toISOString();
}

export function encodeAuditCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq })).toString("base64url");
}

function decodeAuditCursor(raw: string): number | undefined {
  try {
    const v = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as { s?: unknown };
    return typeof v.s === "number" && Number.isSafeInteger(v.s) && v.s > 0 ? v.s : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks query parameters. `extra` names the other parameters the caller accepts (e.g. format); their
 * values come back in `rest` for the caller to check.
 */
export function parseAuditQuery(query: unknown, opts: { paged: boolean; extra?: readonly string[] }): { search: AuditSearch; rest: Record<string, string> } {
  const q = (query && typeof query === "object" ? query : {}) as Record<string, unknown>;
  const errors: ErrorDetail[] = [];
  const known = new Set<string>([...FILTER_KEYS, ...(opts.paged ? ["limit", "cursor"] : []), ...(opts.extra ?? [])]);
  const values: Record<string, string> = {};
  for (const [key, v] of Object.entries(q)) {
    if (!known.has(key)) errors.push({ field: key, reason: `is not a parameter of this endpoint (use ${[...known].join(", ")})`, code: "unknown_parameter" });
    else if (typeof v !== "string") errors.push({ field: key, reason: "must be given once, as text", code: "invalid_type" });
    else if (v.includes("\u0000")) errors.push({ field: key, reason: "may not contain a NUL character (U+0000)", code: "invalid_format" });
    else if (v !== "") values[key] = v;
  }
  const search: AuditSearch = { limit: DEFAULT_AUDIT_LIMIT };
  const text = (key: "actor" | "recordId", max: number) => {
    const v = values[key];
    if (v === undefined) return;
    if (v.length > max) errors.push({ field: key, reason: `must be at most ${max} characters`, code: "too_long" });
    else search[key] = v;
  };
  text("actor", 100);
  text("recordId", 100);
  if (values.object !== undefined) {
    if (/^[a-z][a-z0-9_]{0,62}$/.test(values.object)) search.object = values.object;
    else errors.push({ field: "object", reason: "must be an object name (a-z, 0-9, _)", code: "invalid_format" });
  }
  if (values.action !== undefined) {
    if (/^[a-z][a-z0-9_]*(\.([a-z][a-z0-9_]*|\*))?$/.test(values.action) && values.action.length <= 64) search.action = values.action;
    else errors.push({ field: "action", reason: 'must be an action name like "record.reveal" or a family like "auth.*"', code: "invalid_format" });
  }
  for (const key of ["from", "to"] as const) {
    const v = values[key];
    if (v === undefined) continue;
    const ts = timestampOf(v);
    if (ts) search[key] = ts;
    else errors.push({ field: key, reason: "must be a date (2024-05-01) or a date-time with a zone (2024-05-01T08:00:00Z)", code: "invalid_format" });
  }
  if (search.from && search.to && search.from >= search.to) errors.push({ field: "to", reason: "must be later than from", code: "out_of_range" });
  if (opts.paged) {
    if (values.limit !== undefined) {
      const n = Number(values.limit);
      if (/^\d+$/.test(values.limit) && n >= 1 && n <= MAX_AUDIT_LIMIT) search.limit = n;
      else errors.push({ field: "limit", reason: `must be a whole number from 1 to ${MAX_AUDIT_LIMIT}`, code: "out_of_range" });
    }
    if (values.cursor !== undefined) {
      const seq = decodeAuditCursor(values.cursor);
      if (seq === undefined) errors.push({ field: "cursor", reason: "is not a cursor this endpoint gave out; start again without it", code: "invalid_cursor" });
      else search.cursor = seq;
    }
  }
  if (errors.length) throw invalid(`Invalid audit search parameters: ${errors.map((e) => `${e.field}: ${e.reason}`).join("; ")}.`, errors);
  const rest: Record<string, string> = {};
  for (const k of opts.extra ?? []) if (values[k] !== undefined) rest[k] = values[k];
  return { search, rest };
}

/** The WHERE of a filter, with `?` parameters. */
export function filterSql(f: AuditFilter): { clauses: string[]; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...ps: unknown[]) => {
    clauses.push(clause);
    params.push(...ps);
  };
  if (f.actor !== undefined) add("actor_id = ?", f.actor);
  if (f.object !== undefined) add("object = ?", f.object);
  if (f.recordId !== undefined) add("record_id = ?", f.recordId);
  if (f.action !== undefined) {
    if (f.action.endsWith(".*")) add("action like ?", `${f.action.slice(0, -1)}%`);
    else add("action = ?", f.action);
  }
  if (f.from !== undefined) add("at >= ?", f.from);
  if (f.to !== undefined) add("at < ?", f.to);
  return { clauses, params };
}

function parseChanges(raw: string | null): AuditEntryView["changes"] {
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as AuditEntryView["changes"];
  } catch {
    return { _raw: { after: raw } };
  }
}

/** Actor names by id, through the records layer as the system actor; deleted users keep their names. */
export async function actorNames(ctx: Ctx, ids: Iterable<string>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const wanted = [...new Set(ids)].filter((id) => id !== "system");
  if (ctx.meta("user") && wanted.length) {
    const sys: Ctx = { ...ctx, actor: systemActor };
    for (let i = 0; i < wanted.length; i += 500) {
      const chunk = wanted.slice(i, i + 500);
      const page = await listRecords(sys, "user", { filter: { field: "id", op: "in", value: chunk }, fields: ["name", "email"], limit: chunk.length, deleted: "include" });
      for (const r of page.records) names.set(r.id, typeof r.name === "string" && r.name ? r.name : typeof r.email === "string" ? r.email : r.id);
    }
  }
  names.set("system", "system");
  return names;
}

export function entryView(e: StoredEntry, names: Map<string, string>): AuditEntryView {
  return {
    id: e.id,
    seq: e.seq,
    at: e.at,
    actor: { id: e.actor_id, kind: e.actor_kind, name: names.get(e.actor_id) ?? null },
    action: e.action,
    object: e.object,
    recordId: e.record_id,
    changes: parseChanges(e.changes),
    ip: e.ip,
    userAgent: e.user_agent,
    prevHash: e.prev_hash,
    hash: e.hash,
  };
}

export async function searchAudit(ctx: Ctx, s: AuditSearch): Promise<{ entries: AuditEntryView[]; nextCursor: string | null }> {
  const { clauses, params } = filterSql(s);
  if (s.cursor !== undefined) {
    clauses.push("seq < ?");
    params.push(s.cursor);
  }
  const where = clauses.length ? ` where ${clauses.join(" and ")}` : "";
  const rows = (await execSql(ctx.db, `select ${ENTRY_COLUMNS} from audit_log${where} order by seq desc limit ?`, [...params, s.limit + 1])).rows.map(storedEntryOf);
  const page = rows.slice(0, s.limit);
  const names = await actorNames(ctx, page.map((e) => e.actor_id));
  const last = page[page.length - 1];
  return { entries: page.map((e) => entryView(e, names)), nextCursor: rows.length > s.limit && last ? encodeAuditCursor(last.seq) : null };
}

/** Entries matching a filter in chain order (oldest first) up to `throughSeq`, in batches. */
export async function* entriesInOrder(db: Db, f: AuditFilter, throughSeq: number, batch = 1000): AsyncGenerator<StoredEntry[]> {
  const { clauses, params } = filterSql(f);
  let after = 0;
  for (;;) {
    const where = [...clauses, "seq > ?", "seq <= ?"].join(" and ");
    const rows = (await execSql(db, `select ${ENTRY_COLUMNS} from audit_log where ${where} order by seq limit ?`, [...params, after, throughSeq, batch])).rows.map(storedEntryOf);
    if (!rows.length) return;
    yield rows;
    after = rows[rows.length - 1]!.seq;
  }
}
