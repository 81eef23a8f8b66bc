/**
 * Sorting and keyset pagination. NULLs sort as the smallest value on both databases (ASC NULLS
 * FIRST, DESC NULLS LAST: SQLite's own order, so its indexes serve it), and the record id is always
 * the last key. A cursor is base64url JSON of the last row's sort values plus a hash of the sort spec;
 * anything that does not decode to values of the right types for this sort is a 400.
 */
import crypto from "node:crypto";
import { sql, type RawBuilder, type SqlBool } from "kysely";
import { columnOf, currencyScale, defaultCurrencyOf, invalid, MAX_CURRENCY_SCALE, singleScaleOf, type FieldDef } from "@revline/core";
import type { Dialect } from "../context";
import type { SortSpec } from "./types";
import { resolveFields, type Shape } from "./shape";
import { scaledAmountSql } from "./condition-sql";

type KeyKind = "int" | "bool" | "date" | "ts" | "text";
/**
 * One ORDER BY key. `scaled`: a currency field whose accepted currencies differ in scale sorts by its
 * amount rescaled to MAX_CURRENCY_SCALE digits (as filters compare it), not by raw minor units;
 * `columns` are what a list must select to make its cursor (the amount and its currency, then).
 */
export type SortKey = { field: FieldDef; column: string; desc: boolean; kind: KeyKind; scaled: boolean; columns: string[] };

function kindOf(field: FieldDef): KeyKind {
  switch (field.type) {
    case "integer":
    case "decimal":
    case "percent":
    case "currency":
      return "int";
    case "boolean":
      return "bool";
    case "date":
      return "date";
    case "datetime":
      return "ts";
    default:
      return "text";
  }
}

export const DEFAULT_SORT: SortSpec[] = [{ field: "created_at", desc: true }];

export function sortKeys(shape: Shape, sort: SortSpec[] | undefined): SortKey[] {
  const spec = sort && sort.length ? sort : DEFAULT_SORT;
  if (!Array.isArray(spec)) throw invalid("sort must be a list of {field, desc}.", [{ field: "sort", reason: "expected a list" }]);
  const fields = resolveFields(
    shape,
    spec.map((s) => s?.field),
    "sort",
  );
  const keys: SortKey[] = [];
  const seen = new Set<string>();
  fields.forEach((field, i) => {
    if (seen.has(field.name)) return;
    seen.add(field.name);
    if (field.type === "multi_picklist" || field.type === "long_text")
      throw invalid(`Cannot sort by "${field.name}" (${field.type}).`, [{ field: field.name, reason: `a ${field.type} field cannot be sorted` }]);
    const column = columnOf(field);
    const scaled = field.type === "currency" && singleScaleOf(field) === undefined;
    keys.push({ field, column, desc: spec[i]?.desc === true, kind: kindOf(field), scaled, columns: scaled ? [column, `${field.name}_currency`] : [column] });
  });
  if (!seen.has("id")) keys.push({ field: shape.byName.get("id")!, column: "id", desc: false, kind: "text", scaled: false, columns: ["id"] });
  return keys;
}

/** What a key orders by: its column, or the rescaled amount. */
const keyExpr = (k: SortKey): RawBuilder<unknown> => (k.scaled ? scaledAmountSql(k.field) : sql`${sql.id(k.column)}`);

/** The cursor value of a key in a row: the rescaled amount (text, it can pass 2^53) for a scaled key. */
function keyValue(k: SortKey, row: Record<string, unknown>): unknown {
  const x = row[k.column];
  if (!k.scaled || x === null || x === undefined) return x;
  const code = row[`${k.field.name}_currency`];
  const scale = currencyScale(typeof code === "string" && code !== "" ? code : defaultCurrencyOf(k.field));
  return (BigInt(x as number | bigint | string) * 10n ** BigInt(MAX_CURRENCY_SCALE - scale)).toString();
}

export function orderBySql(keys: SortKey[], dialect: Dialect): RawBuilder<unknown> {
  return sql.join(
    keys.map((k) => {
      const col = keyExpr(k);
      if (dialect === "sqlite") return k.desc ? sql`${col} desc` : sql`${col} asc`;
      return k.desc ? sql`${col} desc nulls last` : sql`${col} asc nulls first`;
    }),
  );
}

function specHash(shape: Shape, keys: SortKey[]): string {
  return crypto
    .createHash("sha256")
    .update(JSON.stringify([shape.object.name, keys.map((k) => (k.scaled ? [k.column, k.desc, "scaled"] : [k.column, k.desc]))]))
    .digest("base64url")
    .slice(0, 16);
}

