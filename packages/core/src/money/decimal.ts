/**
 * Exact decimal arithmetic. Money and scaled decimals never go through binary floats: every value
 * is parsed into a Decimal with enough precision for any amount we store (int64 minor units).
 */
import Decimal from "decimal.js";
import { invalid } from "../errors";

export const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -60, toExpPos: 60 });
export type Dec = InstanceType<typeof Dec>;

export type RoundingMode = "half_up" | "half_even" | "half_down" | "up" | "down" | "ceil" | "floor";

const MODES: Record<RoundingMode, Decimal.Rounding> = {
  half_up: Decimal.ROUND_HALF_UP,
  half_even: Decimal.ROUND_HALF_EVEN,
  half_down: Decimal.ROUND_HALF_DOWN,
  up: Decimal.ROUND_UP,
  down: Decimal.ROUND_DOWN,
  ceil: Decimal.ROUND_CEIL,
  floor: Decimal.ROUND_FLOOR,
};

/** A plain decimal literal: optional sign, digits, optional fraction. No exponent, no separators. */
export const DECIMAL_PATTERN = /^[+-]?\d+(\.\d+)?$/;

export type DecimalInput = string | number | bigint | Dec;

/** Parses a decimal string or a finite number; returns undefined for anything else. */
export function tryDecimal(x: unknown): Dec | undefined {
  if (x instanceof Dec) return x;
  if (typeof x === "bigint") return new Dec(x.toString());
  if (typeof x === "number") return Number.isFinite(x) ? new Dec(x) : undefined;
  if (typeof x === "string") {
    const s = x.trim();
    return DECIMAL_PATTERN.test(s) ? new Dec(s) : undefined;
  }
  return undefined;
}

export function toDecimal(x: DecimalInput): Dec {
  const d = tryDecimal(x);
  if (!d) throw invalid(`"${String(x)}" is not a decimal number`, [{ field: "amount", reason: "expected a decimal number such as 1054.50" }]);
  return d;
}

/** Digits after the point that are not trailing zeros ("1.50" -> 1). */
export function fractionDigits(d: Dec): number {
  return d.decimalPlaces();
}

export function roundTo(x: DecimalInput, scale: number, mode: RoundingMode = "half_up"): Dec {
  return toDecimal(x).toDecimalPlaces(scale, MODES[mode]);
}

/** value * 10^scale as an exact integer; rejects extra digits unless a rounding mode is given. */
export function toScaled(x: DecimalInput, scale: number, rounding?: RoundingMode): bigint {
  let d = toDecimal(x);
  if (fractionDigits(d) > scale) {
    if (!rounding) throw invalid(`${d.toFixed()} has more than ${scale} decimal places`, [{ field: "amount", reason: `at most ${scale} decimal places` }]);
    d = d.toDecimalPlaces(scale, MODES[rounding]);
  }
  return BigInt(d.times(new Dec(10).pow(scale)).toFixed(0));
}

/** scaled / 10^scale as a decimal string with exactly `scale` fraction digits. */
export function fromScaled(scaled: bigint | number | string, scale: number): string {
  const d = tryDecimal(typeof scaled === "string" ? scaled.trim() : scaled);
  if (!d || !d.isInteger()) throw invalid(`"${String(scaled)}" is not an integer number of minor units`);
  return d.dividedBy(new Dec(10).pow(scale)).toFixed(scale);
}
