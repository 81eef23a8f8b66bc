/**
 * Sorting by a currency field orders by the amount's value, as filters compare it, whatever the
 * scale of each row's currency (JPY 0 decimals, USD 2, KWD 3), and keyset pages walk that order.
 * A field whose accepted currencies share one scale sorts by the raw column.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, setupPlatform, testCtx, type TestDb } from "../../../test/db";
import { createObject } from "../metadata";
import { bulkUpsert, listRecords, type RecordData, type SortSpec } from ".";
import { sortKeys } from "./cursor";
import { requireShape } from "./shape";

let t: TestDb;
const L = (en: string) => ({ en, zh: en });

// Stored minor units: a 900, b 500, c 1000, d 1234, e 5, f 500, g null. Sorting those raw would give
// g, e, b/f, a, c, d: JPY 5 first and 12.34 USD above 900 JPY, which is what this fixes.
const deals = [
  { code: "a", price: { amount: "900", currency: "JPY" } },
  { code: "b", price: { amount: "5.00", currency: "USD" } },
  { code: "c", price: { amount: "1.000", currency: "KWD" } },
  { code: "d", price: { amount: "12.34", currency: "USD" } },
  { code: "e", price: { amount: "5", currency: "JPY" } },
  { code: "f", price: { amount: "0.5", currency: "KWD" } },
  { code: "g", price: null },
];

beforeAll(async () => {
  t = await createTestDb();
  await setupPlatform(t.db);
  const ctx = testCtx(t.db);
  await createObject(ctx, {
    name: "deal_x",
    label: L("Deal"),
    labelPlural: L("Deals"),
    fields: [
      { name: "code", type: "text", unique: true, label: L("Code") },
      { name: "price", type: "currency", label: L("Price") },
      { name: "fee", type: "currency", currency: "EUR", currencies: ["EUR", "USD", "CNY"], label: L("Fee") },
    ],
  });
  await bulkUpsert(ctx, "deal_x", deals, { key: "code" });
});
afterAll(async () => t?.close());

async function walk(sort: SortSpec[], limit: number): Promise<string[]> {
  const out: RecordData[] = [];
  let cursor: string | null = null;
  do {
    const page = await listRecords(testCtx(t.db), "deal_x", { sort, limit, cursor, fields: ["code"] });
    out.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor);
  return out.map((r) => r.code as string);
}

describe("sorting by a currency field", () => {
  it("orders by value across scales (NULL smallest), ascending and descending", async () => {
    // By hand, value at 4 digits = minor units * 10^(4 - scale):
    //   a 900 * 10^4 = 9000000, b 500 * 100 = 50000, c 1000 * 10 = 10000, d 1234 * 100 = 123400,
    //   e 5 * 10^4 = 50000, f 500 * 10 = 5000, g null.
    // Ascending: g(null), f 5000, c 10000, b 50000 / e 50000 (tie -> id order: b before e), d 123400, a 9000000.
    const asc = ["g", "f", "c", "b", "e", "d", "a"];
    expect(await walk([{ field: "price" }], 100)).toEqual(asc);
    // Descending: a, d, then the tie b / e by id ascending (the id tiebreak is always ascending), c, f, g (NULL last).
    expect(await walk([{ field: "price", desc: true }], 100)).toEqual(["a", "d", "b", "e", "c", "f", "g"]);
  });

  it("keyset pages of 1 and 2 rows walk the same order", async () => {
    expect(await walk([{ field: "price" }], 1)).toEqual(["g", "f", "c", "b", "e", "d", "a"]);
    expect(await walk([{ field: "price", desc: true }], 2)).toEqual(["a", "d", "b", "e", "c", "f", "g"]);
  });

  it("agrees with the filter's comparison of amounts", async () => {
    // price >= 5 USD-equivalent at the field's default scale: 5 -> 50000 in 4-digit units: b, e, d, a.
    const page = await listRecords(testCtx(t.db), "deal_x", { filter: { field: "price", op: "gte", value: 5 }, sort: [{ field: "price" }], fields: ["code"] });
    expect(page.records.map((r) => r.code)).toEqual(["b", "e", "d", "a"]);
  });

  it("sorts a single-scale field by its raw column, and refuses a currency it does not accept", async () => {
    const shape = requireShape(testCtx(t.db), "deal_x");
    const [fee] = sortKeys(shape, [{ field: "fee" }]);
    const [price] = sortKeys(shape, [{ field: "price" }]);
    expect(fee).toMatchObject({ column: "fee", scaled: false, columns: ["fee"] });
    expect(price).toMatchObject({ column: "price", scaled: true, columns: ["price", "price_currency"] });
    await bulkUpsert(testCtx(t.db), "deal_x", [
      { code: "a", fee: { amount: "3.10", currency: "USD" } },
      { code: "b", fee: { amount: "2.50", currency: "CNY" } },
      { code: "c", fee: "10" },
    ], { key: "code" });
    // Raw minor units: a 310, b 250, c 1000 (EUR default); others null.
    expect(await walk([{ field: "fee" }, { field: "code" }], 2)).toEqual(["d", "e", "f", "g", "b", "a", "c"]);
    await expect(bulkUpsert(testCtx(t.db), "deal_x", [{ code: "h", fee: { amount: "1", currency: "JPY" } }], { key: "code" })).rejects.toMatchObject({
      details: [{ row: 0, field: "fee", reason: "currency JPY is not accepted here (EUR, USD, CNY)" }],
    });
  });
});
