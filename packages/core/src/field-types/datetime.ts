import { columnOf } from "../metadata/storage";
import { cell, DATE_OPERATORS, fail, ok, textOf } from "./common";
import type { FieldTypeDef } from "./types";

// Date and time with an explicit zone (Z or ±hh:mm); seconds and fraction optional.
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Canonical form: UTC with milliseconds, "2024-01-05T10:00:00.000Z" (sorts as text in SQLite). */
export function normalizeDatetime(s: string): string | undefined {
  if (!DATETIME.test(s)) return undefined;
  // Date keeps milliseconds only: drop extra fraction digits before parsing, consistently (truncate).
  const t = Date.parse(s.replace(/(\.\d{3})\d+/, "$1"));
  if (Number.isNaN(t)) return undefined;
  const iso = new Date(t).toISOString();
  return /^\d{4}-/.test(iso) ? iso : undefined;
}

/** pg (with our string type parser) gives "2024-01-05 10:00:00.123+00"; SQLite gives our ISO text. */
export function datetimeFromDb(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  const s = textOf(v)
    .trim()
    .replace(" ", "T")
    .replace(/([+-]\d{2})$/, "$1:00");
  const out = normalizeDatetime(s);
  if (out === undefined) throw new TypeError(`expected a timestamp from the database, got ${textOf(v)}`);
  return out;
}

export const datetimeField: FieldTypeDef<string> = {
  type: "datetime",
  parseInput(_field, raw) {
    if (raw === null || raw === undefined) return ok(null);
    if (typeof raw !== "string") return fail("expected an ISO 8601 date-time string");
    const out = normalizeDatetime(raw);
    return out ? ok(out) : fail("expected an ISO 8601 date-time with a zone (e.g. 2024-01-05T10:00:00Z)");
  },
  validate: () => undefined,
  encode: (field, value) => ({ [columnOf(field)]: value }),
  decode: (field, row) => datetimeFromDb(cell(field, row)),
  format: (_field, value, locale, options) =>
    value === null
      ? ""
      : new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: options?.timeZone ?? "UTC" }).format(new Date(value)),
  operators: DATE_OPERATORS,
};
