/**
 * Relative date ranges, all in UTC. Weeks start on Monday. Month arithmetic clamps to the end of
 * the month (31 Mar minus one month is 28/29 Feb).
 */
import type { RelativeDate, RelativeDateUnit } from "./types";

export const DAY_MS = 86_400_000;
const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export const isoDay = (d: Date) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
export const startOfUtcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

function addMonths(d: Date, months: number): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const out = new Date(d.getTime());
  out.setUTCFullYear(y, m, Math.min(d.getUTCDate(), last));
  return out;
}

export function addUnits(d: Date, unit: RelativeDateUnit, n: number): Date {
  switch (unit) {
    case "day":
      return new Date(d.getTime() + n * DAY_MS);
    case "week":
      return new Date(d.getTime() + 7 * n * DAY_MS);
    case "month":
      return addMonths(d, n);
    case "quarter":
      return addMonths(d, 3 * n);
    case "year":
      return addMonths(d, 12 * n);
  }
}

export type PeriodOp = "today" | "this_week" | "this_month" | "this_quarter" | "this_year";

/** [start, end) of the calendar period containing `now`, as UTC instants. */
export function periodBounds(op: PeriodOp, now: Date): { start: Date; end: Date } {
  const day = startOfUtcDay(now);
  const y = day.getUTCFullYear();
  const m = day.getUTCMonth();
  switch (op) {
    case "today":
      return { start: day, end: new Date(day.getTime() + DAY_MS) };
    case "this_week": {
      const sinceMonday = (day.getUTCDay() + 6) % 7;
      const start = new Date(day.getTime() - sinceMonday * DAY_MS);
      return { start, end: new Date(start.getTime() + 7 * DAY_MS) };
    }
    case "this_month":
      return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
    case "this_quarter": {
      const q = Math.floor(m / 3) * 3;
      return { start: new Date(Date.UTC(y, q, 1)), end: new Date(Date.UTC(y, q + 3, 1)) };
    }
    case "this_year":
      return { start: new Date(Date.UTC(y, 0, 1)), end: new Date(Date.UTC(y + 1, 0, 1)) };
  }
}

/**
 * in_last / in_next as inclusive bounds. Dates: [today - n, today] or [today, today + n] in days
 * of the calendar; datetimes: [now - n, now] or [now, now + n] to the millisecond.
 */
export function relativeBounds(op: "in_last" | "in_next", rel: RelativeDate, now: Date, isDate: boolean): { from: Date; to: Date } {
  const base = isDate ? startOfUtcDay(now) : now;
  const other = addUnits(base, rel.unit, op === "in_last" ? -rel.amount : rel.amount);
  return op === "in_last" ? { from: other, to: base } : { from: base, to: other };
}
