import { columnOf } from "../metadata/storage";
import { cell, DATE_OPERATORS, fail, ok, textOf } from "./common";
import type { FieldTypeDef } from "./types";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "YYYY-MM-DD" naming a real calendar day (2024-02-30 is not). */
export function isIsoDate(s: unknown): s is string {
  if (typeof s !== "string") return false;
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && mo >= 1;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** pg returns "YYYY-MM-DD" with our type parsers, a local-midnight Date without them; SQLite a string. */
export function dateFromDb(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return `${pad(v.getFullYear(), 4)}-${pad(v.getMonth() + 1)}-${pad(v.getDate())}`;
  const s = textOf(v).slice(0, 10);
  if (!isIsoDate(s)) throw new TypeError(`expected a date from the database, got ${textOf(v)}`);
  return s;
}

export const dateField: FieldTypeDef<string> = {
  type: "date",
  parseInput(_field, raw) {
    if (raw === null || raw === undefined) return ok(null);
    if (typeof raw !== "string") return fail("expected a date string YYYY-MM-DD");
    return isIsoDate(raw) ? ok(raw) : fail("expected a date YYYY-MM-DD (e.g. 2024-01-05)");
  },
  validate: () => undefined,
  encode: (field, value) => ({ [columnOf(field)]: value }),
  decode: (field, row) => dateFromDb(cell(field, row)),
  format: (_field, value, locale) =>
    value === null ? "" : new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${value}T00:00:00Z`)),
  operators: DATE_OPERATORS,
};
