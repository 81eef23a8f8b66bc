/**
 * Normalising what each driver returns for timestamps and dates. PostgreSQL (with our type parsers)
 * returns "2024-01-05 10:00:00.123+00"; SQLite returns what we stored ("2024-01-05T10:00:00.123Z").
 */
export function toIsoTimestamp(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== "string") return null;
  const s = value;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(s)) return s;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(s);
  if (!m) {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? s : d.toISOString();
  }
  const ms = (m[3] ?? "").padEnd(3, "0").slice(0, 3);
  let zone = m[4] ?? "Z";
  if (zone === "+00" || zone === "+00:00" || zone === "+0000" || zone === "-00") zone = "Z";
  if (zone === "Z") return `${m[1]}T${m[2]}.${ms}Z`;
  if (/^[+-]\d{2}$/.test(zone)) zone += ":00";
  return new Date(`${m[1]}T${m[2]}.${ms}${zone}`).toISOString();
}

export function toIsoDate(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return typeof value === "string" ? value.slice(0, 10) : null;
}
