import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppError, type AppError } from "@revline/core";
import { createTestDb, setupPlatform, testCtx, type TestDb } from "../../../test/db";
import { aggregate, bulkUpsert, deleteRecord, listRecords } from ".";

let t: TestDb;
const deals = [
  { external_id: "d1", name: "d1", stage: "Won", amount: "100.10", close_date: "2024-01-15", probability: 10 },
  { external_id: "d2", name: "d2", stage: "Won", amount: "200.05", close_date: "2024-01-31", probability: 20.5 },
  { external_id: "d3", name: "d3", stage: "Won", amount: "0.01", close_date: "2024-04-01", probability: null },
  { external_id: "d4", name: "d4", stage: "Lost", amount: "50.00", close_date: "2024-03-31", probability: 0 },
  { external_id: "d5", name: "d5", stage: "Lost", amount: null, close_date: null, probability: 5 },
  { external_id: "d6", name: "d6", stage: "Won", amount: { amount: "1000", currency: "JPY" }, close_date: "2024-02-10", probability: 99.99 },
  { external_id: "d7", name: "d7", stage: "Engaging", amount: "33.33", close_date: "2023-12-31", probability: 50 },
  { external_id: "d8", name: "d8 (deleted)", stage: "Won", amount: "999.99", close_date: "2024-01-01", probability: 1 },
];

beforeAll(async () => {
  t = await createTestDb();
  await setupPlatform(t.db);
  const ctx = testCtx(t.db);
  const r = await bulkUpsert(ctx, "opportunity", deals, { key: "external_id" });
  await deleteRecord(ctx, "opportunity", r.ids[7]!);
});
afterAll(async () => t?.close());

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error("expected an AppError");
}

