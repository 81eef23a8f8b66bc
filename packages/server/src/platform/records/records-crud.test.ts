import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppError, type AppError, type FieldDef } from "@revline/core";
import { createTestDb, setupPlatform, testCtx, type TestDb } from "../../../test/db";
import { createObject } from "../metadata";
import { createRecord, deleteRecord, getRecord, listRecords, restoreRecord, updateRecord } from ".";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await setupPlatform(t.db);
});
afterAll(async () => t?.close());

const ctx = () => testCtx(t.db);
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

const L = (en: string) => ({ en, zh: en });
const everyType: FieldDef[] = [
  { name: "f_text", type: "text", label: L("Text"), validation: { maxLength: 20 } },
  { name: "f_long", type: "long_text", label: L("Long") },
  { name: "f_email", type: "email", label: L("Email") },
  { name: "f_phone", type: "phone", label: L("Phone") },
  { name: "f_url", type: "url", label: L("Url") },
  { name: "f_int", type: "integer", label: L("Int"), validation: { min: 0 } },
  { name: "f_dec", type: "decimal", scale: 3, label: L("Dec") },
  { name: "f_pct", type: "percent", label: L("Pct") },
  { name: "f_money", type: "currency", currency: "EUR", label: L("Money") },
  { name: "f_bool", type: "boolean", label: L("Bool") },
  { name: "f_date", type: "date", label: L("Date") },
  { name: "f_dt", type: "datetime", label: L("Datetime") },
  { name: "f_pick", type: "picklist", label: L("Pick"), options: [{ value: "a", label: L("A") }, { value: "b", label: L("B") }] },
  { name: "f_multi", type: "multi_picklist", label: L("Multi"), options: [{ value: "x", label: L("X") }, { value: "y", label: L("Y") }, { value: "z", label: L("Z") }] },
  { name: "f_rel", type: "relation", relation: { object: "account" }, label: L("Account") },
  { name: "f_code", type: "text", unique: true, label: L("Code") },
  { name: "f_req", type: "text", required: true, label: L("Required") },
];

