/**
 * Aggregate figure: count and sum of amount by stage and close month over every opportunity, through
 * the product's aggregate endpoint, against the raw SQL: the SQL the product ran (captured), served
 * by the floor server. A hand-written query gives the independent totals the product's answer must
 * match, and a second floor line shows what the plainest SQL costs.
 */
import { startFloorServer } from "./floor-server";
import { createClient, log, percentile } from "./measure";
import type { ProductApp } from "./product";
import { captureSql } from "./sql-capture";

const AGG_PATH = "/api/objects/opportunity/aggregate?groupBy=stage,close_date:month&metrics=count,sum:amount";
export const HAND_SQL = `select stage, substr(close_date, 1, 7) as month, amount_currency as currency, count(*) as count, sum(amount) as sum_minor
from obj_opportunity where deleted_at is null group by stage, month, currency`;

export type AggregateFigures = {
  product: { p50: number; max: number };
  floor: { p50: number; max: number };
  hand: { p50: number; max: number };
  runs: number;
  groups: number;
  sql: string;
};

type ProductRow = { group: Record<string, unknown>; values: Record<string, unknown> };
type HandRow = { stage: string; month: string; currency: string | null; count: number; sum_minor: number | null };

/** Totals per stage and month from both answers must agree (counts exactly; sums in cents). */
function checkTotals(productRows: ProductRow[], handRows: HandRow[]): void {
  const key = (stage: unknown, month: unknown) => `${String(stage)}|${String(month)}`;
  const want = new Map<string, { count: number; cents: number }>();
  for (const r of handRows) {
    const k = key(r.stage, r.month);
    const w = want.get(k) ?? { count: 0, cents: 0 };
    w.count += r.count;
    w.cents += r.sum_minor ?? 0;
    want.set(k, w);
  }
  const got = new Map<string, { count: number; cents: number }>();
  for (const r of productRows) {
    const k = key(r.group.stage, r.group["close_date:month"]);
    const g = got.get(k) ?? { count: 0, cents: 0 };
    g.count += Number(r.values.count);
    const sum = r.values["sum:amount"] as { amount: string } | null | undefined;
    // Amounts are decimal strings at USD's scale (2): "1234.50" -> 123450 cents, without floats.
    if (sum) g.cents += Number(sum.amount.replace(".", ""));
    got.set(k, g);
  }
  for (const [k, w] of want) {
    const g = got.get(k);
    if (!g || g.count !== w.count || g.cents !== w.cents)
      throw new Error(`The product's aggregate disagrees with raw SQL for ${k}: product ${JSON.stringify(g)}, SQL ${JSON.stringify(w)}.`);
  }
}

export async function benchAggregate(product: ProductApp, dbFile: string, opts: { runs: number }): Promise<AggregateFigures> {
  const client = createClient(product.baseUrl, { authorization: `Bearer ${product.token}` });
  const capture = captureSql(/\bobj_opportunity\b/);
  let first;
  try {
    first = await client.get(AGG_PATH);
  } finally {
    capture.stop();
  }
  if (first.status !== 200) throw new Error(`The product's aggregate endpoint answered ${first.status}: ${first.body.slice(0, 300)}`);
  const productRows = (JSON.parse(first.body) as { rows: ProductRow[] }).rows;
  const captured = capture.take();
  if (captured.length === 0) throw new Error("No SQL on obj_opportunity was seen during the aggregate request.");
  const floor = await startFloorServer(dbFile, [captured, [{ sql: HAND_SQL, params: [] }]]);
  const floorClient = createClient(floor.baseUrl);
  try {
    const hand = await floorClient.get("/q/1");
    checkTotals(productRows, (JSON.parse(hand.body) as { records: HandRow[] }).records);
    const p: number[] = [];
    const f: number[] = [];
    const h: number[] = [];
    log(`  aggregate: ${opts.runs} runs per side`);
    for (let i = 0; i < opts.runs; i++) {
      p.push((await client.get(AGG_PATH)).ms);
      f.push((await floorClient.get("/q/0")).ms);
      h.push((await floorClient.get("/q/1")).ms);
    }
    const stat = (xs: number[]) => ({ p50: percentile(xs, 50), max: Math.max(...xs) });
    return { product: stat(p), floor: stat(f), hand: stat(h), runs: opts.runs, groups: productRows.length, sql: captured.map((q) => q.sql).join(";\n") };
  } finally {
    client.close();
    floorClient.close();
    await floor.close();
  }
}
