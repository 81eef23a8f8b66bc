import type { FieldDef } from "../metadata/types";
import { columnOf, scaleOf } from "../metadata/storage";
import { fromScaled, plainDecimal, plainScaledText, toScaled, tryDecimal } from "../money/decimal";
import { cell, checkRange, fail, intFromDb, NUMBER_OPERATORS, ok } from "./common";
import type { FieldTypeDef, ParseResult } from "./types";

const MAX_SCALED = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A number with at most `scale` fraction digits. Accepted as a JSON number or a decimal string,
 * stored exactly as value * 10^scale; the scaled integer stays within 2^53 so the API number is exact.
 */
export function parseScaled(field: FieldDef, raw: unknown): ParseResult<number | null> {
  if (raw === null || raw === undefined) return ok(null);
  if (typeof raw !== "number" && typeof raw !== "string") return fail("expected a number");
  const scale = scaleOf(field);
  // Fast exact path for plain decimals; decimal.js below stays the reference for everything else.
  const p = plainDecimal(raw);
  if (p) {
    const text = plainScaledText(p, scale);
    if (text === undefined) return fail(`at most ${scale} decimal places`);
    const digits = p.neg ? text.length - 1 : text.length;
    if (digits >= 16 && (BigInt(text) > MAX_SCALED || BigInt(text) < -MAX_SCALED)) return fail("out of range");
    if (typeof raw === "number") return ok(raw === 0 ? 0 : raw);
    return ok(Number(`${p.neg ? "-" : ""}${p.int}${p.frac ? `.${p.frac}` : ""}`));
  }
  const d = tryDecimal(raw);
  if (!d) return fail("expected a number");
  if (d.decimalPlaces() > scale) return fail(`at most ${scale} decimal places`);
  const scaled = toScaled(d, scale);
  if (scaled > MAX_SCALED || scaled < -MAX_SCALED) return fail("out of range");
  return ok(Number(d.toFixed()));
}

export function scaledType(type: "decimal" | "percent", suffix: string): FieldTypeDef<number> {
  return {
    type,
    parseInput: parseScaled,
    validate: (field, value) => checkRange(field, value),
    encode: (field, value) => ({ [columnOf(field)]: value === null ? null : Number(toScaled(value, scaleOf(field))) }),
    decode(field, row) {
      const v = intFromDb(cell(field, row));
      return v === undefined ? null : Number(fromScaled(v, scaleOf(field)));
    },
    format: (field, value, locale) =>
      value === null ? "" : new Intl.NumberFormat(locale, { maximumFractionDigits: scaleOf(field) }).format(value) + suffix,
    operators: NUMBER_OPERATORS,
  };
}

export const decimalField = scaledType("decimal", "");
