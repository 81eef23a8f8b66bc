/** Display formatting of field values, per language. Formatting only: never used to compute stored money. */
import type { FieldDef } from "@revline/core";
import type { CurrencyValue } from "../api/records";

const locale = (lang: string) => (lang.toLowerCase().startsWith("zh") ? "zh-CN" : "en-US");

/** A value as display text; objects (which should not reach here) as JSON rather than "[object Object]". */
export function text(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}

export function isCurrencyValue(v: unknown): v is CurrencyValue {
  return typeof v === "object" && v !== null && "amount" in v && "currency" in v;
}

function asNumeric(v: string | number): `${number}` | number {
  return typeof v === "number" ? v : (v as `${number}`);
}

export function formatMoney(amount: string | number, currency: string, lang: string, opts: { compact?: boolean } = {}): string {
  try {
    return new Intl.NumberFormat(locale(lang), {
      style: "currency",
      currency,
      notation: opts.compact ? "compact" : "standard",
      maximumFractionDigits: opts.compact ? 1 : undefined,
    }).format(asNumeric(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

export function formatNumber(v: number | string, lang: string, maxFractionDigits = 8, useGrouping = true): string {
  return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: maxFractionDigits, useGrouping }).format(asNumeric(v));
}

/** Years and codes (an integer field capped at 4 digits by its validation) read wrong as "1,993". */
export function groupsDigits(field: FieldDef): boolean {
  return !(field.validation?.max !== undefined && field.validation.max <= 9999);
}

export function formatPercent(v: number, lang: string, digits = 1): string {
  return new Intl.NumberFormat(locale(lang), { style: "percent", maximumFractionDigits: digits }).format(v);
}

/** "YYYY-MM-DD" is a calendar date: render it without shifting through UTC. */
export function formatDate(v: string, lang: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  if (!m) return v;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Intl.DateTimeFormat(locale(lang), { year: "numeric", month: "short", day: "numeric" }).format(d);
}

export function formatDateTime(v: string, lang: string): string {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: "medium", timeStyle: "short" }).format(d);
}

export function formatMonth(v: string, lang: string): string {
  const m = /^(\d{4})-(\d{2})/.exec(v);
  if (!m) return v;
  return new Intl.DateTimeFormat(locale(lang), { year: "numeric", month: "short" }).format(new Date(Number(m[1]), Number(m[2]) - 1, 1));
}

/** Plain-text form of a value (for titles, tooltips and charts). */
export function formatPlain(field: FieldDef, v: unknown, lang: string): string {
  if (v === null || v === undefined || v === "") return "";
  switch (field.type) {
    case "currency":
      return isCurrencyValue(v) ? formatMoney(v.amount, v.currency, lang) : formatMoney(text(v), field.currency ?? "USD", lang);
    case "integer":
    case "decimal":
      return formatNumber(v as number, lang, 8, groupsDigits(field));
    case "percent":
      return `${formatNumber(v as number, lang)} %`;
    case "date":
      return formatDate(text(v), lang);
    case "datetime":
      return formatDateTime(text(v), lang);
    case "multi_picklist":
      return Array.isArray(v) ? v.map(text).join(", ") : text(v);
    case "boolean":
      return v ? "✓" : "✗";
    default:
      return text(v);
  }
}
