/**
 * Money in API form is { amount: "1054.00", currency: "USD" }: the amount a decimal string at the
 * currency's ISO 4217 scale. Storage holds integer minor units plus the code. All arithmetic is
 * decimal with explicit rounding, half-up at the currency's scale unless the caller says otherwise.
 */
import { invalid } from "../errors";
import { currencyScale, isCurrencyCode } from "./currencies";
import { Dec, fromScaled, roundTo, toDecimal, toScaled, type DecimalInput, type RoundingMode } from "./decimal";

export type Money = { amount: string; currency: string };

function checkCode(currency: string): string {
  if (!isCurrencyCode(currency)) throw invalid(`${JSON.stringify(currency)} is not an ISO 4217 currency code`, [{ field: "currency", reason: "expected a 3-letter ISO 4217 code such as USD" }]);
  return currency;
}

/** Amount -> integer minor units ("10.5", "USD" -> 1050n). Extra digits are an error unless rounding is given. */
export function toMinor(amount: DecimalInput, currency: string, rounding?: RoundingMode): bigint {
  return toScaled(amount, currencyScale(checkCode(currency)), rounding);
}

/** Integer minor units -> amount string at the currency scale (105400, "USD" -> "1054.00"; 5, "JPY" -> "5"). */
export function fromMinor(minor: bigint | number | string, currency: string): string {
  return fromScaled(minor, currencyScale(checkCode(currency)));
}

/** An amount written at the currency's scale ("1054.5" USD -> "1054.50"). */
export function normalizeAmount(amount: DecimalInput, currency: string, rounding?: RoundingMode): string {
  return fromMinor(toMinor(amount, currency, rounding), currency);
}

export function money(amount: DecimalInput, currency: string, rounding?: RoundingMode): Money {
  return { amount: normalizeAmount(amount, currency, rounding), currency };
}

function sameCurrency(a: Money, b: Money): string {
  if (a.currency !== b.currency) throw invalid(`cannot combine ${a.currency} with ${b.currency}`, [{ field: "currency", reason: "amounts must share one currency" }]);
  return a.currency;
}

export function addMoney(a: Money, b: Money): Money {
  const c = sameCurrency(a, b);
  return money(toDecimal(a.amount).plus(toDecimal(b.amount)), c);
}

export function subtractMoney(a: Money, b: Money): Money {
  const c = sameCurrency(a, b);
  return money(toDecimal(a.amount).minus(toDecimal(b.amount)), c);
}

/** Sum of amounts in one currency; an empty list sums to zero in `currency`. */
export function sumMoney(items: readonly Money[], currency: string): Money {
  let total = new Dec(0);
  for (const m of items) {
    sameCurrency(m, { amount: "0", currency });
    total = total.plus(toDecimal(m.amount));
  }
  return money(total, currency);
}

/** m * factor, rounded once at the currency scale. */
export function multiplyMoney(m: Money, factor: DecimalInput, rounding: RoundingMode = "half_up"): Money {
  const scale = currencyScale(checkCode(m.currency));
  return money(roundTo(toDecimal(m.amount).times(toDecimal(factor)), scale, rounding), m.currency);
}

/** pct % of m (percentOf(100.00, 12.5) = 12.50), rounded once at the currency scale. */
export function percentOf(m: Money, pct: DecimalInput, rounding: RoundingMode = "half_up"): Money {
  const scale = currencyScale(checkCode(m.currency));
  return money(roundTo(toDecimal(m.amount).times(toDecimal(pct)).dividedBy(100), scale, rounding), m.currency);
}

export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b);
  return toDecimal(a.amount).comparedTo(toDecimal(b.amount)) as -1 | 0 | 1;
}

export function isMoney(x: unknown): x is Money {
  return typeof x === "object" && x !== null && typeof (x as Money).amount === "string" && typeof (x as Money).currency === "string";
}
