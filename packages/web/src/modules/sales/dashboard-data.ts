/** Dashboard figures from the aggregate API: pure shaping here, fetching in use-dashboard. */
import type { FieldDef } from "@revline/core";
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
