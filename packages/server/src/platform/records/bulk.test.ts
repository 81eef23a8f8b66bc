import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppError, type AppError } from "@revline/core";
import { createTestDb, setupPlatform, testCtx, type TestDb } from "../../../test/db";
import { bulkUpsert, createRecord, deleteRecord, getRecord, listRecords, restoreRecord } from ".";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await setupPlatform(t.db);
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
const count = async (table: string) => Number((await t.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);

describe("bulkUpsert", () => {
  it("inserts, then updates by key, with one audit row and event per record", async () => {
    const ctx = testCtx(t.db);
    const acct = await createRecord(ctx, "account", { name: "Acme" });
    const audit0 = await count("audit_log");
    const rows = Array.from({ length: 1000 }, (_, i) => ({ external_id: `E${i}`, name: `Deal ${i}`, amount: i, account: acct.id, close_date: "2024-05-01" }));
    const first = await bulkUpsert(ctx, "opportunity", rows, { key: "external_id" });
    expect(first).toMatchObject({ inserted: 1000, updated: 0 });
    expect(first.ids.length).toBe(1000);
    expect((await count("audit_log")) - audit0).toBe(1000);
    const again = await bulkUpsert(
      ctx,
      "opportunity",
      [
        { external_id: "E1", stage: "Won" },
        { external_id: "E2", amount: "2.50" },
        { external_id: "NEW", name: "New deal" },
      ],
      { key: "external_id" },
    );
    expect(again).toMatchObject({ inserted: 1, updated: 2 });
    expect(again.ids[0]).toBe(first.ids[1]);
    const e1 = await getRecord(ctx, "opportunity", first.ids[1]!);
    expect(e1).toMatchObject({ stage: "Won", name: "Deal 1", version: 2, amount: { amount: "1.00", currency: "USD" } });
    expect((await getRecord(ctx, "opportunity", first.ids[2]!)).amount).toEqual({ amount: "2.50", currency: "USD" });
    expect((await count("audit_log")) - audit0).toBe(1003);
    expect(await count("outbox_event")).toBeGreaterThanOrEqual(1004);
    // The update event of E1 carries no copy of the record: it references the audit entry of that update.
    const ev = await t.db.kysely.selectFrom("outbox_event").selectAll().where("record_id", "=", first.ids[1]!).where("type", "=", "updated").executeTakeFirstOrThrow();
    expect(Object.keys(ev).sort()).toEqual(["at", "audit_id", "id", "object", "processed_at", "record_id", "type"]);
    const entry = await t.db.kysely.selectFrom("audit_log").selectAll().where("id", "=", ev.audit_id).executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ action: "update", object: "opportunity", record_id: first.ids[1] });
    expect(JSON.parse(entry.changes).stage.after).toBe("Won");
  });

  it("writes nothing when any row is bad, and names each row and field", async () => {
    const ctx = testCtx(t.db);
    const before = [await count("obj_opportunity"), await count("audit_log"), await count("outbox_event")];
    const e = await failure(
      bulkUpsert(
        ctx,
        "opportunity",
        [
          { external_id: "OK1", name: "fine" },
          { external_id: "BAD1", name: "x", amount: "abc" },
          { external_id: "OK2", name: "fine too" },
          { external_id: "BAD2", stage: "Maybe" },
          { external_id: "OK1", name: "dup key" },
          { name: "no key" },
          { external_id: "BAD3", name: "x", account: "00000000-0000-7000-8000-000000000000" },
          { external_id: "BAD4", name: "x", bogus: 1 },
        ],
        { key: "external_id" },
      ),
    );
    expect(e.kind).toBe("invalid");
    const byRow = e.details.map((d) => [d.row, d.field]);
    expect(byRow).toEqual(
      expect.arrayContaining([
        [1, "amount"],
        [3, "stage"],
        [3, "name"],
        [4, "external_id"],
        [5, "external_id"],
        [6, "account"],
        [7, "bogus"],
      ]),
    );
    expect(byRow.some(([row]) => row === 0 || row === 2)).toBe(false);
    expect([await count("obj_opportunity"), await count("audit_log"), await count("outbox_event")]).toEqual(before);
    expect((await listRecords(ctx, "opportunity", { filter: { field: "external_id", op: "eq", value: "OK1" } })).records).toEqual([]);
  });

  it("does not edit a deleted record through its key: the row is refused until the record is restored", async () => {
    const ctx = testCtx(t.db);
    const gone = await createRecord(ctx, "opportunity", { name: "Gone deal", external_id: "DEL-1" });
    await deleteRecord(ctx, "opportunity", gone.id);
    const err = await failure(bulkUpsert(ctx, "opportunity", [{ external_id: "DEL-1", next_step: "changed while deleted" }], { key: "external_id" }));
    expect(err.details).toEqual([{ row: 0, field: "external_id", reason: 'the Opportunity with external_id "DEL-1" is deleted; restore it first', code: "deleted" }]);
    await restoreRecord(ctx, "opportunity", gone.id);
    expect((await getRecord(ctx, "opportunity", gone.id)).next_step).toBeNull();
    expect(await bulkUpsert(ctx, "opportunity", [{ external_id: "DEL-1", next_step: "after restore" }], { key: "external_id" })).toMatchObject({ inserted: 0, updated: 1 });
  });

  it("refuses more than 1000 rows and a key that is not unique", async () => {
    const ctx = testCtx(t.db);
    const many = Array.from({ length: 1001 }, (_, i) => ({ external_id: `M${i}`, name: "m" }));
    expect((await failure(bulkUpsert(ctx, "opportunity", many, { key: "external_id" }))).kind).toBe("too_large");
    expect((await failure(bulkUpsert(ctx, "opportunity", [{ name: "x" }], { key: "name" }))).details[0]!.field).toBe("key");
  });

  it("reports a value that another record already holds in a unique field", async () => {
    const ctx = testCtx(t.db);
    await bulkUpsert(ctx, "user", [{ external_id: "u1", name: "Ann", email: "ann@example.com" }], { key: "external_id" });
    const e = await failure(bulkUpsert(ctx, "user", [{ external_id: "u2", name: "Bob", email: "ann@example.com" }], { key: "external_id" }));
    expect(e.details).toEqual([expect.objectContaining({ row: 0, field: "email" })]);
  });
});
