import type { FieldDef } from "../metadata/types";
import { currencyScale, DEFAULT_CURRENCY, isCurrencyCode } from "../money/currencies";
import { Dec, plainDecimal, plainScaledText, tryDecimal, unscaleIntText } from "../money/decimal";
import { fromMinor, toMinor, type Money } from "../money/money";
import { cell, fail, intFromDb, NUMBER_OPERATORS, ok } from "./common";
import type { FieldTypeDef } from "./types";

/** Minor units stay within ±9e14 so that any amount, rescaled to 4 digits for comparison, fits in int64. */
export const MAX_MINOR_UNITS = 900_000_000_000_000n;

export const defaultCurrencyOf = (field: FieldDef) => field.currency ?? DEFAULT_CURRENCY;

/**
 * The one minor-unit scale every amount of the field has, when its accepted currencies (`currencies`,
 * with the default) all share it; undefined when the field accepts currencies of several scales.
 */
export function singleScaleOf(field: FieldDef): number | undefined {
  if (!field.currencies || field.currencies.length === 0) return undefined;
  const scales = new Set([defaultCurrencyOf(field), ...field.currencies].map(currencyScale));
  return scales.size === 1 ? [...scales][0] : undefined;
}

const notAccepted = (field: FieldDef, code: string): string | undefined =>
  field.currencies && field.currencies.length && !field.currencies.includes(code) ? `currency ${code} is not accepted here (${field.currencies.join(", ")})` : undefined;

export const currencyField: FieldTypeDef<Money> = {
  type: "currency",
  parseInput(field, raw) {
    if (raw === null || raw === undefined) return ok(null);
    let amount: unknown = raw;
    let code: unknown = defaultCurrencyOf(field);
    if (typeof raw === "object") {
      if (Array.isArray(raw)) return fail('expected {"amount": "1054.00", "currency": "USD"} or a number');
      const extra = Object.keys(raw).filter((k) => k !== "amount" && k !== "currency");
      if (extra.length) return fail(`unexpected key ${extra.join(", ")} (expected amount and currency)`);
      ({ amount, currency: code = defaultCurrencyOf(field) } = raw as { amount?: unknown; currency?: unknown });
      if (amount === null || amount === undefined) return ok(null);
    }
    if (typeof amount !== "number" && typeof amount !== "string") return fail("expected an amount (number or decimal string)");
    // Fast exact path for plain decimals (nearly every input); decimal.js below stays the reference.
    const refused = isCurrencyCode(code) ? notAccepted(field, code) : undefined;
    if (refused) return fail(refused);
    const p = isCurrencyCode(code) ? plainDecimal(amount) : undefined;
    if (p) {
      const scale = currencyScale(code as string);
      const text = plainScaledText(p, scale);
      if (text === undefined) return fail(`at most ${scale} decimal places for ${code as string}`);
      // 15 digits or more can exceed MAX_MINOR_UNITS (9e14, itself 15 digits): let BigInt decide.
      const digits = p.neg ? text.length - 1 : text.length;
      if (digits >= 15 && (BigInt(text) > MAX_MINOR_UNITS || BigInt(text) < -MAX_MINOR_UNITS)) return fail("amount out of range");
      return ok({ amount: unscaleIntText(text, scale), currency: code as string });
    }
    const d = tryDecimal(amount);
    if (!d) return fail("expected an amount (number or decimal string)");
    if (!isCurrencyCode(code)) return fail("expected a 3-letter ISO 4217 currency code such as USD");
    const scale = currencyScale(code);
    if (d.decimalPlaces() > scale) return fail(`at most ${scale} decimal places for ${code}`);
    const minor = toMinor(d, code);
    if (minor > MAX_MINOR_UNITS || minor < -MAX_MINOR_UNITS) return fail("amount out of range");
    return ok({ amount: fromMinor(minor, code), currency: code });
  },
  validate(field, value) {
    const { min, max } = field.validation ?? {};
    if (min === undefined && max === undefined) return undefined;
    const d = new Dec(value.amount);
    if (min !== undefined && d.lessThan(min)) return `must be at least ${min}`;
    if (max !== undefined && d.greaterThan(max)) return `must be at most ${max}`;
    return undefined;
  },
  encode: (field, value) => ({
    [field.name]: value === null ? null : Number(toMinor(value.amount, value.currency)),
    [`${field.name}_currency`]: value === null ? null : value.currency,
  }),
  decode(field, row) {
    const minor = intFromDb(cell(field, row));
    if (minor === undefined) return null;
    const stored = row[`${field.name}_currency`];
    const code = typeof stored === "string" && stored !== "" ? stored : defaultCurrencyOf(field);
    return { amount: fromMinor(minor, code), currency: code };
  },
  format: (_field, value, locale) =>
    value === null ? "" : new Intl.NumberFormat(locale, { style: "currency", currency: value.currency }).format(value.amount as `${number}`),
  operators: NUMBER_OPERATORS,
};