describe("aggregate", () => {
  it("counts without groups (deleted records excluded)", async () => {
    const r = await aggregate(testCtx(t.db), "opportunity", { metrics: [{ fn: "count" }] });
    expect(r.rows).toEqual([{ group: {}, values: { count: 7 } }]);
  });

  it("sums currency per stage, split by currency, with exact decimal strings", async () => {
    const r = await aggregate(testCtx(t.db), "opportunity", {
      groupBy: [{ field: "stage" }],
      metrics: [{ fn: "count" }, { fn: "sum", field: "amount" }, { fn: "avg", field: "amount" }, { fn: "max", field: "amount" }],
    });
    // By hand: Won USD = 100.10 + 200.05 + 0.01 = 300.16, avg 100.0533.. -> 100.05; Won JPY = 1000;
    // Lost USD = 50.00 (d5 has no amount: its own group with currency NULL); Engaging USD 33.33.
    expect(r.rows).toEqual([
      { group: { stage: "Engaging", amount_currency: "USD" }, values: { count: 1, "sum:amount": { amount: "33.33", currency: "USD" }, "avg:amount": { amount: "33.33", currency: "USD" }, "max:amount": { amount: "33.33", currency: "USD" } } },
      { group: { stage: "Lost", amount_currency: null }, values: { count: 1, "sum:amount": null, "avg:amount": null, "max:amount": null } },
      { group: { stage: "Lost", amount_currency: "USD" }, values: { count: 1, "sum:amount": { amount: "50.00", currency: "USD" }, "avg:amount": { amount: "50.00", currency: "USD" }, "max:amount": { amount: "50.00", currency: "USD" } } },
      { group: { stage: "Won", amount_currency: "JPY" }, values: { count: 1, "sum:amount": { amount: "1000", currency: "JPY" }, "avg:amount": { amount: "1000", currency: "JPY" }, "max:amount": { amount: "1000", currency: "JPY" } } },
      { group: { stage: "Won", amount_currency: "USD" }, values: { count: 3, "sum:amount": { amount: "300.16", currency: "USD" }, "avg:amount": { amount: "100.05", currency: "USD" }, "max:amount": { amount: "200.05", currency: "USD" } } },
    ]);
  });

  it("buckets dates into identical strings and groups by two fields", async () => {
    const ctx = testCtx(t.db);
    const month = await aggregate(ctx, "opportunity", { groupBy: [{ field: "close_date", bucket: "month" }], metrics: [{ fn: "count" }] });
    expect(month.rows.map((r) => [r.group["close_date:month"], r.values.count])).toEqual([
      [null, 1],
      ["2023-12", 1],
      ["2024-01", 2],
      ["2024-02", 1],
      ["2024-03", 1],
      ["2024-04", 1],
    ]);
    const quarter = await aggregate(ctx, "opportunity", {
      groupBy: [{ field: "stage" }, { field: "close_date", bucket: "quarter" }],
      metrics: [{ fn: "count" }, { fn: "sum", field: "probability" }, { fn: "avg", field: "probability" }],
      filter: { field: "close_date", op: "is_not_empty" },
    });
    // Won 2024-Q1: d1 10 + d2 20.5 + d6 99.99 = 130.49, avg 43.4966.. -> 43.50; Won 2024-Q2: d3 (probability NULL).
    expect(quarter.rows).toEqual([
      { group: { stage: "Engaging", "close_date:quarter": "2023-Q4" }, values: { count: 1, "sum:probability": 50, "avg:probability": 50 } },
      { group: { stage: "Lost", "close_date:quarter": "2024-Q1" }, values: { count: 1, "sum:probability": 0, "avg:probability": 0 } },
      { group: { stage: "Won", "close_date:quarter": "2024-Q1" }, values: { count: 3, "sum:probability": 130.49, "avg:probability": 43.5 } },
      { group: { stage: "Won", "close_date:quarter": "2024-Q2" }, values: { count: 1, "sum:probability": null, "avg:probability": null } },
    ]);
    const year = await aggregate(ctx, "opportunity", { groupBy: [{ field: "close_date", bucket: "year" }], metrics: [{ fn: "min", field: "close_date" }] });
    expect(year.rows.map((r) => [r.group["close_date:year"], r.values["min:close_date"]])).toEqual([
      [null, null],
      ["2023", "2023-12-31"],
      ["2024", "2024-01-15"],
    ]);
    const day = await aggregate(ctx, "opportunity", { groupBy: [{ field: "created_at", bucket: "day" }], metrics: [{ fn: "count" }] });
    expect(day.rows[0]!.group["created_at:day"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("rejects what it cannot compute with Invalid naming the field", async () => {
    const ctx = testCtx(t.db);
    expect((await failure(aggregate(ctx, "opportunity", { metrics: [{ fn: "sum", field: "name" }] }))).details[0]!.field).toBe("name");
    expect((await failure(aggregate(ctx, "opportunity", { groupBy: [{ field: "stage", bucket: "month" }], metrics: [{ fn: "count" }] }))).details[0]!.field).toBe("stage");
    expect((await failure(aggregate(ctx, "opportunity", { groupBy: [{ field: "ghost" }], metrics: [{ fn: "count" }] }))).details[0]!.field).toBe("ghost");
    expect((await failure(aggregate(ctx, "opportunity", { metrics: [] }))).kind).toBe("invalid");
    expect((await failure(aggregate(ctx, "opportunity", { groupBy: [{ field: "stage" }, { field: "owner" }, { field: "region" }], metrics: [{ fn: "count" }] }))).kind).toBe("invalid");
  });

  it("agrees with a sum computed from the listed records", async () => {
    const { records } = await listRecords(testCtx(t.db), "opportunity", { filter: { field: "stage", op: "eq", value: "Won" }, limit: 100 });
    const usdCents = records
      .map((r) => r.amount as { amount: string; currency: string } | null)
      .filter((m) => m?.currency === "USD")
      .reduce((s, m) => s + Math.round(Number(m!.amount) * 100), 0);
    expect(usdCents).toBe(30016);
  });
});
