/**
 * List figure: a two-clause condition, a sort and 50-row keyset pages over HTTP, through the product's
 * real list endpoint with a bearer token, against the floor server running the same SQL.
 * The question is a rep's pipeline: "deals of owner X closing from 2025 on, latest first". X is the
 * owner with the median number of deals. The client walks up to `pages` pages following nextCursor,
 * then starts again at page one; product and floor run in alternating blocks so that load from
 * elsewhere on the machine hits both alike.
 */
import Database from "better-sqlite3";
import { startFloorServer } from "./floor-server";
import { createClient, log, now, percentile, type Client } from "./measure";
import type { ProductApp } from "./product";
import { captureSql, type CapturedQuery } from "./sql-capture";

const CLOSE_FROM = "2025-01-01";
const LIST_SORT = "-close_date";
const PAGE_SIZE = 50;
const BLOCK = 50;

type Stat = { p50: number; p99: number };
export type ListFigures = { product: Stat; floor: Stat; hand: Stat; requests: number; pages: number; sql: string; owner: string };

type Page = { path: string; ids: string[] };

/**
 * The same question written by hand, for reference and as an independent check of the product's
 * pages: keyset pages on (close_date desc, id asc), the order the product uses, with the cursor as
 * a plain row comparison.
 */
const HAND_COLUMNS = `id, created_at, created_by, updated_at, updated_by, version, deleted_at, name, account_id, stage, amount, amount_currency,
  close_date, engage_date, probability, sales_mode, owner_id, region_id, next_step, description, external_id`;
const HAND_WHERE = "deleted_at is null and owner_id = ? and close_date >= ?";
const HAND_FIRST = `select ${HAND_COLUMNS} from obj_opportunity where ${HAND_WHERE} order by close_date desc, id asc limit ${PAGE_SIZE}`;
const HAND_NEXT = `select ${HAND_COLUMNS} from obj_opportunity where ${HAND_WHERE} and (close_date < ? or (close_date = ? and id > ?))
order by close_date desc, id asc limit ${PAGE_SIZE}`;

export function medianOwner(dbFile: string): { id: string; name: string } {
  const db = new Database(dbFile, { readonly: true });
  try {
    const rows = db
      .prepare(`select o.owner_id as id, u.name as name, count(*) as n from obj_opportunity o join obj_user u on u.id = o.owner_id group by o.owner_id order by n, o.owner_id`)
      .all() as { id: string; name: string }[];
    const median = rows[Math.floor(rows.length / 2)];
    if (!median) throw new Error("The benchmark database has no opportunities.");
    return median;
  } finally {
    db.close();
  }
}

function handPages(dbFile: string, owner: string, pages: Page[]): CapturedQuery[][] {
  const db = new Database(dbFile, { readonly: true });
  try {
    const out: CapturedQuery[][] = [];
    let last: { close_date: string; id: string } | undefined;
    for (let i = 0; i < pages.length; i++) {
      const sql = last ? HAND_NEXT : HAND_FIRST;
      const params = last ? [owner, CLOSE_FROM, last.close_date, last.close_date, last.id] : [owner, CLOSE_FROM];
      const rows = db.prepare(sql).all(params) as { close_date: string; id: string }[];
      if (rows.map((r) => r.id).join() !== pages[i]!.ids.join())
        throw new Error(`Page ${i + 1} of the product differs from the same query written by hand: the list endpoint returns wrong rows.`);
      out.push([{ sql, params }]);
      last = rows[rows.length - 1];
    }
    return out;
  } finally {
    db.close();
  }
}

export function listPath(owner: string, cursor: string | null): string {
  const filter = {
    all: [
      { field: "owner", op: "eq", value: owner },
      { field: "close_date", op: "gte", value: CLOSE_FROM },
    ],
  };
  const q = new URLSearchParams({ filter: JSON.stringify(filter), sort: LIST_SORT, limit: String(PAGE_SIZE) });
  if (cursor) q.set("cursor", cursor);
  return `/api/objects/opportunity/records?${q.toString()}`;
}

