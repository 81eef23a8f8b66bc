/**
 * A leaf resolved against its field, the actor and the clock: the one meaning that both the
 * in-memory evaluator (evaluate.ts) and the SQL compiler (server) execute. Operands are in the
 * storage's comparable form, so both sides compare the same things:
 *   text-like, picklist, relation: string · integer: bigint · decimal/percent: bigint scaled by the
 *   field's scale · currency: bigint amount scaled to MAX_CURRENCY_SCALE (4) whatever the record's
 *   currency · boolean: boolean · date: "YYYY-MM-DD" · datetime: "YYYY-MM-DDTHH:mm:ss.sssZ".
 */
import type { FieldDef } from "../metadata/types";
import { scaleOf } from "../metadata/storage";
import { currencyScale, MAX_CURRENCY_SCALE } from "../money/currencies";
import { toScaled, tryDecimal } from "../money/decimal";
import { isMoney } from "../money/money";
import { defaultCurrencyOf } from "../field-types/currency";
import { isIsoDate } from "../field-types/date";
import { normalizeDatetime } from "../field-types/datetime";
import { textOf } from "../field-types/common";
import { isoDay, periodBounds, relativeBounds, DAY_MS } from "./dates";
import type { ConditionValue, Operator, RelativeDate } from "./types";

export type Operand = string | bigint | boolean;
export type CmpOp = "eq" | "ne" | "lt" | "lte" | "gt" | "gte";
export type TextOp = "contains" | "not_contains" | "starts_with" | "ends_with";

export type ResolvedLeaf =
  | { kind: "const"; value: boolean }
  | { kind: "cmp"; op: CmpOp; value: Operand }
  | { kind: "range"; from?: Operand; to?: Operand; toExclusive: boolean }
  | { kind: "set"; negate: boolean; values: Operand[] }
  | { kind: "text"; op: TextOp; value: string }
  | { kind: "empty"; negate: boolean }
  | { kind: "multi"; all: boolean; values: string[] };

export type ResolveEnv = { actor?: { attrs: Record<string, unknown> }; now: Date };

/** Case folding for contains/starts_with/ends_with: Unicode default lower-casing (SQL side: rl_lower / ICU lower). */
export const foldCase = (s: string) => s.toLowerCase();

export type OperandResult = { ok: true; value: Operand } | { ok: false; reason: string };
const bad = (reason: string): OperandResult => ({ ok: false, reason });

/** A condition value (scalar) -> operand for this field, or why it does not fit. */
export function operandOf(field: FieldDef, raw: unknown): OperandResult {
  switch (field.type) {
    case "text": case "long_text": case "email": case "phone": case "url": case "picklist": case "relation": case "multi_picklist":
      return typeof raw === "string" ? { ok: true, value: raw } : bad("expected a string");
    case "boolean":
      return typeof raw === "boolean" ? { ok: true, value: raw } : bad("expected true or false");
    case "integer":
      return typeof raw === "number" && Number.isSafeInteger(raw) ? { ok: true, value: BigInt(raw) } : bad("expected a whole number");
    case "decimal": case "percent": case "currency": {
      if (typeof raw !== "number" && typeof raw !== "string") return bad("expected a number");
      const d = tryDecimal(raw);
      if (!d) return bad("expected a number");
      const scale = field.type === "currency" ? currencyScale(defaultCurrencyOf(field)) : scaleOf(field);
      if (d.decimalPlaces() > scale) return bad(`at most ${scale} decimal places`);
      return { ok: true, value: toScaled(d, field.type === "currency" ? MAX_CURRENCY_SCALE : scale) };
    }
    case "date":
      return isIsoDate(raw) ? { ok: true, value: raw } : bad("expected a date YYYY-MM-DD");
    case "datetime": {
      if (isIsoDate(raw)) return { ok: true, value: `${raw}T00:00:00.000Z` };
      const v = typeof raw === "string" ? normalizeDatetime(raw) : undefined;
      return v ? { ok: true, value: v } : bad("expected an ISO 8601 date-time (e.g. 2024-01-05T10:00:00Z) or a date");
    }
  }
}

/** A record's API value -> operand (null when empty). */
export function recordOperand(field: FieldDef, value: unknown): Operand | null {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case "integer":
      return BigInt(value as number);
    case "decimal": case "percent":
      return toScaled(value as number, scaleOf(field));
    case "currency":
      return isMoney(value) ? toScaled(value.amount, MAX_CURRENCY_SCALE) : toScaled(value as string, MAX_CURRENCY_SCALE);
    case "boolean":
      return Boolean(value);
    default:
      return textOf(value);
  }
}

const NO_MATCH: ResolvedLeaf = { kind: "const", value: false };

function toOperands(field: FieldDef, items: unknown[]): Operand[] {
  const out: Operand[] = [];
  for (const item of items) {
    const r = operandOf(field, item);
    if (r.ok && !out.some((o) => o === r.value)) out.push(r.value);
  }
  return out;
}

function setLeaf(negate: boolean, values: Operand[]): ResolvedLeaf {
  return values.length === 0 ? { kind: "const", value: negate } : { kind: "set", negate, values };
}

