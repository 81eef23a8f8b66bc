/** Dashboard figures from the aggregate API: pure shaping here, fetching in use-dashboard. */
import type { Condition, FieldDef } from "@revline/core";
import type { AggregateRow } from "../../api/records";
import { amountOf } from "../../api/records";
import { isCurrencyValue, text } from "../../platform/format";

/** Which picklist values mean won and lost. The demo keeps its own stage names; match them loosely. */
export function outcomeStages(stage: FieldDef | undefined): { won: string | undefined; lost: string | undefined; open: string[] } {
  const values = (stage?.options ?? []).map((o) => o.value);
  const won = values.find((v) => /^(closed[\s_-]?)?won$/i.test(v));
  const lost = values.find((v) => /^(closed[\s_-]?)?lost$/i.test(v));
  return { won, lost, open: values.filter((v) => v !== won && v !== lost) };
}

/** count: every deal in the group; sum: amounts in the reporting currency only; moneyCount: the deals in that sum. */
export type Bucket = { key: string; count: number; sum: number; moneyCount: number; currency: string };

/** The currency of an aggregate row: its group's `<field>_currency`, else the currency of its sum (null when it has no amount). */
export function rowCurrency(r: AggregateRow, field = "amount"): string | null {
  const c = r.group[`${field}_currency`];
  if (typeof c === "string" && c) return c;
  const s = r.values[`sum:${field}`];
  return isCurrencyValue(s) ? s.currency : null;
}

/** The currency that most deals are in (by row counts); money figures report in it alone. */
export function reportingCurrency(rows: AggregateRow[], fallback = "USD"): string {
  const n = new Map<string, number>();
  for (const r of rows) {
    const c = rowCurrency(r);
    if (c) n.set(c, (n.get(c) ?? 0) + Number(r.values.count ?? 0));
  }
  return [...n.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? fallback;
}

export type CurrencySum = { currency: string; count: number; sum: number };

/** Deal count and amount per currency (rows without an amount are left out), most deals first, then largest amount. */
export function sumsByCurrency(rows: AggregateRow[]): CurrencySum[] {
  const m = new Map<string, CurrencySum>();
  for (const r of rows) {
    const c = rowCurrency(r);
    if (!c) continue;
    const x = m.get(c) ?? { currency: c, count: 0, sum: 0 };
    x.count += Number(r.values.count ?? 0);
    x.sum += amountOf(r.values["sum:amount"]);
    m.set(c, x);
  }
  return [...m.values()].sort((a, b) => b.count - a.count || b.sum - a.sum || a.currency.localeCompare(b.currency));
}

/** What a chart in `currency` leaves out: the other currencies' deals and amounts. */
export function excludedCurrencies(rows: AggregateRow[], currency: string): CurrencySum[] {
  return sumsByCurrency(rows).filter((x) => x.currency !== currency);
}

/** Folds aggregate rows by one group key: counts every row, sums only amounts in `currency` (never mixing currencies). */
export function byGroup(rows: AggregateRow[], groupKey: string, currency = "USD"): Bucket[] {
  const m = new Map<string, Bucket>();
  for (const r of rows) {
    const key = text(r.group[groupKey]);
    const prev = m.get(key) ?? { key, count: 0, sum: 0, moneyCount: 0, currency };
    const n = Number(r.values.count ?? 0);
    const inCurrency = rowCurrency(r) === currency;
    m.set(key, {
      ...prev,
      count: prev.count + n,
      sum: prev.sum + (inCurrency ? amountOf(r.values["sum:amount"]) : 0),
      moneyCount: prev.moneyCount + (inCurrency ? n : 0),
    });
  }
  return [...m.values()];
}

export function winRate(won: number, lost: number): number | null {
  return won + lost === 0 ? null : won / (won + lost);
}

const monthIndex = (key: string) => {
  const [y, m] = key.split("-").map(Number) as [number, number];
  return y * 12 + (m - 1);
};
const monthKey = (i: number) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;

/**
 * Consecutive months (gaps as zero) from the first to the last month with data, at most `max` months ending at
 * the last one; within that window the axis starts at the first month that has data.
 */
export function fillMonths(buckets: Bucket[], max = 24): Bucket[] {
  const keys = buckets.map((b) => b.key).filter((k) => /^\d{4}-\d{2}$/.test(k)).sort();
  if (keys.length === 0) return [];
  const last = monthIndex(keys[keys.length - 1]!);
  const first = monthIndex(keys.find((k) => monthIndex(k) > last - max)!);
  const currency = buckets[0]?.currency ?? "USD";
  const out: Bucket[] = [];
  for (let i = first; i <= last; i++) {
    const key = monthKey(i);
    out.push(buckets.find((b) => b.key === key) ?? { key, count: 0, sum: 0, moneyCount: 0, currency });
  }
  return out;
}

/**
 * Deals of a region: the deal's own region, or its owner's when the deal has none (data sets such as
 * the demo keep the regional office on the sales agent, not on each deal).
 */
export function regionCondition(regionId: string): Condition {
  return {
    any: [
      { field: "region", op: "eq", value: regionId },
      { all: [{ field: "region", op: "is_empty" }, { field: "owner.region", op: "eq", value: regionId }] },
    ],
  };
}

export type RegionSummary = { key: string; wonSum: number; won: number; lost: number; rate: number | null };

/** Won revenue (in `currency` only) and win rate per region from rows grouped by (region, owner), with the same attribution rule. */
export function summariseRegions(wonRows: AggregateRow[], lostRows: AggregateRow[], ownerRegion: Map<string, string>, currency = "USD"): RegionSummary[] {
  const m = new Map<string, { wonSum: number; won: number; lost: number }>();
  const keyOf = (r: AggregateRow) => text(r.group.region) || ownerRegion.get(text(r.group.owner)) || "";
  for (const r of wonRows) {
    const x = m.get(keyOf(r)) ?? { wonSum: 0, won: 0, lost: 0 };
    x.won += Number(r.values.count ?? 0);
    if (rowCurrency(r) === currency) x.wonSum += amountOf(r.values["sum:amount"]);
    m.set(keyOf(r), x);
  }
  for (const r of lostRows) {
    const x = m.get(keyOf(r)) ?? { wonSum: 0, won: 0, lost: 0 };
    x.lost += Number(r.values.count ?? 0);
    m.set(keyOf(r), x);
  }
  return [...m.entries()].map(([key, x]) => ({ key, ...x, rate: winRate(x.won, x.lost) })).sort((a, b) => b.wonSum - a.wonSum);
}
