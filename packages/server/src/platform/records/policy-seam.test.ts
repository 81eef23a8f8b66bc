/**
 * The access seam: records must apply whatever policy access returns (row condition in every
 * read, hidden fields gone, masked fields masked, read-only fields refused). Access is replaced
 * here by a fixed policy for a "rep" actor; the database is real.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { isAppError, type AppError } from "@revline/core";
import type { Policy } from "../access";

vi.mock("../access", () => ({
  loadAccess: async () => {},
  policyFor: (ctx: { actor: { id: string } }, object: string): Policy => {
    if (ctx.actor.id !== "rep") return { allowed: true, fieldRules: {} };
    if (object === "account") return { allowed: true, rowCondition: { field: "country", op: "eq", value: "CN" }, fieldRules: { phone: { rule: "hidden" }, name: { rule: "masked" } } };
    if (object === "opportunity") return { allowed: true, rowCondition: { field: "owner", op: "eq", value: { $actor: "id" } }, fieldRules: { description: { rule: "read_only" } } };
    return { allowed: false, fieldRules: {} };
  },
}));

const { createTestDb, setupPlatform, testCtx } = await import("../../../test/db");
const { aggregate, createRecord, getRecord, listRecords, updateRecord } = await import(".");

let t: Awaited<ReturnType<typeof createTestDb>>;
const rep = { kind: "user" as const, id: "rep", name: "Rep", isAdmin: false, roles: ["rep"], attrs: { id: "rep" } };
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestDb();
  await setupPlatform(t.db);
  const admin = testCtx(t.db);
  await t.db.kysely.insertInto("obj_user").values({ id: "rep", created_at: "2024-01-01T00:00:00.000Z", created_by: "system", updated_at: "2024-01-01T00:00:00.000Z", updated_by: "system", version: 1, name: "Rep" }).execute();
  ids.cn = (await createRecord(admin, "account", { name: "张三科技", country: "CN", phone: "13812345678" })).id;
  ids.us = (await createRecord(admin, "account", { name: "Acme", country: "US", phone: "5551234567" })).id;
  ids.mine = (await createRecord(admin, "opportunity", { name: "Mine", owner: "rep", account: ids.cn, amount: 10 })).id;
  ids.other = (await createRecord(admin, "opportunity", { name: "Other", account: ids.us, amount: 20 })).id;
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

describe("records apply the access policy", () => {
  it("filters rows, drops hidden fields and masks masked ones on list and get", async () => {
    const ctx = testCtx(t.db, { actor: rep });
    const { records } = await listRecords(ctx, "account");
    expect(records.map((r) => r.id)).toEqual([ids.cn]);
    expect(records[0]).not.toHaveProperty("phone");
    expect(records[0]!.name).toBe("张***");
    expect((await failure(getRecord(ctx, "account", ids.us!))).kind).toBe("not_found");
    // A hidden field named in a request is refused exactly like a field that does not exist.
    const named = await failure(listRecords(ctx, "account", { fields: ["phone", "name"] }));
    expect(named.kind).toBe("invalid");
    expect(named.message).toBe('Unknown field "phone" in fields of "account".');
  });

  it("applies the row condition to aggregates and to included records", async () => {
    const ctx = testCtx(t.db, { actor: rep });
    expect((await aggregate(ctx, "opportunity", { metrics: [{ fn: "count" }] })).rows[0]!.values.count).toBe(1);
    const { records } = await listRecords(ctx, "opportunity", { include: ["account", "owner"] });
    expect(records.map((r) => r.name)).toEqual(["Mine"]);
    const related = records[0]!._related as Record<string, Record<string, unknown> | null>;
    expect(related.account).toMatchObject({ id: ids.cn, name: "张***" });
    expect(related.account).not.toHaveProperty("phone");
    expect(related.owner).toBeNull(); // user: not readable by this policy
  });

  it("refuses writes to read-only and hidden fields, and records outside the row condition", async () => {
    const ctx = testCtx(t.db, { actor: rep });
    expect((await failure(updateRecord(ctx, "opportunity", ids.mine!, { description: "x" }))).details[0]).toMatchObject({ field: "description", reason: "is read-only" });
    expect((await failure(updateRecord(ctx, "opportunity", ids.other!, { name: "x" }))).kind).toBe("not_found");
    // Hidden: unknown. Masked: the actor cannot see the value, so cannot write it either.
    const created = await failure(createRecord(ctx, "account", { name: "x", phone: "1" }));
    expect(created.details).toContainEqual(expect.objectContaining({ field: "phone", reason: "unknown field" }));
    expect(created.details).toContainEqual(expect.objectContaining({ field: "name" }));
    expect((await failure(listRecords(ctx, "product"))).kind).toBe("forbidden");
    const updated = await updateRecord(ctx, "opportunity", ids.mine!, { name: "Mine 2" });
    expect(updated.name).toBe("Mine 2");
  });
});
