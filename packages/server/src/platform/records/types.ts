import type { Condition } from "@revline/core";

/** A record in API value form: system fields, then the object's fields; related records under "_related". */
export type RecordData = Record<string, unknown> & { id: string; version: number };

export type SortSpec = { field: string; desc?: boolean };

export type ListOptions = {
  filter?: Condition;
  /** Multi-column; the record id is always appended as the final tiebreaker. Default: created_at desc. */
  sort?: SortSpec[];
  /** Default 50, max 1000. */
  limit?: number;
  /** Opaque cursor from a previous page's nextCursor (only valid with the same sort). */
  cursor?: string | null;
  /** Field names to return (id and version always come back). */
  fields?: string[];
  /** Relation fields whose target records ride along under "_related". */
  include?: string[];
  deleted?: "exclude" | "only" | "include";
};

export type ListResult = { records: RecordData[]; nextCursor: string | null };

export type GetOptions = { fields?: string[]; include?: string[]; deleted?: "exclude" | "include" };

export type UpdateOptions = { expectedVersion?: number };

export type BulkUpsertOptions = {
  /** A unique field identifying existing rows (e.g. "external_id"). */
  key: string;
};
export type BulkUpsertResult = { inserted: number; updated: number; ids: string[] };

export type AggregateBucket = "day" | "month" | "quarter" | "year";
export type AggregateGroupBy = { field: string; bucket?: AggregateBucket };
export type AggregateMetric = { fn: "count" | "sum" | "avg" | "min" | "max"; field?: string };
export type AggregateOptions = {
  filter?: Condition;
  groupBy?: AggregateGroupBy[];
  metrics: AggregateMetric[];
  deleted?: "exclude" | "only" | "include";
};
/** group keys: field name, or "field:bucket"; value keys: "count", "sum:amount", ... */
export type AggregateRow = { group: Record<string, unknown>; values: Record<string, unknown> };
export type AggregateResult = { rows: AggregateRow[] };
