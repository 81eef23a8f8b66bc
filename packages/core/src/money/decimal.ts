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

const PLAIN_PARTS = /^([+-]?)0*(\d+?)(?:\.(\d*?)0*)?$/;

/** A plain decimal's digits: sign, integer digits without leading zeros, fraction digits without trailing zeros. */
export type PlainDecimal = { neg: boolean; int: string; frac: string };

/**
 * The fast exact path for the common input: a decimal string matching DECIMAL_PATTERN (trimmed) or a
 * finite number whose shortest text has no exponent (decimal.js reads numbers through that text too).
 * Undefined for anything else, which callers hand to decimal.js. A zero is never negative.
 */
export function plainDecimal(x: unknown): PlainDecimal | undefined {
  let s: string;
  if (typeof x === "string") {
    s = x.trim();
    if (!DECIMAL_PATTERN.test(s)) return undefined;
  } else if (typeof x === "number") {
    if (!Number.isFinite(x)) return undefined;
    s = String(x);
    if (s.includes("e")) return undefined;
  } else return undefined;
  const m = PLAIN_PARTS.exec(s);
  if (!m) return undefined;
  const int = m[2]!;
  const frac = m[3] ?? "";
  return { neg: m[1] === "-" && (int !== "0" || frac !== ""), int, frac };
}

/** The integer text of a plain decimal times 10^scale, or undefined when it has more than `scale` fraction digits. */
export function plainScaledText(p: PlainDecimal, scale: number): string | undefined {
  if (p.frac.length > scale) return undefined;
  const digits = (p.int === "0" ? "" : p.int) + p.frac.padEnd(scale, "0");
  const trimmed = digits.replace(/^0+/, "") || "0";
  return p.neg && trimmed !== "0" ? `-${trimmed}` : trimmed;
}

/** Powers of ten as Decimals, made once (the slow paths used to compute one per call). */
const POW10: Dec[] = Array.from({ length: 41 }, (_, i) => new Dec(10).pow(i));
const pow10 = (scale: number): Dec => POW10[scale] ?? new Dec(10).pow(scale);

const INT_TEXT = /^[+-]?\d+$/;

/** Integer text (optional sign, digits) at `scale` as a decimal string with exactly `scale` fraction digits. */
export function unscaleIntText(text: string, scale: number): string {
  const neg = text.charCodeAt(0) === 45; // "-"
  const body = text.charCodeAt(0) === 45 || text.charCodeAt(0) === 43 ? text.slice(1) : text;
  let digits = body;
  if (digits.length > 1 && digits.charCodeAt(0) === 48) digits = digits.replace(/^0+(?=\d)/, "");
  let out: string;
  if (scale === 0) out = digits;
  else {
    const padded = digits.length > scale ? digits : digits.padStart(scale + 1, "0");
    out = `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  }
  return neg && /[1-9]/.test(digits) ? `-${out}` : out;
}

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
  if (typeof x === "string" || typeof x === "number") {
    const p = plainDecimal(x);
    const text = p && plainScaledText(p, scale);
    if (text !== undefined) return BigInt(text);
  }
  let d = toDecimal(x);
  if (fractionDigits(d) > scale) {
    if (!rounding) throw invalid(`${d.toFixed()} has more than ${scale} decimal places`, [{ field: "amount", reason: `at most ${scale} decimal places` }]);
    d = d.toDecimalPlaces(scale, MODES[rounding]);
  }
  return BigInt(d.times(pow10(scale)).toFixed(0));
}

/** scaled / 10^scale as a decimal string with exactly `scale` fraction digits. */
export function fromScaled(scaled: bigint | number | string, scale: number): string {
  if (typeof scaled === "bigint") return unscaleIntText(scaled.toString(), scale);
  if (typeof scaled === "number" && Number.isSafeInteger(scaled)) return unscaleIntText(String(scaled), scale);
  if (typeof scaled === "string") {
    const t = scaled.trim();
    if (INT_TEXT.test(t)) return unscaleIntText(t, scale);
  }
  const d = tryDecimal(typeof scaled === "string" ? scaled.trim() : scaled);
  if (!d || !d.isInteger()) throw invalid(`"${String(scaled)}" is not an integer number of minor units`);
  return d.dividedBy(pow10(scale)).toFixed(scale);
}
