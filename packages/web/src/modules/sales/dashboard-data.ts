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

export type Bucket = { key: string; count: number; sum: number; currency: string };

/** Folds aggregate rows by one group key (rows split per currency are added up per key). */
export function byGroup(rows: AggregateRow[], groupKey: string): Bucket[] {
  const m = new Map<string, Bucket>();
  for (const r of rows) {
    const key = text(r.group[groupKey]);
    const s = r.values["sum:amount"];
    const prev = m.get(key) ?? { key, count: 0, sum: 0, currency: "USD" };
    m.set(key, {
      key,
      count: prev.count + Number(r.values.count ?? 0),
      sum: prev.sum + amountOf(s),
      currency: isCurrencyValue(s) ? s.currency : prev.currency,
    });
  }
  return [...m.values()];
}

export function winRate(won: number, lost: number): number | null {
  return won + lost === 0 ? null : won / (won + lost);
}

/** Consecutive months between the first and last seen, so gaps show as zero rather than vanish. */
export function fillMonths(buckets: Bucket[]): Bucket[] {
  const keys = buckets.map((b) => b.key).filter((k) => /^\d{4}-\d{2}$/.test(k)).sort();
  if (keys.length === 0) return [];
  const out: Bucket[] = [];
  const [y0, m0] = keys[0]!.split("-").map(Number) as [number, number];
  const [y1, m1] = keys[keys.length - 1]!.split("-").map(Number) as [number, number];
  const currency = buckets[0]?.currency ?? "USD";
  for (let y = y0, m = m0; y < y1 || (y === y1 && m <= m1); m === 12 ? ((m = 1), y++) : m++) {
    const key = `${y}-${String(m).padStart(2, "0")}`;
    out.push(buckets.find((b) => b.key === key) ?? { key, count: 0, sum: 0, currency });
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

/** Won revenue and win rate per region from rows grouped by (region, owner), with the same attribution rule. */
export function summariseRegions(wonRows: AggregateRow[], lostRows: AggregateRow[], ownerRegion: Map<string, string>): RegionSummary[] {
  const m = new Map<string, { wonSum: number; won: number; lost: number }>();
  const keyOf = (r: AggregateRow) => text(r.group.region) || ownerRegion.get(text(r.group.owner)) || "";
  for (const r of wonRows) {
    const x = m.get(keyOf(r)) ?? { wonSum: 0, won: 0, lost: 0 };
    x.won += Number(r.values.count ?? 0);
    x.wonSum += amountOf(r.values["sum:amount"]);
    m.set(keyOf(r), x);
  }
  for (const r of lostRows) {
    const x = m.get(keyOf(r)) ?? { wonSum: 0, won: 0, lost: 0 };
    x.lost += Number(r.values.count ?? 0);
    m.set(keyOf(r), x);
  }
  return [...m.entries()].map(([key, x]) => ({ key, ...x, rate: winRate(x.won, x.lost) })).sort((a, b) => b.wonSum - a.wonSum);
}
