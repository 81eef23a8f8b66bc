/**
 * Strict parsing of list and aggregate parameters, from a query string (GET) or a JSON body (POST).
 * Anything not understood is a 400 naming the parameter and why; nothing is silently dropped.
 * The condition itself is checked by the records layer (core's condition validation); here it
 * only has to be JSON of the right shape.
 */
import { findField, invalid, type Condition, type ErrorDetail, type ObjectDef } from "@revline/core";

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 50;
const MAX_SORT_FIELDS = 8;
const MAX_CURSOR_LENGTH = 4096;
const MAX_FILTER_LENGTH = 100_000;

export type DeletedMode = "exclude" | "only" | "include";
export type ListQuery = {
  filter?: Condition;
  sort?: { field: string; desc: boolean }[];
  limit?: number;
  cursor?: string | null;
  fields?: string[];
  include?: string[];
  deleted?: DeletedMode;
};
export type AggregateQuery = {
  filter?: Condition;
  groupBy: { field: string; bucket?: "day" | "month" | "quarter" | "year" }[];
  metrics: { fn: "count" | "sum" | "avg" | "min" | "max"; field?: string }[];
  deleted?: DeletedMode;
};

const BUCKETS = new Set(["day", "month", "quarter", "year"]);
const METRIC_FNS = new Set(["count", "sum", "avg", "min", "max"]);
const DELETED = new Set(["exclude", "only", "include"]);

class Problems {
  readonly list: ErrorDetail[] = [];
  add(field: string, reason: string, code?: string): void {
    this.list.push(code ? { field, reason, code } : { field, reason });
  }
  throwIfAny(what: string): void {
    if (this.list.length > 0) throw invalid(`Invalid ${what}: ${this.list.map((p) => `${p.field}: ${p.reason}`).join("; ")}.`, this.list);
  }
}

/** A single query value; a repeated parameter is an error (ambiguous). */
function single(raw: unknown, name: string, p: Problems): string | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) {
    p.add(name, "is given more than once", "duplicate_parameter");
    return undefined;
  }
  return typeof raw === "string" ? raw : JSON.stringify(raw);
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function asNameList(raw: unknown, name: string, p: Problems): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === "string") return splitList(raw);
  if (Array.isArray(raw) && raw.every((x) => typeof x === "string")) return raw.map((s) => s.trim()).filter(Boolean);
  p.add(name, "must be a comma-separated string or an array of field names", "invalid_type");
  return undefined;
}

function parseFilter(raw: unknown, p: Problems): Condition | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  let value: unknown = raw;
  if (typeof raw === "string") {
    if (raw.length > MAX_FILTER_LENGTH) {
      p.add("filter", `is longer than ${MAX_FILTER_LENGTH} characters; send it in a POST body`, "too_long");
      return undefined;
    }
    try {
      value = JSON.parse(raw);
    } catch {
      p.add("filter", "is not valid JSON (expected a condition such as {\"field\":\"stage\",\"op\":\"eq\",\"value\":\"Won\"})", "invalid_json");
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    p.add("filter", "must be a JSON object: a condition with all/any/not or field/op/value", "invalid_condition");
    return undefined;
  }
  return value as Condition;
}

function parseLimit(raw: unknown, p: Problems): number | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\d{1,7}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    p.add("limit", `must be a whole number from 1 to ${MAX_LIMIT}`, "out_of_range");
    return undefined;
  }
  return n;
}