export function encodeCursor(shape: Shape, keys: SortKey[], row: Record<string, unknown>): string {
  const v = keys.map((k) => {
    const x = keyValue(k, row);
    return x === undefined ? null : x instanceof Date ? x.toISOString() : typeof x === "bigint" ? x.toString() : x;
  });
  return Buffer.from(JSON.stringify({ h: specHash(shape, keys), v })).toString("base64url");
}

const badCursor = (reason: string) => invalid(`The cursor is not valid for this list (${reason}); start again without a cursor.`, [{ field: "cursor", reason }]);

const VALID: Record<KeyKind, (x: unknown) => boolean> = {
  int: (x) => (typeof x === "number" && Number.isSafeInteger(x)) || (typeof x === "string" && /^-?\d{1,19}$/.test(x)),
  bool: (x) => typeof x === "boolean" || x === 0 || x === 1,
  date: (x) => typeof x === "string" && /^\d{4}-\d{2}-\d{2}$/.test(x) && !Number.isNaN(Date.parse(x)),
  ts: (x) => typeof x === "string" && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)?$/.test(x) && !Number.isNaN(Date.parse(x.replace(" ", "T").replace(/([+-]\d{2})$/, "$1:00"))),
  text: (x) => typeof x === "string" && x.length <= 100_000,
};

/** The last row's sort values from a cursor, checked against this sort. */
export function decodeCursor(shape: Shape, keys: SortKey[], cursor: string, dialect: Dialect): unknown[] {
  if (typeof cursor !== "string" || !/^[A-Za-z0-9_-]{1,20000}$/.test(cursor)) throw badCursor("malformed");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw badCursor("malformed");
  }
  const p = parsed as { h?: unknown; v?: unknown };
  if (!p || typeof p !== "object" || typeof p.h !== "string" || !Array.isArray(p.v)) throw badCursor("malformed");
  if (p.h !== specHash(shape, keys)) throw badCursor("made for a different sort");
  if (p.v.length !== keys.length) throw badCursor("wrong number of values");
  return (p.v as unknown[]).map((x: unknown, i) => {
    const k = keys[i]!;
    if (x === null) {
      if (k.field.isSystem && k.column !== "deleted_at") throw badCursor("unexpected null");
      return null;
    }
    if (!VALID[k.kind](x)) throw badCursor(`bad value for ${k.field.name}`);
    if (k.kind === "bool") return dialect === "sqlite" ? (x === true || x === 1 ? 1 : 0) : x === true || x === 1;
    // A rescaled amount may pass 2^53: SQLite gets it as a 64-bit integer.
    if (k.scaled && dialect === "sqlite") return BigInt(x as string | number);
    if (k.kind === "int" && dialect === "sqlite") return Number(x);
    return x;
  });
}

/** Rows strictly after the cursor row in this order (NULLs smallest). */
export function keysetWhere(keys: SortKey[], values: unknown[]): RawBuilder<SqlBool> {
  const ors: RawBuilder<SqlBool>[] = [];
  const eqs: RawBuilder<SqlBool>[] = [];
  keys.forEach((k, i) => {
    const col = keyExpr(k);
    const v = values[i];
    let after: RawBuilder<SqlBool> | null;
    if (!k.desc) after = v === null ? sql<SqlBool>`${col} is not null` : sql<SqlBool>`${col} > ${v}`;
    else after = v === null ? null : sql<SqlBool>`(${col} < ${v} or ${col} is null)`;
    if (after) ors.push(eqs.length ? sql<SqlBool>`(${sql.join([...eqs, after], sql` and `)})` : after);
    eqs.push(v === null ? sql<SqlBool>`${col} is null` : sql<SqlBool>`${col} = ${v}`);
  });
  const any = ors.length ? sql<SqlBool>`(${sql.join(ors, sql` or `)})` : sql<SqlBool>`1 = 0`;
  // A redundant bound on the first key lets the database seek its index instead of scanning from the start.
  const first = keys[0]!;
  const v0 = values[0];
  const col0 = keyExpr(first);
  if (!first.desc && v0 !== null) return sql<SqlBool>`${col0} >= ${v0} and ${any}`;
  if (first.desc && v0 === null) return sql<SqlBool>`${col0} is null and ${any}`;
  if (first.desc && v0 !== null && first.field.isSystem && first.column !== "deleted_at") return sql<SqlBool>`${col0} <= ${v0} and ${any}`;
  return any;
}
