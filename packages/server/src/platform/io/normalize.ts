/**
 * Text normalisation for matching what people type against what is stored: NFKC folds full-width
 * letters, digits and punctuation to their ASCII forms (`ＧＴＸ\u3000Ｐｒｏ` -> `GTX Pro`), then case and
 * every kind of whitespace are dropped, so `GTXPro`, `gtx pro` and `GTX  Pro` are the same key.
 */
export function matchKey(value: string): string {
  // Printable ASCII is already NFKC and holds no whitespace to drop but the space itself: skip
  // the ICU call and the regex for the common case (most cells are plain ASCII names).
  if (PRINTABLE_ASCII.test(value)) {
    const lower = value.toLowerCase();
    return lower.includes(" ") ? lower.replaceAll(" ", "") : lower;
  }
  return value.normalize("NFKC").toLowerCase().replace(/[\s\u200b\ufeff]+/g, "");
}
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** NFKC plus trimming: the form every cell takes before a coercion rule looks at it. */
export function foldWidth(value: string): string {
  return value.normalize("NFKC").trim();
}

/** Any value as text: strings as they are, numbers and booleans printed, objects as JSON. */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** A header or label compared loosely: matchKey, and `_`/`-` count as whitespace. */
export function headerKey(value: string): string {
  return matchKey(value.replace(/[_-]+/g, " "));
}
