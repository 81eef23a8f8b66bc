/**
 * ISO 4217 minor-unit scales. Only currencies whose scale is not 2 need an entry to be correct;
 * the common ones are listed anyway so that `isKnownCurrency` can help the UI. Unknown but
 * well-formed codes get scale 2 (the ISO default for most currencies).
 */
export const DEFAULT_CURRENCY_SCALE = 2;
/** Default currency of a currency field that declares none. */
export const DEFAULT_CURRENCY = "USD";

const SCALES: Record<string, number> = {
  // scale 2
  USD: 2, EUR: 2, CNY: 2, GBP: 2, HKD: 2, TWD: 2, SGD: 2, AUD: 2, CAD: 2, CHF: 2, NZD: 2, SEK: 2,
  NOK: 2, DKK: 2, PLN: 2, CZK: 2, HUF: 2, RUB: 2, INR: 2, IDR: 2, MYR: 2, THB: 2, PHP: 2, MXN: 2,
  BRL: 2, ARS: 2, ZAR: 2, TRY: 2, AED: 2, SAR: 2, ILS: 2, EGP: 2, NGN: 2, KES: 2, PKR: 2, MOP: 2,
  // scale 0
  JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, PYG: 0, UGX: 0, XAF: 0, XOF: 0, XPF: 0, KMF: 0, DJF: 0,
  GNF: 0, RWF: 0, VUV: 0, BIF: 0,
  // scale 3
  BHD: 3, KWD: 3, OMR: 3, JOD: 3, IQD: 3, LYD: 3, TND: 3,
  // scale 4
  CLF: 4, UYW: 4,
};

/** The largest scale any currency has: amounts of mixed currencies compare at this scale. */
export const MAX_CURRENCY_SCALE = 4;

export const CURRENCY_CODE_PATTERN = /^[A-Z]{3}$/;

export function isCurrencyCode(code: unknown): code is string {
  return typeof code === "string" && CURRENCY_CODE_PATTERN.test(code);
}

export function isKnownCurrency(code: string): boolean {
  return code in SCALES;
}

/** Digits after the decimal point for a currency (JPY 0, USD 2, KWD 3). */
export function currencyScale(code: string): number {
  return SCALES[code] ?? DEFAULT_CURRENCY_SCALE;
}

/** Known currency codes grouped by scale, for SQL that normalises mixed-scale amounts. */
export function currenciesByScale(): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const [code, scale] of Object.entries(SCALES)) {
    const list = out.get(scale) ?? [];
    list.push(code);
    out.set(scale, list);
  }
  return out;
}

/** Codes with a known scale (others are accepted with scale 2). */
export const KNOWN_CURRENCIES: readonly string[] = Object.keys(SCALES);
