/**
 * Reading dates the way spreadsheets and people write them, with explicit rules:
 * - year first is never ambiguous: 2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日, 20240105;
 * - Excel serial dates: a numeric cell, or a 5-digit text cell (10000..99999, i.e. 1927..2173),
 *   counted from 1899-12-30 (Excel's 1900 leap-year bug is honoured for serials below 61);
 * - day and month in either order (05/01/2024, 5-1-24): taken as read only when one of the two
 *   is above 12 (or both are equal); otherwise rejected as ambiguous unless the import says
 *   `dateOrder` dmy | mdy | ymd, which then applies to every such value strictly;
 * - English month names: 5 Jan 2024, 05-Jan-2024, January 5, 2024;
 * - two-digit years: 00-29 are 20xx, 30-99 are 19xx (Excel's rule);
 * - a time may follow (`10:30`, `10:30:15.250`, `T10:30:00Z`, `+08:00`); without a zone it is UTC.
 * Cells that Excel already typed as dates arrive as Date objects (UTC) and are used as they are.
 */
export type DateOrder = "dmy" | "mdy" | "ymd";
export type DateParts = { y: number; m: number; d: number; hh: number; mi: number; ss: number; ms: number; offsetMin: number };
export type DateResult = { ok: true; parts: DateParts } | { ok: false; reason: string };

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const TIME = String.raw`(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?`;
const YMD = new RegExp(String.raw`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?${TIME}$`);
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ASCII = /^[\x20-\x7e]*$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const SHORT = new RegExp(String.raw`^(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})${TIME}$`);
const DAY_MONTH_NAME = new RegExp(String.raw`^(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?[\s-,]+(\d{2}|\d{4})${TIME}$`);
const MONTH_NAME_DAY = new RegExp(String.raw`^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})${TIME}$`);

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

function fromMillis(ms: number): DateParts {
  const t = new Date(ms);
  return {
    y: t.getUTCFullYear(),
    m: t.getUTCMonth() + 1,
    d: t.getUTCDate(),
    hh: t.getUTCHours(),
    mi: t.getUTCMinutes(),
    ss: t.getUTCSeconds(),
    ms: t.getUTCMilliseconds(),
    offsetMin: 0,
  };
}

/** Excel serial day number (with an optional fraction for the time of day). */
export function fromExcelSerial(serial: number): DateResult {
  if (!Number.isFinite(serial) || serial < 1 || serial >= 2_958_466) return { ok: false, reason: `not an Excel date serial: ${serial}` };
  // Excel counts a 1900-02-29 that never was; serials before it are one day off from the 1899-12-30 epoch.
  const days = serial < 61 ? serial + 1 : serial;
  return { ok: true, parts: fromMillis(EXCEL_EPOCH + Math.round(days * DAY_MS)) };
}

function year(text: string): number {
  const n = Number(text);
  if (text.length > 2) return n;
  return n < 30 ? 2000 + n : 1900 + n;
}

function monthByName(name: string): number | undefined {
  const i = MONTHS.indexOf(name.slice(0, 3).toLowerCase());
  if (i < 0) return undefined;
  const full = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"][i]!;
  const lower = name.toLowerCase();
  return lower.length === 3 || full.startsWith(lower) || (lower === "sept" && i === 8) ? i + 1 : undefined;
}

function build(y: number, m: number, d: number, time: (string | undefined)[], raw: string): DateResult {
  const [hh, mi, ss, frac, zone] = time;
  const parts: DateParts = {
    y,
    m,
    d,
    hh: hh ? Number(hh) : 0,
    mi: mi ? Number(mi) : 0,
    ss: ss ? Number(ss) : 0,
    ms: frac ? Number(frac.padEnd(3, "0").slice(0, 3)) : 0,
    offsetMin: 0,
  };
  if (zone && zone !== "Z") {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    parts.offsetMin = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0));
  }
  const check = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || m > 12 || check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
    return { ok: false, reason: `not a valid date: ${raw}` };
  }
  if (parts.hh > 23 || parts.mi > 59 || parts.ss > 59) return { ok: false, reason: `not a valid time: ${raw}` };
  return { ok: true, parts };
}

export function parseLenientDate(raw: string | number | Date, order?: DateOrder): DateResult {
  if (raw instanceof Date) {
    if (Number.isNaN(raw.getTime())) return { ok: false, reason: "not a valid date" };
    return { ok: true, parts: fromMillis(raw.getTime()) };
  }
  if (typeof raw === "number") return fromExcelSerial(raw);
  const s = ASCII.test(raw) ? raw.trim() : raw.normalize("NFKC").trim();
  const iso = ISO_DATE.exec(s);
  if (iso) return build(Number(iso[1]), Number(iso[2]), Number(iso[3]), [], s);
  let m = YMD.exec(s);
  if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]), m.slice(4), s);
  m = COMPACT.exec(s);
  if (m) return build(Number(m[1]), Number(m[2]), Number(m[3]), [], s);
  if (/^\d{5}(\.\d+)?$/.test(s)) return fromExcelSerial(Number(s));
  m = DAY_MONTH_NAME.exec(s);
  if (m) {
    const month = monthByName(m[2]!);
    if (month) return build(year(m[3]!), month, Number(m[1]), m.slice(4), s);
  }
  m = MONTH_NAME_DAY.exec(s);
  if (m) {
    const month = monthByName(m[1]!);
    if (month) return build(Number(m[3]), month, Number(m[2]), m.slice(4), s);
  }
  m = SHORT.exec(s);
  if (m) {
    const [a, b, c] = [m[1]!, m[2]!, m[3]!];
    const time = m.slice(4);
    if (a.length === 4) return build(Number(a), Number(b), Number(c), time, s);
    if (a.length === 3 || b.length > 2 || c.length === 3 || c.length === 1) return { ok: false, reason: `not a date: ${s}` };
    if (order === "ymd") return build(year(a), Number(b), Number(c), time, s);
    if (order === "dmy") return build(year(c), Number(b), Number(a), time, s);
    if (order === "mdy") return build(year(c), Number(a), Number(b), time, s);
    const [x, y] = [Number(a), Number(b)];
    if (x > 12 && y <= 12) return build(year(c), y, x, time, s);
    if (y > 12 && x <= 12) return build(year(c), x, y, time, s);
    if (x === y) return build(year(c), x, x, time, s);
    return { ok: false, reason: `ambiguous day/month order in ${s}: set the date order (dmy, mdy or ymd)` };
  }
  return { ok: false, reason: `not a date: ${s}` };
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export const formatDate = (p: DateParts): string => `${pad(p.y, 4)}-${pad(p.m)}-${pad(p.d)}`;

export function formatDateTime(p: DateParts): string {
  const utc = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mi, p.ss, p.ms) - p.offsetMin * 60_000;
  return new Date(utc).toISOString();
}
