/**
 * Reading numbers the way people write them in spreadsheets, with explicit rules:
 * - full-width digits and punctuation are folded first (NFKC): `１２，３４５．６` is 12345.6;
 * - currency symbols and ISO codes before or after the number are taken off and reported
 *   (`¥`/`￥`/`元`/`RMB` -> CNY, `$`/`US$` -> USD, `€` EUR, `£` GBP, `円` JPY, `₩` KRW, `HK$` HKD, or a code such as `EUR`);
 * - thousands separators: spaces, apostrophes, `_`, and commas (or dots) that group by three;
 *   when both `,` and `.` appear, the last one is the decimal point; a single `,` not followed by
 *   exactly three digits is a decimal comma (`12,5` is 12.5, `1,250` is 1250);
 * - `(1,234)` is -1234 (accounting negatives), `−` counts as a minus sign;
 * - a trailing `%` is allowed and reported (meaningful only for percent fields);
 * - `万` multiplies by 10,000 and `亿` by 100,000,000 (`1.5万` is 15000).
 * The result is an exact decimal string; nothing passes through a float.
 */
import Decimal from "decimal.js";

export type LenientNumber = { value: string; currency?: string; isPercent: boolean };
export type NumberResult = { ok: true; number: LenientNumber } | { ok: false; reason: string };

const SYMBOLS: [string, string][] = [
  ["US$", "USD"],
  ["HK$", "HKD"],
  ["NT$", "TWD"],
  ["CN¥", "CNY"],
  ["RMB", "CNY"],
  ["¥", "CNY"],
  ["元", "CNY"],
  ["円", "JPY"],
  ["$", "USD"],
  ["€", "EUR"],
  ["£", "GBP"],
  ["₩", "KRW"],
  ["₹", "INR"],
];

/** ISO 4217 codes recognised as a prefix or suffix of an amount. */
export const KNOWN_CURRENCIES = new Set(
  "USD CNY EUR GBP JPY KRW HKD TWD SGD AUD CAD CHF INR RUB BRL MXN SEK NOK DKK NZD THB MYR IDR PHP VND ZAR AED SAR PLN TRY ILS CZK HUF".split(" "),
);

function takeCurrency(text: string): { rest: string; currency?: string } | { error: string } {
  let s = text;
  let currency: string | undefined;
  const found = (code: string) => {
    if (currency && currency !== code) return false;
    currency = code;
    return true;
  };
  for (let again = true; again; ) {
    again = false;
    const code = /^([A-Za-z]{3})\s*(?=[-+(\d.,−])|(?<=[\d.)])\s*([A-Za-z]{3})$/.exec(s);
    if (code) {
      const c = (code[1] ?? code[2] ?? "").toUpperCase();
      if (c === "RMB") {
        if (!found("CNY")) return { error: "two different currencies" };
      } else if (KNOWN_CURRENCIES.has(c)) {
        if (!found(c)) return { error: "two different currencies" };
      } else return { error: `unknown currency ${c}` };
      s = (code[1] ? s.slice(code[0].length) : s.slice(0, s.length - code[0].length)).trim();
      again = true;
      continue;
    }
    for (const [symbol, c] of SYMBOLS) {
      if (s.startsWith(symbol) || s.startsWith(`-${symbol}`) || s.startsWith(`(${symbol}`)) {
        if (!found(c)) return { error: "two different currencies" };
        s = s.replace(symbol, "").trim();
        again = true;
        break;
      }
      if (s.endsWith(symbol)) {
        if (!found(c)) return { error: "two different currencies" };
        s = s.slice(0, s.length - symbol.length).trim();
        again = true;
        break;
      }
    }
  }
  return { rest: s, currency };
}

const PLAIN = /^-?\d{1,20}(\.\d{1,20})?$/;

/** Parses a cell into an exact decimal string. */
export function parseLenientNumber(raw: string | number): NumberResult {
  if (typeof raw === "number") {
    if (!Number.isFinite(raw)) return { ok: false, reason: "not a finite number" };
    return { ok: true, number: { value: new Decimal(raw).toFixed(), isPercent: false } };
  }
  // Most cells are plain numbers: skip the rules for them.
  if (PLAIN.test(raw)) {
    const simple = !/^-?0\d/.test(raw) && !/\.\d*0$/.test(raw) && raw !== "-0";
    return { ok: true, number: { value: simple ? raw : new Decimal(raw).toFixed(), isPercent: false } };
  }
  let s = raw.normalize("NFKC").trim().replace(/[\u2212\u2012\u2013]/g, "-");
  if (s === "") return { ok: false, reason: "empty" };
  const cur = takeCurrency(s);
  if ("error" in cur) return { ok: false, reason: cur.error };
  s = cur.rest;
  let negative = false;
  const paren = /^\((.*)\)$/.exec(s);
  if (paren) {
    negative = true;
    s = paren[1]!.trim();
  }
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = negative !== s.startsWith("-");
    s = s.slice(1).trim();
  }
  // A symbol may also sit between the sign and the digits: "-$1,234" / "($1,234)".
  const inner = takeCurrency(s);
  if ("error" in inner) return { ok: false, reason: inner.error };
  if (inner.currency && cur.currency && inner.currency !== cur.currency) return { ok: false, reason: "two different currencies" };
  s = inner.rest;
  const currency = cur.currency ?? inner.currency;
  let isPercent = false;
  if (s.endsWith("%")) {
    isPercent = true;
    s = s.slice(0, -1).trim();
  }
  let multiplier = 1;
  if (s.endsWith("万")) multiplier = 1e4;
  else if (s.endsWith("亿")) multiplier = 1e8;
  if (multiplier !== 1) s = s.slice(0, -1).trim();
  s = s.replace(/[\s'_\u00a0\u2009\u202f]/g, "");
  const digits = normaliseSeparators(s);
  if (digits === null) return { ok: false, reason: `not a number: ${raw}` };
  let value = new Decimal(digits).times(multiplier);
  if (negative) value = value.negated();
  return { ok: true, number: { value: value.toFixed(), currency, isPercent } };
}

function normaliseSeparators(s: string): string | null {
  const hasComma = s.includes(",");
  const hasDot = s.includes(".");
  let out = s;
  if (hasComma && hasDot) {
    const decimalSep = s.lastIndexOf(",") > s.lastIndexOf(".") ? "," : ".";
    const thousands = decimalSep === "," ? "." : ",";
    const [intPart, frac, extra] = s.split(decimalSep);
    if (extra !== undefined || intPart === undefined) return null;
    if (!new RegExp(`^\\d{1,3}(\\${thousands}\\d{3})+$`).test(intPart)) return null;
    out = `${intPart.split(thousands).join("")}.${frac}`;
  } else if (hasComma) {
    if (/^\d{1,3}(,\d{3})+$/.test(s)) out = s.replace(/,/g, "");
    else if (/^\d*,\d+$/.test(s)) out = s.replace(",", ".");
    else return null;
  } else if (hasDot && s.indexOf(".") !== s.lastIndexOf(".")) {
    if (/^\d{1,3}(\.\d{3})+$/.test(s)) out = s.replace(/\./g, "");
    else return null;
  }
  if (/^\.\d+$/.test(out)) out = `0${out}`;
  return /^\d+(\.\d+)?$/.test(out) ? out : null;
}