function multiLeaf(all: boolean, items: unknown[]): ResolvedLeaf {
  const values = [...new Set(items.filter((x): x is string => typeof x === "string"))];
  return values.length === 0 ? { kind: "const", value: all } : { kind: "multi", all, values };
}

const isActorVar = (v: unknown): v is { $actor: string } => typeof v === "object" && v !== null && "$actor" in v;

/**
 * Resolves one leaf. Values are assumed validated (validateCondition); an $actor variable that the
 * actor lacks, or whose value does not fit the field, makes the leaf false whatever the operator
 * (fail closed: a permission rule must never widen because an attribute is missing).
 */
export function resolveLeaf(field: FieldDef, op: Operator, value: ConditionValue | undefined, env: ResolveEnv): ResolvedLeaf {
  let v: unknown = value;
  if (isActorVar(value)) {
    v = env.actor?.attrs[value.$actor];
    if (v === null || v === undefined) return NO_MATCH;
    if (Array.isArray(v)) {
      if (op === "eq" || op === "in") return setLeaf(false, toOperands(field, v));
      if (op === "ne" || op === "nin") return setLeaf(true, toOperands(field, v));
      if (op === "has_any" || op === "has_all") return multiLeaf(op === "has_all", v);
      return NO_MATCH;
    }
    if (op === "in" || op === "nin" || op === "has_any" || op === "has_all") v = [v];
  }
  switch (op) {
    case "eq": case "ne": case "lt": case "lte": case "gt": case "gte": {
      const r = operandOf(field, v);
      return r.ok ? { kind: "cmp", op, value: r.value } : NO_MATCH;
    }
    case "between": {
      const { from, to } = (v ?? {}) as { from?: unknown; to?: unknown };
      const f = from === undefined || from === null ? undefined : operandOf(field, from);
      const t = to === undefined || to === null ? undefined : operandOf(field, to);
      if ((f && !f.ok) || (t && !t.ok) || (!f && !t)) return NO_MATCH;
      return { kind: "range", from: f?.ok ? f.value : undefined, to: t?.ok ? t.value : undefined, toExclusive: false };
    }
    case "in": case "nin":
      return setLeaf(op === "nin", toOperands(field, Array.isArray(v) ? v : []));
    case "contains": case "not_contains": case "starts_with": case "ends_with":
      return typeof v === "string" ? { kind: "text", op, value: v } : NO_MATCH;
    case "is_empty": case "is_not_empty":
      return { kind: "empty", negate: op === "is_not_empty" };
    case "has_any": case "has_all":
      return multiLeaf(op === "has_all", Array.isArray(v) ? v : []);
    case "today": case "this_week": case "this_month": case "this_quarter": case "this_year": {
      const { start, end } = periodBounds(op, env.now);
      if (field.type === "date") return { kind: "range", from: isoDay(start), to: isoDay(new Date(end.getTime() - DAY_MS)), toExclusive: false };
      return { kind: "range", from: start.toISOString(), to: end.toISOString(), toExclusive: true };
    }
    case "in_last": case "in_next": {
      const { from, to } = relativeBounds(op, v as RelativeDate, env.now, field.type === "date");
      if (field.type === "date") return { kind: "range", from: isoDay(from), to: isoDay(to), toExclusive: false };
      return { kind: "range", from: from.toISOString(), to: to.toISOString(), toExclusive: false };
    }
  }
}

function cmp(a: Operand, b: Operand): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Evaluates a resolved leaf on a record's API value. A null satisfies only ne, nin, not_contains and is_empty. */
export function matchLeaf(field: FieldDef, leaf: ResolvedLeaf, value: unknown): boolean {
  switch (leaf.kind) {
    case "const":
      return leaf.value;
    case "empty": {
      const empty = value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
      return leaf.negate ? !empty : empty;
    }
    case "text": {
      if (typeof value !== "string") return leaf.op === "not_contains";
      const s = foldCase(value);
      const needle = foldCase(leaf.value);
      if (leaf.op === "contains") return s.includes(needle);
      if (leaf.op === "not_contains") return !s.includes(needle);
      return leaf.op === "starts_with" ? s.startsWith(needle) : s.endsWith(needle);
    }
    case "multi": {
      const arr = Array.isArray(value) ? (value as unknown[]) : [];
      return leaf.all ? leaf.values.every((x) => arr.includes(x)) : leaf.values.some((x) => arr.includes(x));
    }
    default:
      break;
  }
  const x = recordOperand(field, value);
  switch (leaf.kind) {
    case "cmp": {
      if (x === null) return leaf.op === "ne";
      const c = cmp(x, leaf.value);
      return { eq: c === 0, ne: c !== 0, lt: c < 0, lte: c <= 0, gt: c > 0, gte: c >= 0 }[leaf.op];
    }
    case "range":
      if (x === null) return false;
      if (leaf.from !== undefined && cmp(x, leaf.from) < 0) return false;
      if (leaf.to !== undefined && (leaf.toExclusive ? cmp(x, leaf.to) >= 0 : cmp(x, leaf.to) > 0)) return false;
      return true;
    case "set":
      if (x === null) return leaf.negate;
      return leaf.values.includes(x) !== leaf.negate;
  }
}