describe("records on a custom object with every field type", () => {
  let accountId = "";
  beforeAll(async () => {
    await createObject(ctx(), { name: "widget", label: L("Widget"), labelPlural: L("Widgets"), fields: everyType });
    accountId = (await createRecord(ctx(), "account", { name: "Acme" })).id;
  });

  it("round-trips every type through create, get and list", async () => {
    const input = {
      name: "W1",
      f_text: "hello",
      f_long: "line 1\nline 2 中文",
      f_email: "a@example.com",
      f_phone: "+86 138 1234 5678",
      f_url: "https://example.com/x",
      f_int: 42,
      f_dec: "12.345",
      f_pct: 12.5,
      f_money: { amount: "1054.5", currency: "EUR" },
      f_bool: true,
      f_date: "2024-02-29",
      f_dt: "2024-01-05T10:00:00+02:00",
      f_pick: "b",
      f_multi: ["z", "x"],
      f_rel: accountId,
      f_code: "W-1",
      f_req: "yes",
    };
    const created = await createRecord(ctx(), "widget", input);
    const expected = {
      name: "W1",
      f_text: "hello",
      f_long: "line 1\nline 2 中文",
      f_email: "a@example.com",
      f_phone: "+86 138 1234 5678",
      f_url: "https://example.com/x",
      f_int: 42,
      f_dec: 12.345,
      f_pct: 12.5,
      f_money: { amount: "1054.50", currency: "EUR" },
      f_bool: true,
      f_date: "2024-02-29",
      f_dt: "2024-01-05T08:00:00.000Z",
      f_pick: "b",
      f_multi: ["x", "z"],
      f_rel: accountId,
      f_code: "W-1",
      f_req: "yes",
      version: 1,
      deleted_at: null,
      created_by: "system",
    };
    expect(created).toMatchObject(expected);
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    const got = await getRecord(ctx(), "widget", created.id);
    expect(got).toEqual(created);
    const listed = await listRecords(ctx(), "widget", { filter: { field: "f_code", op: "eq", value: "W-1" } });
    expect(listed.records).toEqual([created]);
    const empty = await createRecord(ctx(), "widget", { f_req: "only" });
    expect(empty).toMatchObject({ f_int: null, f_money: null, f_multi: [], f_bool: null, f_rel: null });
  });

  it("returns only the requested fields and related records", async () => {
    const w = await createRecord(ctx(), "widget", { name: "W2", f_req: "x", f_rel: accountId });
    const r = await getRecord(ctx(), "widget", w.id, { fields: ["name"], include: ["f_rel"] });
    expect(Object.keys(r).sort()).toEqual(["_related", "id", "name", "version"]);
    expect((r._related as Record<string, { name: string }>).f_rel!.name).toBe("Acme");
  });

  it("names the field in each validation error", async () => {
    const cases: [Record<string, unknown>, string, string?][] = [
      [{ f_req: "x", nope: 1 }, "nope", "unknown"],
      [{ f_req: "x", id: "abc" }, "id", "system"],
      [{ f_req: "x", version: 3 }, "version", "system"],
      [{ f_req: "x", f_int: "many" }, "f_int"],
      [{ f_req: "x", f_int: -1 }, "f_int", "at least 0"],
      [{ f_req: "x", f_dec: "1.2345" }, "f_dec"],
      [{ f_req: "x", f_money: { amount: "1.234", currency: "EUR" } }, "f_money"],
      [{ f_req: "x", f_bool: "yes" }, "f_bool"],
      [{ f_req: "x", f_date: "2023-02-29" }, "f_date"],
      [{ f_req: "x", f_pick: "c" }, "f_pick"],
      [{ f_req: "x", f_multi: ["q"] }, "f_multi"],
      [{ f_req: "x", f_email: "nope" }, "f_email"],
      [{ f_req: "x", f_text: "x".repeat(21) }, "f_text"],
      [{ f_req: "" }, "f_req", "required"],
      [{}, "f_req", "required"],
      [{ f_req: "x", f_rel: "00000000-0000-7000-8000-000000000000" }, "f_rel", "no account"],
    ];
    for (const [input, field, reason] of cases) {
      const e = await failure(createRecord(ctx(), "widget", input));
      expect(e.kind, JSON.stringify(input)).toBe("invalid");
      expect(e.details.map((d) => d.field), JSON.stringify(input)).toEqual([field]);
      if (reason) expect(e.details[0]!.reason).toContain(reason);
    }
  });

  it("refuses a duplicate unique value with a conflict naming the field", async () => {
    await createRecord(ctx(), "widget", { f_req: "x", f_code: "DUP" });
    const e = await failure(createRecord(ctx(), "widget", { f_req: "y", f_code: "DUP" }));
    expect(e.kind).toBe("conflict");
    expect(e.details[0]!.field).toBe("f_code");
    const other = await createRecord(ctx(), "widget", { f_req: "z", f_code: "OTHER" });
    const e2 = await failure(updateRecord(ctx(), "widget", other.id, { f_code: "DUP" }));
    expect(e2.kind).toBe("conflict");
  });
});