function parseSort(object: ObjectDef, raw: unknown, p: Problems): ListQuery["sort"] {
  if (raw === undefined || raw === null || raw === "") return undefined;
  const items: { field: string; desc: boolean }[] = [];
  const parts: unknown[] = typeof raw === "string" ? splitList(raw) : Array.isArray(raw) ? raw : [raw];
  for (const part of parts) {
    if (typeof part === "string") {
      const desc = part.startsWith("-");
      items.push({ field: desc ? part.slice(1) : part.replace(/^\+/, ""), desc });
    } else if (typeof part === "object" && part !== null && typeof (part as { field?: unknown }).field === "string") {
      const o = part as { field: string; desc?: unknown };
      if (o.desc !== undefined && typeof o.desc !== "boolean") p.add("sort", `desc of ${o.field} must be true or false`, "invalid_type");
      items.push({ field: o.field, desc: o.desc === true });
    } else {
      p.add("sort", 'must be a string such as "-amount,name" or a list of {field, desc}', "invalid_type");
      return undefined;
    }
  }
  if (items.length > MAX_SORT_FIELDS) p.add("sort", `sorts by at most ${MAX_SORT_FIELDS} fields`, "too_many");
  const seen = new Set<string>();
  for (const s of items) {
    const f = findField(object, s.field);
    if (!f) p.add("sort", `${object.name} has no field "${s.field}"`, "unknown_field");
    else if (f.type === "multi_picklist" || f.type === "long_text") p.add("sort", `cannot sort by ${s.field} (${f.type})`, "not_sortable");
    if (seen.has(s.field)) p.add("sort", `${s.field} is listed twice`, "duplicate");
    seen.add(s.field);
  }
  return items;
}

function checkFields(object: ObjectDef, names: string[] | undefined, param: string, p: Problems): void {
  for (const n of names ?? []) if (!findField(object, n)) p.add(param, `${object.name} has no field "${n}"`, "unknown_field");
}

function checkInclude(object: ObjectDef, names: string[] | undefined, p: Problems): void {
  for (const n of names ?? []) {
    const f = findField(object, n);
    if (!f) p.add("include", `${object.name} has no field "${n}"`, "unknown_field");
    else if (f.type !== "relation") p.add("include", `${n} is not a relation field`, "not_relation");
  }
}

function parseDeleted(raw: unknown, p: Problems): DeletedMode | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (typeof raw === "string" && DELETED.has(raw)) return raw as DeletedMode;
  p.add("deleted", "must be exclude, only or include", "invalid_value");
  return undefined;
}

function parseCursor(raw: unknown, p: Problems): string | null | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (typeof raw !== "string" || raw.length > MAX_CURSOR_LENGTH || !/^[\x21-\x7e]+$/.test(raw)) {
    p.add("cursor", "is not a cursor this API returned; use nextCursor from the previous page", "invalid_cursor");
    return undefined;
  }
  return raw;
}

function rejectUnknown(input: Record<string, unknown>, allowed: readonly string[], p: Problems, where: string): void {
  for (const k of Object.keys(input)) if (!allowed.includes(k)) p.add(k, `is not a ${where} parameter (allowed: ${allowed.join(", ")})`, "unknown_parameter");
}

function stripUndefined<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

const LIST_PARAMS = ["filter", "sort", "limit", "cursor", "fields", "include", "deleted"] as const;

/**
 * GET /records query string or POST /records/query body -> list options. `sortable` is the object
 * as far as it may be sorted (access: masked fields are visible but not sortable); default `object`.
 */
export function parseListQuery(object: ObjectDef, input: unknown, source: "query" | "body", sortable: ObjectDef = object): ListQuery {
  const p = new Problems();
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    if (input === undefined || input === null) return {};
    throw invalid("The request body must be a JSON object.", [{ field: "body", reason: "must be a JSON object" }]);
  }
  const raw = input as Record<string, unknown>;
  rejectUnknown(raw, LIST_PARAMS, p, source === "query" ? "query" : "list query");
  const get = (k: string) => (source === "query" ? single(raw[k], k, p) : raw[k]);
  const fields = asNameList(get("fields"), "fields", p);
  const include = asNameList(get("include"), "include", p);
  checkFields(object, fields, "fields", p);
  checkInclude(object, include, p);
  const q: ListQuery = {
    filter: parseFilter(get("filter"), p),
    sort: parseSort(sortable, get("sort"), p),
    limit: parseLimit(get("limit"), p),
    cursor: parseCursor(get("cursor"), p),
    fields,
    include,
    deleted: parseDeleted(get("deleted"), p),
  };
  p.throwIfAny("list parameters");
  return stripUndefined(q);
}

/** GET /records/:id query: fields and include only. */
export function parseGetQuery(object: ObjectDef, input: Record<string, unknown>): { fields?: string[]; include?: string[] } {
  const p = new Problems();
  rejectUnknown(input, ["fields", "include"], p, "query");
  const fields = asNameList(single(input.fields, "fields", p), "fields", p);
  const include = asNameList(single(input.include, "include", p), "include", p);
  checkFields(object, fields, "fields", p);
  checkInclude(object, include, p);
  p.throwIfAny("parameters");
  return stripUndefined({ fields, include });
}