/** Walks the full pages once through the product, capturing the SQL each page runs on obj_opportunity. */
async function walk(client: Client, owner: string, pages: number): Promise<{ pages: Page[]; sql: CapturedQuery[][] }> {
  const capture = captureSql(/\bobj_opportunity\b/);
  const out: Page[] = [];
  const sql: CapturedQuery[][] = [];
  try {
    let cursor: string | null = null;
    for (let i = 0; i < pages; i++) {
      const path = listPath(owner, cursor);
      const res = await client.get(path);
      if (res.status !== 200) throw new Error(`The product's list endpoint answered ${res.status}: ${res.body.slice(0, 300)}`);
      const body = JSON.parse(res.body) as { records: { id: string }[]; nextCursor: string | null };
      const queries = capture.take();
      if (body.records.length < PAGE_SIZE) break;
      out.push({ path, ids: body.records.map((r) => r.id) });
      sql.push(queries);
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
  } finally {
    capture.stop();
  }
  if (out.length === 0) throw new Error(`The list has less than one full page of ${PAGE_SIZE}: seed more rows.`);
  if (sql.some((q) => q.length === 0)) throw new Error("No SQL on obj_opportunity was seen during a list request: is the product running in this process on SQLite?");
  return { pages: out, sql };
}

export async function benchList(
  product: ProductApp,
  dbFile: string,
  opts: { requests: number; warmup: number; pages: number; budgetSeconds: number },
): Promise<ListFigures> {
  const owner = medianOwner(dbFile);
  const client = createClient(product.baseUrl, { authorization: `Bearer ${product.token}` });
  const { pages, sql } = await walk(client, owner.id, opts.pages);
  const hand = handPages(dbFile, owner.id, pages);
  // Queries 0..n-1 are the SQL the product ran, n..2n-1 the hand-written SQL.
  const floor = await startFloorServer(dbFile, [...sql, ...hand]);
  const floorClient = createClient(floor.baseUrl);
  try {
    for (let i = 0; i < pages.length; i++) {
      const rows = (JSON.parse((await floorClient.get(`/q/${i}`)).body) as { records: { id: string }[] }).records;
      if (rows.slice(0, PAGE_SIZE).map((r) => r.id).join() !== pages[i]!.ids.join())
        throw new Error(`The floor's page ${i + 1} differs from the product's: the captured SQL is not the list query.`);
    }
    const productMs: number[] = [];
    const floorMs: number[] = [];
    const handMs: number[] = [];
    const product = async (n: number, offset: number, into: number[] | null) => {
      for (let k = 0; k < n; k++) {
        const res = await client.get(pages[(offset + k) % pages.length]!.path);
        if (res.status !== 200) throw new Error(`list answered ${res.status}`);
        into?.push(res.ms);
      }
    };
    const floorSide = async (n: number, offset: number, into: number[] | null, first: number) => {
      for (let k = 0; k < n; k++) {
        const res = await floorClient.get(`/q/${first + ((offset + k) % pages.length)}`);
        if (res.status !== 200) throw new Error(`floor answered ${res.status}`);
        into?.push(res.ms);
      }
    };
    log(`  list: owner ${owner.name}, ${pages.length} keyset pages; warm-up ${opts.warmup}, then up to ${opts.requests} requests per side (${opts.budgetSeconds} s budget)`);
    await product(opts.warmup, 0, null);
    await floorSide(opts.warmup, 0, null, 0);
    await floorSide(opts.warmup, 0, null, pages.length);
    const start = now();
    let offset = 0;
    while (productMs.length < opts.requests && (now() - start) / 1000 < opts.budgetSeconds) {
      await product(BLOCK, offset, productMs);
      await floorSide(BLOCK, offset, floorMs, 0);
      await floorSide(BLOCK, offset, handMs, pages.length);
      offset += BLOCK;
    }
    const stat = (xs: number[]): Stat => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) });
    return {
      product: stat(productMs),
      floor: stat(floorMs),
      hand: stat(handMs),
      requests: productMs.length,
      pages: pages.length,
      sql: (sql[1] ?? sql[0]!).map((q) => q.sql).join(";\n"),
      owner: owner.name,
    };
  } finally {
    client.close();
    floorClient.close();
    await floor.close();
  }
}
