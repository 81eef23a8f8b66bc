import type { Operator } from "../conditions/types";
import type { FieldDef } from "../metadata/types";
import { columnOf } from "../metadata/storage";
import type { FieldTypeDef, ParseResult, StorageRow } from "./types";

export const ok = <V>(value: V): ParseResult<V> => ({ ok: true, value });
export const fail = <V = never>(reason: string): ParseResult<V> => ({ ok: false, reason });

export const TEXT_OPERATORS: readonly Operator[] = ["eq", "ne", "in", "nin", "contains", "not_contains", "starts_with", "ends_with", "is_empty", "is_not_empty"];
export const NUMBER_OPERATORS: readonly Operator[] = ["eq", "ne", "lt", "lte", "gt", "gte", "between", "in", "nin", "is_empty", "is_not_empty"];
export const DATE_OPERATORS: readonly Operator[] = [
  "eq", "ne", "lt", "lte", "gt", "gte", "between", "is_empty", "is_not_empty",
  "in_last", "in_next", "today", "this_week", "this_month", "this_quarter", "this_year",
];
export const CHOICE_OPERATORS: readonly Operator[] = ["eq", "ne", "in", "nin", "is_empty", "is_not_empty"];
export const MULTI_OPERATORS: readonly Operator[] = ["has_any", "has_all", "is_empty", "is_not_empty"];
export const BOOLEAN_OPERATORS: readonly Operator[] = ["eq", "ne", "is_empty", "is_not_empty"];

/** Length in characters as a person counts them (code points, so 中文 and emoji count once). */
export const charLength = (s: string) => [...s].length;

const patterns = new Map<string, RegExp>();
const patternOf = (p: string) => {
  let re = patterns.get(p);
  if (!re) {
    if (patterns.size > 1000) patterns.clear();
    patterns.set(p, (re = new RegExp(`^(?:${p})$`)));
  }
  return re;
};

export function checkLength(field: FieldDef, value: string, defaultMax: number): string | undefined {
  const max = field.validation?.maxLength ?? defaultMax;
  const min = field.validation?.minLength;
  // UTF-16 length bounds the code-point count from above: short strings need no counting.
  if (value.length > max || min !== undefined) {
    const len = charLength(value);
    if (len > max) return `at most ${max} characters`;
    if (min !== undefined && len < min) return `at least ${min} characters`;
  }
  const pattern = field.validation?.pattern;
  if (pattern !== undefined && !patternOf(pattern).test(value)) return `does not match the pattern ${pattern}`;
  return undefined;
}

export function checkRange(field: FieldDef, n: number): string | undefined {
  const { min, max } = field.validation ?? {};
  if (min !== undefined && n < min) return `must be at least ${min}`;
  if (max !== undefined && n > max) return `must be at most ${max}`;
  return undefined;
}

/** A single-column value as stored. */
export const cell = (field: FieldDef, row: StorageRow): unknown => row[columnOf(field)];

/** An integer from a driver value: number (SQLite), string (pg int8/numeric), bigint (safeIntegers). */
export function intFromDb(x: unknown): bigint | undefined {
  if (x === null || x === undefined) return undefined;
  if (typeof x === "bigint") return x;
  if (typeof x === "number" && Number.isInteger(x)) return BigInt(x);
  if (typeof x === "string" && /^[+-]?\d+$/.test(x.trim())) return BigInt(x.trim());
  throw new TypeError(`expected an integer from the database, got ${typeof x} ${textOf(x)}`);
}

/** A value as text for messages and text columns (objects as JSON, never "[object Object]"). */
export function textOf(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  return JSON.stringify(v) ?? "";
}

export const labelOf = (label: { en: string; zh: string }, locale: string) => (locale === "zh-CN" ? label.zh : label.en);

// PostgreSQL cannot store U+0000 in text, and a lone UTF-16 surrogate cannot be encoded as UTF-8 (it
// would be stored changed). Both are refused for every text field so that both databases agree.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export function unstorableText(s: string): string | undefined {
  if (s.includes("\u0000")) return "contains the NUL character (U+0000), which cannot be stored";
  if (LONE_SURROGATE.test(s)) return "is not valid Unicode text (an unpaired surrogate)";
  return undefined;
}

/** A text-valued field type; `canonical` checks and normalises the string (trim, format). */
export function textType(type: "text" | "long_text" | "email" | "phone" | "url", defaultMax: number, canonical: (s: string) => ParseResult<string | null>): FieldTypeDef<string> {
  return {
    type,
    parseInput(_field, raw) {
      if (raw === null || raw === undefined) return ok(null);
      if (typeof raw !== "string") return fail("expected a string");
      const bad = unstorableText(raw);
      if (bad) return fail(bad);
      return canonical(raw);
    },
    validate: (field, value) => checkLength(field, value, defaultMax),
    encode: (field, value) => ({ [columnOf(field)]: value ?? null }),
    decode(field, row) {
      const v = cell(field, row);
      return v === null || v === undefined ? null : textOf(v);
    },
    format: (_field, value) => value ?? "",
    operators: TEXT_OPERATORS,
  };
}