function parseGroupBy(object: ObjectDef, raw: unknown, p: Problems): AggregateQuery["groupBy"] {
  if (raw === undefined || raw === null || raw === "") return [];
  const out: AggregateQuery["groupBy"] = [];
  const parts: unknown[] = typeof raw === "string" ? splitList(raw) : Array.isArray(raw) ? raw : [raw];
  for (const part of parts) {
    let field: unknown;
    let bucket: unknown;
    if (typeof part === "string") [field, bucket] = part.split(":");
    else if (typeof part === "object" && part !== null) ({ field, bucket } = part as { field?: unknown; bucket?: unknown });
    if (typeof field !== "string" || field === "") {
      p.add("groupBy", 'must be like "stage,close_date:month" or a list of {field, bucket}', "invalid_type");
      continue;
    }
    const f = findField(object, field);
    if (!f) p.add("groupBy", `${object.name} has no field "${field}"`, "unknown_field");
    if (bucket !== undefined && bucket !== null) {
      if (typeof bucket !== "string" || !BUCKETS.has(bucket)) p.add("groupBy", `bucket of ${field} must be day, month, quarter or year`, "invalid_value");
      else if (f && f.type !== "date" && f.type !== "datetime") p.add("groupBy", `${field} is not a date, so it has no ${bucket} buckets`, "invalid_bucket");
      out.push({ field, bucket: bucket as AggregateQuery["groupBy"][number]["bucket"] });
    } else out.push({ field });
  }
  if (out.length > 2) p.add("groupBy", "groups by at most 2 fields", "too_many");
  return out;
}

function parseMetrics(object: ObjectDef, raw: unknown, p: Problems): AggregateQuery["metrics"] {
  if (raw === undefined || raw === null || raw === "") return [{ fn: "count" }];
  const out: AggregateQuery["metrics"] = [];
  const parts: unknown[] = typeof raw === "string" ? splitList(raw) : Array.isArray(raw) ? raw : [raw];
  for (const part of parts) {
    let fn: unknown;
    let field: unknown;
    if (typeof part === "string") [fn, field] = part.split(":");
    else if (typeof part === "object" && part !== null) ({ fn, field } = part as { fn?: unknown; field?: unknown });
    if (typeof fn !== "string" || !METRIC_FNS.has(fn)) {
      p.add("metrics", 'each metric is count, or sum/avg/min/max with a field, like "count,sum:amount"', "invalid_value");
      continue;
    }
    if (field === undefined || field === null || field === "") {
      if (fn !== "count") p.add("metrics", `${fn} needs a field, like "${fn}:amount"`, "missing_field");
      out.push({ fn: fn as "count" });
      continue;
    }
    if (typeof field !== "string") {
      p.add("metrics", `the field of ${fn} must be a field name`, "invalid_type");
      continue;
    }
    if (!findField(object, field)) p.add("metrics", `${object.name} has no field "${field}"`, "unknown_field");
    out.push({ fn: fn as AggregateQuery["metrics"][number]["fn"], field });
  }
  if (out.length > 20) p.add("metrics", "at most 20 metrics", "too_many");
  return out;
}

const AGGREGATE_PARAMS = ["filter", "groupBy", "metrics", "deleted"] as const;

/** GET /aggregate query string or POST /aggregate body -> aggregate options. */
export function parseAggregateQuery(object: ObjectDef, input: unknown, source: "query" | "body"): AggregateQuery {
  const p = new Problems();
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw invalid("The request body must be a JSON object.", [{ field: "body", reason: "must be a JSON object" }]);
  }
  const raw = input as Record<string, unknown>;
  rejectUnknown(raw, AGGREGATE_PARAMS, p, "aggregate");
  const get = (k: string) => (source === "query" ? single(raw[k], k, p) : raw[k]);
  const q: AggregateQuery = {
    filter: parseFilter(get("filter"), p),
    groupBy: parseGroupBy(object, get("groupBy"), p),
    metrics: parseMetrics(object, get("metrics"), p),
    deleted: parseDeleted(get("deleted"), p),
  };
  p.throwIfAny("aggregate parameters");
  return stripUndefined(q);
}
