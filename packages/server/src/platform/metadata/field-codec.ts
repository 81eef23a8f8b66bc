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

/** Appends a value's storage columns (columnsOf order) to a row being built. */
export type FieldEncoder = (value: unknown, out: unknown[]) => void;

function makeEncoder(field: FieldDef, dialect: Dialect): FieldEncoder {
  switch (field.type) {
    // Stored as given (core's encode is the identity for these); empty means null.
    case "text":
    case "long_text":
      return (v, out) => void out.push(v ?? null);
    case "email":
    case "phone":
    case "url":
    case "picklist":
    case "relation":
    case "date":
      return (v, out) => void out.push(v === undefined || v === "" ? null : v);
    case "integer":
      return (v, out) => void out.push(v ?? null);
    default: {
      const cols = columnsOf(field).length;
      return cols === 1 ? (v, out) => void out.push(encodeValue(field, v, dialect)[0]) : (v, out) => void out.push(...encodeValue(field, v, dialect));
    }
  }
}

const encoders = { sqlite: new WeakMap<FieldDef, FieldEncoder>(), postgres: new WeakMap<FieldDef, FieldEncoder>() };

/** The encoder of a field, made once per field definition (bulk writes encode every value of every row). */
export function fieldEncoder(field: FieldDef, dialect: Dialect): FieldEncoder {
  let e = encoders[dialect].get(field);
  if (!e) encoders[dialect].set(field, (e = makeEncoder(field, dialect)));
  return e;
}

const ISO_MS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PG_UTC = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;
const INT_TEXT = /^-?\d+$/;

/** "105400" at scale 2 -> "1054.00": the decimal text of a scaled integer, without Decimal arithmetic. */
function unscaleText(raw: number | string, scale: number): string | undefined {
  const s = typeof raw === "number" ? (Number.isSafeInteger(raw) ? String(raw) : undefined) : INT_TEXT.test(raw) ? raw : undefined;
  if (s === undefined) return undefined;
  const neg = s.startsWith("-");
  const digits = (neg ? s.slice(1) : s).replace(/^0+(?=\d)/, "");
  if (scale === 0) return neg && digits !== "0" ? `-${digits}` : digits;
  const padded = digits.padStart(scale + 1, "0");
  const text = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  return neg && /[1-9]/.test(text) ? `-${text}` : text;
}

type Decoder = (row: Record<string, unknown>) => unknown;
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A decoder per field, made once: fast paths for the exact storage forms of the hot types (list
 * pages decode thousands of values per request); any other form goes to core's decoder, which
 * stays the reference.
 */
function makeDecoder(field: FieldDef, dialect: Dialect): Decoder {
  const col = columnsOf(field)[0]!;
  const slow: Decoder = (row) => {
    const v = decodeField(field, row, dialect);
    return field.type === "multi_picklist" && (v === null || v === undefined) ? [] : v;
  };
  switch (field.type) {
    case "text":
    case "long_text":
    case "email":
    case "phone":
    case "url":
    case "picklist":
    case "relation":
      return (row) => {
        const raw = row[col];
        return raw === null || raw === undefined ? null : typeof raw === "string" ? raw : slow(row);
      };
    case "integer":
      return (row) => {
        const raw = row[col];
        return raw === null || raw === undefined ? null : typeof raw === "number" ? raw : slow(row);
      };
    case "date":
      return (row) => {
        const raw = row[col];
        return raw === null || raw === undefined ? null : typeof raw === "string" && DATE_TEXT.test(raw) ? raw : slow(row);
      };
    case "datetime":
      return (row) => {
        const raw = row[col];
        if (raw === null || raw === undefined) return null;
        if (typeof raw === "string") {
          if (ISO_MS_Z.test(raw)) return raw;
          const m = PG_UTC.exec(raw);
          if (m) return `${m[1]}T${m[2]}.${(m[3] ?? "").padEnd(3, "0").slice(0, 3)}Z`;
        }
        return slow(row);
      };
    case "boolean":
      return (row) => {
        const raw = row[col];
        return raw === null || raw === undefined ? null : raw === 1 || raw === true ? true : raw === 0 || raw === false ? false : slow(row);
      };
    case "currency": {
      const curCol = `${field.name}_currency`;
      return (row) => {
        const raw = row[col];
        if (raw === null || raw === undefined) return null;
        const code = row[curCol];
        if (typeof code === "string" && code !== "" && (typeof raw === "number" || typeof raw === "string")) {
          const amount = unscaleText(raw, currencyScale(code));
          if (amount !== undefined) return { amount, currency: code };
        }
        return slow(row);
      };
    }
    case "decimal":
    case "percent": {
      const scale = scaleOf(field);
      return (row) => {
        const raw = row[col];
        if (raw === null || raw === undefined) return null;
        const text = typeof raw === "number" || typeof raw === "string" ? unscaleText(raw, scale) : undefined;
        return text === undefined ? slow(row) : Number(text);
      };
    }
    default:
      return slow;
  }
}

const decoders = { sqlite: new WeakMap<FieldDef, Decoder>(), postgres: new WeakMap<FieldDef, Decoder>() };

/** The decoder of a field (cached per field definition). */
export function fieldDecoder(field: FieldDef, dialect: Dialect): Decoder {
  let d = decoders[dialect].get(field);
  if (!d) decoders[dialect].set(field, (d = makeDecoder(field, dialect)));
  return d;
}

/** API value from a row holding the field's columns (keys = column names). */
export function decodeValue(field: FieldDef, row: Record<string, unknown>, dialect: Dialect): unknown {
  return fieldDecoder(field, dialect)(row);
}

/** The main column's storage value (sort keys, cursors, unique lookups). */
export function encodeMain(field: FieldDef, value: unknown, dialect: Dialect): unknown {
  const out: unknown[] = [];
  fieldEncoder(field, dialect)(value, out);
  return out[0];
}
