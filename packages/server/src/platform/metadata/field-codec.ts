/**
 * Field values between API form and storage columns, per metadata/storage.ts. The rules live in
 * core/field-types; this adapter gives records and metadata the column-ordered form they need.
 */
import { columnsOf, currencyScale, decodeField, encodeField, parseAndValidate, scaleOf, type FieldDef, type Money } from "@revline/core";
import type { Dialect } from "../context";

export type ParseResult = { ok: true; value: unknown } | { ok: false; reason: string };

/** Strict input -> canonical API value (validation included); empty multi_picklist is []. */
export function parseInput(field: FieldDef, value: unknown): ParseResult {
  const r = parseAndValidate(field, value);
  if (r.ok && field.type === "multi_picklist" && (r.value === null || r.value === undefined)) return { ok: true, value: [] };
  return r;
}

const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Scaled integer of a canonical decimal (its digits after the point never exceed `scale`), without
 * Decimal arithmetic: bulk writes encode millions of these. Undefined when it is not that simple.
 */
function scaledFast(text: string, scale: number): number | undefined {
  const m = PLAIN_DECIMAL.exec(text);
  if (!m || (m[3]?.length ?? 0) > scale) return undefined;
  const n = Number(`${m[1]}${m[2]}${(m[3] ?? "").padEnd(scale, "0")}`);
  return Number.isSafeInteger(n) ? (Object.is(n, -0) ? 0 : n) : undefined;
}

/** Storage values of a canonical API value, in columnsOf order. */
export function encodeValue(field: FieldDef, value: unknown, dialect: Dialect): unknown[] {
  if (value !== null && value !== undefined) {
    if (field.type === "currency") {
      const m = value as Money;
      const minor = typeof m.amount === "string" ? scaledFast(m.amount, currencyScale(m.currency)) : undefined;
      if (minor !== undefined) return [minor, m.currency];
    } else if ((field.type === "decimal" || field.type === "percent") && typeof value === "number") {
      const scaled = scaledFast(String(value), scaleOf(field));
      if (scaled !== undefined) return [scaled];
    }
  }
  const row = encodeField(field, value ?? null, dialect);
  return columnsOf(field).map((c) => row[c] ?? null);
}

/** API value from a row holding the field's columns (keys = column names). */
export function decodeValue(field: FieldDef, row: Record<string, unknown>, dialect: Dialect): unknown {
  const v = decodeField(field, row, dialect);
  if (field.type === "multi_picklist" && (v === null || v === undefined)) return [];
  return v;
}

/** The main column's storage value (sort keys, cursors, unique lookups). */
export function encodeMain(field: FieldDef, value: unknown, dialect: Dialect): unknown {
  return encodeValue(field, value, dialect)[0];
}
