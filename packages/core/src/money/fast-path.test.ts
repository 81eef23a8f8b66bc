/**
 * The integer-string fast paths of toScaled/fromScaled and of the currency/decimal parsers, checked
 * against decimal.js on random inputs: plain decimal strings, numbers, signs, leading and trailing
 * zeros, and values around the range limits.
 */
import Decimal from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FIELD_TYPES } from "../field-types";
import type { FieldDef } from "../metadata/types";
import { fromScaled, toScaled } from "./decimal";
import { MAX_MINOR_UNITS } from "../field-types/currency";

const Ref = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -60, toExpPos: 60 });
const PLAIN = /^[+-]?\d+(\.\d+)?$/;

const refDecimal = (x: string | number): Decimal | undefined =>
  typeof x === "number" ? (Number.isFinite(x) ? new Ref(x) : undefined) : PLAIN.test(x.trim()) ? new Ref(x.trim()) : undefined;

/** What toScaled must return (or undefined where it must throw), computed with decimal.js only. */
function refToScaled(x: string | number, scale: number): bigint | undefined {
  const d = refDecimal(x);
  if (!d || d.decimalPlaces() > scale) return undefined;
  return BigInt(d.times(new Ref(10).pow(scale)).toFixed(0));
}

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: min, maxLength: max });
const decimalText = fc
  .tuple(fc.constantFrom("", "-", "+"), fc.constantFrom("", "0", "00"), digits(1, 17), fc.option(digits(1, 6), { nil: undefined }), fc.constantFrom("", " "))
  .map(([sign, zeros, int, frac, pad]) => `${pad}${sign}${zeros}${int}${frac === undefined ? "" : `.${frac}`}${pad}`);
const numberInput = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e16, max: 1e16 }),
  fc.integer({ min: -1e6, max: 1e6 }).map((n) => n / 100),
  fc.integer().map((n) => n / 1000),
  fc.constantFrom(0, -0, 0.1, 0.3, 1e-7, 1e21, 123.456),
);
const input = fc.oneof(decimalText, numberInput, fc.constantFrom("abc", "1e3", "", "1,000", ".5", "5.", "--1"));

describe("toScaled / fromScaled fast paths agree with decimal.js", () => {
  it("toScaled", () =>
    fc.assert(
      fc.property(input, fc.integer({ min: 0, max: 6 }), (x, scale) => {
        const want = refToScaled(x, scale);
        if (want === undefined) expect(() => toScaled(x, scale)).toThrow();
        else expect(toScaled(x, scale)).toBe(want);
      }),
      { numRuns: 5000 },
    ));
  it("fromScaled", () =>
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer(), fc.maxSafeInteger(), digits(1, 20).map((d) => `${d}`), digits(1, 20).map((d) => `-0${d}`)),
        fc.integer({ min: 0, max: 6 }),
        (x, scale) => {
          expect(fromScaled(x, scale)).toBe(new Ref(String(x)).dividedBy(new Ref(10).pow(scale)).toFixed(scale));
        },
      ),
      { numRuns: 5000 },
    ));
});

const field = (over: Partial<FieldDef>): FieldDef => ({ name: "v", type: "text", label: { en: "V", zh: "V" }, ...over });

describe("field parsers agree with decimal.js", () => {
  it("currency", () =>
    fc.assert(
      fc.property(input, fc.constantFrom("USD", "JPY", "KWD", "CLF", "XYZ", "usd"), (x, currency) => {
        const got = FIELD_TYPES.currency.parseInput(field({ type: "currency" }), { amount: x, currency });
        const scale = ({ USD: 2, JPY: 0, KWD: 3, CLF: 4, XYZ: 2 } as Record<string, number>)[currency];
        const minor = scale === undefined ? undefined : refToScaled(x, scale);
        if (minor === undefined || minor > MAX_MINOR_UNITS || minor < -MAX_MINOR_UNITS) expect(got.ok).toBe(false);
        else expect(got).toEqual({ ok: true, value: { amount: new Ref(minor.toString()).dividedBy(new Ref(10).pow(scale!)).toFixed(scale), currency } });
      }),
      { numRuns: 5000 },
    ));
  it("currency at the range limit", () => {
    const f = field({ type: "currency" });
    expect(FIELD_TYPES.currency.parseInput(f, "9000000000000.00")).toEqual({ ok: true, value: { amount: "9000000000000.00", currency: "USD" } });
    expect(FIELD_TYPES.currency.parseInput(f, "-9000000000000.00").ok).toBe(true);
    expect(FIELD_TYPES.currency.parseInput(f, "9000000000000.01").ok).toBe(false);
    expect(FIELD_TYPES.currency.parseInput(f, "-9000000000000.01").ok).toBe(false);
  });
  it("decimal", () =>
    fc.assert(
      fc.property(input, fc.integer({ min: 0, max: 6 }), (x, scale) => {
        const got = FIELD_TYPES.decimal.parseInput(field({ type: "decimal", scale }), x);
        const scaled = refToScaled(x, scale);
        if (scaled === undefined || scaled > BigInt(Number.MAX_SAFE_INTEGER) || scaled < -BigInt(Number.MAX_SAFE_INTEGER)) expect(got.ok).toBe(false);
        else expect(got).toEqual({ ok: true, value: Number(refDecimal(x)!.toFixed()) });
      }),
      { numRuns: 5000 },
    ));
});