describe("update, delete, restore", () => {
  it("updates with optimistic concurrency: a stale version is a conflict naming it", async () => {
    const o = await createRecord(ctx(), "opportunity", { name: "Deal", amount: 100 });
    expect(o).toMatchObject({ stage: "Prospecting", sales_mode: "direct", amount: { amount: "100.00", currency: "USD" }, version: 1 });
    const u = await updateRecord(ctx(), "opportunity", o.id, { stage: "Engaging" }, { expectedVersion: 1 });
    expect(u).toMatchObject({ stage: "Engaging", version: 2, name: "Deal" });
    const e = await failure(updateRecord(ctx(), "opportunity", o.id, { stage: "Won" }, { expectedVersion: 1 }));
    expect(e.kind).toBe("conflict");
    expect(e.message).toContain("version 1");
    expect(e.details[0]).toMatchObject({ field: "version" });
    const same = await updateRecord(ctx(), "opportunity", o.id, { stage: "Engaging" });
    expect(same.version).toBe(2);
  });

  it("soft-deletes and restores", async () => {
    const o = await createRecord(ctx(), "opportunity", { name: "Gone soon" });
    await deleteRecord(ctx(), "opportunity", o.id);
    expect((await failure(getRecord(ctx(), "opportunity", o.id))).kind).toBe("not_found");
    expect((await failure(updateRecord(ctx(), "opportunity", o.id, { name: "x" }))).kind).toBe("not_found");
    const only = await listRecords(ctx(), "opportunity", { deleted: "only" });
    expect(only.records.map((r) => r.id)).toContain(o.id);
    expect((await listRecords(ctx(), "opportunity", {})).records.map((r) => r.id)).not.toContain(o.id);
    const back = await restoreRecord(ctx(), "opportunity", o.id);
    expect(back).toMatchObject({ id: o.id, deleted_at: null, version: 3 });
    expect((await getRecord(ctx(), "opportunity", o.id)).name).toBe("Gone soon");
  });

  it("computes an opportunity line's total half-up", async () => {
    const opp = await createRecord(ctx(), "opportunity", { name: "Lines" });
    const product = await createRecord(ctx(), "product", { name: "GTX Pro", list_price: 4821 });
    // 3 * 19.99 * (1 - 12.5%) = 52.47375 -> 52.47
    const line = await createRecord(ctx(), "opportunity_line", { opportunity: opp.id, product: product.id, quantity: 3, unit_price: "19.99", discount: 12.5 });
    expect(line.total).toEqual({ amount: "52.47", currency: "USD" });
    // 1 * 0.05 * (1 - 10%) = 0.045 -> 0.05 (half-up)
    const u = await updateRecord(ctx(), "opportunity_line", line.id, { quantity: 1, unit_price: "0.05", discount: 10 });
    expect(u.total).toEqual({ amount: "0.05", currency: "USD" });
    expect((await failure(createRecord(ctx(), "opportunity_line", { opportunity: opp.id, product: product.id, total: 5 }))).details[0]!.field).toBe("total");
  });
});

describe("audit and outbox", () => {
  it("writes one audit row and one event per write, in the write's transaction", async () => {
    const auditBefore = await count("audit_log");
    const eventsBefore = await count("outbox_event");
    const a = await createRecord(ctx(), "account", { name: "Audited", employees: 5 });
    await updateRecord(ctx(), "account", a.id, { employees: 6 });
    await deleteRecord(ctx(), "account", a.id);
    await restoreRecord(ctx(), "account", a.id);
    expect((await count("audit_log")) - auditBefore).toBe(4);
    expect((await count("outbox_event")) - eventsBefore).toBe(4);
    const rows = await t.db.kysely.selectFrom("audit_log").selectAll().where("record_id", "=", a.id).orderBy("seq").execute();
    expect(rows.map((r) => r.action)).toEqual(["create", "update", "delete", "restore"]);
    expect(JSON.parse(rows[1]!.changes)).toEqual({ employees: { before: 5, after: 6 } });
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    const events = await t.db.kysely.selectFrom("outbox_event").select(["type", "object", "audit_id"]).where("record_id", "=", a.id).orderBy("id").execute();
    expect(events.map((e) => e.type)).toEqual(["created", "updated", "deleted", "restored"]);
    // Each event is a reference: it names the audit entry of its own write, which holds before/after.
    expect(events.map((e) => e.audit_id)).toEqual(rows.map((r) => r.id));
    expect(events.every((e) => e.object === "account")).toBe(true);
    expect(JSON.parse(rows[0]!.changes)).toEqual({ name: { after: "Audited" }, employees: { after: 5 } });

    // A write that fails (duplicate external key) leaves neither an audit row nor an event.
    await createRecord(ctx(), "account", { name: "K1", external_id: "K" });
    const [auditMid, eventsMid] = [await count("audit_log"), await count("outbox_event")];
    await failure(createRecord(ctx(), "account", { name: "K2", external_id: "K" }));
    expect(await count("audit_log")).toBe(auditMid);
    expect(await count("outbox_event")).toBe(eventsMid);
  });

  it("denies an unknown actor", async () => {
    const nobody = testCtx(t.db, { actor: { kind: "anonymous" as never, id: "", name: "", isAdmin: false, roles: [], attrs: {} } });
    expect((await failure(listRecords(nobody, "account"))).kind).toBe("forbidden");
    expect((await failure(createRecord(nobody, "account", { name: "x" }))).kind).toBe("forbidden");
  });
});
