/**
 * List figure: a two-clause condition, a sort and 50-row keyset pages over HTTP, through the product's
 * real list endpoint with a bearer token, against the floor server running the same SQL.
 * The client walks `pages` pages following nextCursor, then starts again at page one; product and
 * floor run in alternating blocks so that load from elsewhere on the machine hits both alike.
 */
import Database from "better-sqlite3";
import { startFloorServer } from "./floor-server";
import { createClient, log, percentile, type Client } from "./measure";
import type { ProductApp } from "./product";
import { captureSql, type CapturedQuery } from "./sql-capture";

export const LIST_FILTER = {
  all: [
    { field: "stage", op: "eq", value: "Engaging" },
    { field: "amount", op: "gte", value: 10000 },
  ],
};
export const LIST_SORT = "-close_date";
const PAGE_SIZE = 50;

type Stat = { p50: number; p99: number };
export type ListFigures = { product: Stat; floor: Stat; hand: Stat; requests: number; pages: number; sql: string };

/**
 * The same question written by hand, for reference and as an independent check of the product's
 * pages: stage and amount (USD cents) filtered, then keyset pages on (close_date desc, id asc),
 * the order the product uses, with the cursor as a plain row comparison.
 */
const HAND_COLUMNS = `id, created_at, created_by, updated_at, updated_by, version, deleted_at, name, account_id, stage, amount, amount_currency,
  close_date, engage_date, probability, sales_mode, owner_id, region_id, next_step, description, external_id`;
const HAND_FIRST = `select ${HAND_COLUMNS} from obj_opportunity
where deleted_at is null and stage = ? and amount_currency = 'USD' and amount >= ?
order by close_date desc, id asc limit ${PAGE_SIZE}`;
const HAND_NEXT = `select ${HAND_COLUMNS} from obj_opportunity
where deleted_at is null and stage = ? and amount_currency = 'USD' and amount >= ? and (close_date < ? or (close_date = ? and id > ?))
order by close_date desc, id asc limit ${PAGE_SIZE}`;

function handPages(dbFile: string, pages: Page[]): CapturedQuery[][] {
  const db = new Database(dbFile, { readonly: true });
  try {
    const params: unknown[][] = [];
    const out: CapturedQuery[][] = [];
    const base = ["Engaging", 10000 * 100];
    let last: { close_date: string | null; id: string } | undefined;
    for (let i = 0; i < pages.length; i++) {
      const sql = last ? HAND_NEXT : HAND_FIRST;
      const p = last ? [...base, last.close_date, last.close_date, last.id] : base;
      const rows = db.prepare(sql).all(p) as { close_date: string | null; id: string }[];
      if (rows.map((r) => r.id).join() !== pages[i]!.ids.join())
        throw new Error(`Page ${i + 1} of the product differs from the same query written by hand: the list endpoint returns wrong rows.`);
      params.push(p);
      out.push([{ sql, params: p }]);
      last = rows[rows.length - 1];
    }
    return out;
  } finally {
    db.close();
  }
}

type Page = { path: string; ids: string[] };

function listPath(cursor: string | null): string {
  const q = new URLSearchParams({ filter: JSON.stringify(LIST_FILTER), sort: LIST_SORT, limit: String(PAGE_SIZE) });
  if (cursor) q.set("cursor", cursor);
  return `/api/objects/opportunity/records?${q.toString()}`;
}

/** Walks the pages once through the product, capturing the SQL each page runs on obj_opportunity. */
async function walk(client: Client, pages: number): Promise<{ pages: Page[]; sql: CapturedQuery[][] }> {
  const capture = captureSql(/\bobj_opportunity\b/);
  const out: Page[] = [];
  const sql: CapturedQuery[][] = [];
  try {
    let cursor: string | null = null;
    for (let i = 0; i < pages; i++) {
      const path = listPath(cursor);
      const res = await client.get(path);
      if (res.status !== 200) throw new Error(`The product's list endpoint answered ${res.status}: ${res.body.slice(0, 300)}`);
      const body = JSON.parse(res.body) as { records: { id: string }[]; nextCursor: string | null };
      if (body.records.length !== PAGE_SIZE) throw new Error(`Page ${i + 1} has ${body.records.length} records, expected ${PAGE_SIZE}: seed more rows.`);
      out.push({ path, ids: body.records.map((r) => r.id) });
      sql.push(capture.take());
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
  } finally {
    capture.stop();
  }
  if (sql.some((q) => q.length === 0)) throw new Error("No SQL on obj_opportunity was seen during a list request: is the product running in this process on SQLite?");
  return { pages: out, sql };
}

export async function benchList(product: ProductApp, dbFile: string, opts: { requests: number; warmup: number; pages: number }): Promise<ListFigures> {
  const client = createClient(product.baseUrl, { authorization: `Bearer ${product.token}` });
  const { pages, sql } = await walk(client, opts.pages);
  const hand = handPages(dbFile, pages);
  const floor = await startFloorServer(dbFile, [...sql, ...hand]);
  const floorClient = createClient(floor.baseUrl);
  try {
    // The floor must answer the same question: same rows, same order.
    for (let i = 0; i < pages.length; i++) {
      const res = await floorClient.get(`/q/${i}`);
      const rows = (JSON.parse(res.body) as { records: { id: string }[] }).records;
      const ids = rows.slice(0, PAGE_SIZE).map((r) => r.id);
      if (ids.join() !== pages[i]!.ids.join()) throw new Error(`The floor's page ${i + 1} differs from the product's: the captured SQL is not the list query.`);
    }
    const productMs: number[] = [];
    const floorMs: number[] = [];
    const handMs: number[] = [];
    const runBlock = async (n: number, offset: number, into: number[] | null) => {
      for (let k = 0; k < n; k++) {
        const page = (offset + k) % pages.length;
        const res = await client.get(pages[page]!.path);
        if (res.status !== 200) throw new Error(`list answered ${res.status}`);
        into?.push(res.ms);
      }
    };
    // Queries 0..pages-1 are the product's SQL, pages..2*pages-1 the hand-written one.
    const runFloorBlock = async (n: number, offset: number, into: number[] | null, first = 0) => {
      for (let k = 0; k < n; k++) {
        const res = await floorClient.get(`/q/${first + ((offset + k) % pages.length)}`);
        if (res.status !== 200) throw new Error(`floor answered ${res.status}`);
        into?.push(res.ms);
      }
    };
    log(`  list: warm-up ${opts.warmup} + ${opts.requests} requests per side, ${pages.length} keyset pages`);
    await runBlock(opts.warmup, 0, null);
    await runFloorBlock(opts.warmup, 0, null);
    await runFloorBlock(opts.warmup, 0, null, pages.length);
    const blocks = 10;
    const perBlock = Math.ceil(opts.requests / blocks);
    for (let b = 0; b < blocks; b++) {
      await runBlock(perBlock, b * perBlock, productMs);
      await runFloorBlock(perBlock, b * perBlock, floorMs);
      await runFloorBlock(perBlock, b * perBlock, handMs, pages.length);
    }
    const stat = (xs: number[]): Stat => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) });
    return {
      product: stat(productMs),
      floor: stat(floorMs),
      hand: stat(handMs),
      requests: productMs.length,
      pages: pages.length,
      sql: sql[1]?.map((q) => q.sql).join(";\n") ?? sql[0]!.map((q) => q.sql).join(";\n"),
    };
  } finally {
    client.close();
    floorClient.close();
    await floor.close();
  }
}
