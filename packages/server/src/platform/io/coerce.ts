/**
 * Lenient coercion of one spreadsheet cell into the API value form of a field. These rules are
 * deliberately separate from the records layer's strict input parsing: they turn what people
 * type into canonical values, and the records layer then validates those like any API input.
 * Relations are not handled here (they need a lookup): see relation-index.ts.
 *
 * Empty cells (nothing, or only whitespace) are null for every type ([] for multi-picklists).
 * Text is trimmed; email, phone and url are also width-folded (full-width `＠`, digits).
 */
import Decimal from "decimal.js";
import type { FieldDef } from "@revline/core";
import { formatDate, formatDateTime, parseLenientDate, type DateOrder } from "./lenient-date";
import { parseLenientNumber } from "./lenient-number";
import { foldWidth, matchKey } from "./normalize";

/** A cell as a reader gives it: text from CSV; text, number, boolean or Date from XLSX. */
export type Cell = string | number | boolean | Date | null | undefined;

export type ColumnOptions = {
  /** Multiply numbers by this (e.g. 1000000 when a column holds millions). */
  scale?: number | string;
  /** Currency of a currency column whose cells carry no symbol or code. */
  currency?: string;
};

export type CoerceOptions = ColumnOptions & {
  dateOrder?: DateOrder;
  /**
   * false when another column (`<field>_currency`) gives the currency: a bare amount then stays a
   * bare decimal string instead of taking the field's default currency, so the row builder can
   * apply that column's code (and still catch a symbol or code in the cell contradicting it).
   */
  defaultCurrency?: boolean;
};
export type CoerceResult = { ok: true; value: unknown } | { ok: false; reason: string };

const TRUE_WORDS = new Set(["yes", "y", "true", "t", "1", "on", "是", "对", "真"]);
const FALSE_WORDS = new Set(["no", "n", "false", "f", "0", "off", "否", "错", "假"]);
/** Separators between the values of a multi-picklist cell. */
const LIST_SEPARATORS = /[,;|、\n]+/;

export function isEmptyCell(cell: Cell): boolean {
  return cell === null || cell === undefined || (typeof cell === "string" && cell.trim() === "");
}

/** Text form of a cell for text fields, reports and relation lookups. */
export function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return "";
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? "" : cell.toISOString().replace("T00:00:00.000Z", "");
  if (typeof cell === "number") return Number.isInteger(cell) ? cell.toFixed(0) : String(cell);
  return String(cell);
}

const picklistIndexes = new WeakMap<FieldDef, Map<string, string>>();
function picklistIndex(field: FieldDef): Map<string, string> {
  let index = picklistIndexes.get(field);
  if (!index) {
    index = new Map();
    for (const o of field.options ?? []) {
      // Labels first so that an option's own value always wins when a label collides with it.
      index.set(matchKey(o.label.zh), o.value);
      index.set(matchKey(o.label.en), o.value);
    }
    for (const o of field.options ?? []) index.set(matchKey(o.value), o.value);
    picklistIndexes.set(field, index);
  }
  return index;
}

function matchOption(field: FieldDef, text: string): CoerceResult {
  const value = picklistIndex(field).get(matchKey(text));
  if (value === undefined) {
    const allowed = (field.options ?? []).map((o) => o.value).join(", ");
    return { ok: false, reason: `"${text}" is not an option (${allowed})` };
  }
  return { ok: true, value };
}

function scaled(value: string, scale: ColumnOptions["scale"]): string {
  return scale === undefined ? value : new Decimal(value).times(new Decimal(scale)).toFixed();
}

function coerceNumber(field: FieldDef, cell: Cell, opts: CoerceOptions): CoerceResult {
  if (typeof cell === "boolean" || cell instanceof Date) return { ok: false, reason: "not a number" };
  const parsed = parseLenientNumber(cell as string | number);
  if (!parsed.ok) return parsed;
  const { value, currency, isPercent } = parsed.number;
  if (isPercent && field.type !== "percent") return { ok: false, reason: `a percentage is not allowed here: ${cellText(cell)}` };
  if (currency && field.type !== "currency") return { ok: false, reason: `a currency amount is not allowed here: ${cellText(cell)}` };
  const amount = scaled(value, opts.scale);
  if (field.type === "integer") {
    const d = new Decimal(amount);
    if (!d.isInteger()) return { ok: false, reason: `not a whole number: ${cellText(cell)}` };
    if (d.abs().greaterThan(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: `number too large: ${cellText(cell)}` };
    return { ok: true, value: d.toNumber() };
  }
  if (field.type === "currency") {
    if (currency && opts.currency && currency !== opts.currency.toUpperCase()) {
      return { ok: false, reason: `the cell says ${currency} but the column is ${opts.currency.toUpperCase()}` };
    }
    const code = currency ?? opts.currency?.toUpperCase() ?? (opts.defaultCurrency === false ? undefined : field.currency);
    return { ok: true, value: code ? { amount, currency: code } : amount };
  }
  return { ok: true, value: amount };
}

export function coerceCell(field: FieldDef, cell: Cell, opts: CoerceOptions = {}): CoerceResult {
  if (isEmptyCell(cell)) return { ok: true, value: field.type === "multi_picklist" ? [] : null };
  switch (field.type) {
    case "text":
    case "long_text":
      return { ok: true, value: cellText(cell).trim() };
    case "email":
    case "phone":
    case "url":
      return { ok: true, value: foldWidth(cellText(cell)) };
    case "integer":
    case "decimal":
    case "percent":
    case "currency":
      return coerceNumber(field, cell, opts);
    case "boolean": {
      if (typeof cell === "boolean") return { ok: true, value: cell };
      const word = matchKey(cellText(cell));
      if (TRUE_WORDS.has(word)) return { ok: true, value: true };
      if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      return { ok: false, reason: `not yes/no: ${cellText(cell)}` };
    }
    case "date":
    case "datetime": {
      if (typeof cell === "boolean") return { ok: false, reason: "not a date" };
      const parsed = parseLenientDate(cell as string | number | Date, opts.dateOrder);
      if (!parsed.ok) return parsed;
      return { ok: true, value: field.type === "date" ? formatDate(parsed.parts) : formatDateTime(parsed.parts) };
    }
    case "picklist":
      return matchOption(field, cellText(cell));
    case "multi_picklist": {
      const values: string[] = [];
      for (const part of foldWidth(cellText(cell)).split(LIST_SEPARATORS)) {
        if (part.trim() === "") continue;
        const r = matchOption(field, part);
        if (!r.ok) return r;
        if (!values.includes(r.value as string)) values.push(r.value as string);
      }
      return { ok: true, value: values };
    }
    case "relation":
      return { ok: false, reason: "relations are resolved by the relation index" };
  }
}
