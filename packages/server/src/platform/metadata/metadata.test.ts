import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { isAppError, type FieldDef } from "@revline/core";
import { createTestDb, setupPlatform, testCtx, type TestDb } from "../../../test/db";
import { addField, createObject, deleteField, listObjects, refreshMetadata, syncMetadata, updateField } from ".";
import { standardObjects } from "../../../test/db";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await setupPlatform(t.db);
});
afterAll(async () => t?.close());

async function columnsOf(table: string): Promise<Map<string, string>> {
  if (t.dialect === "sqlite") {
    const r = await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${table})`.execute(t.db.kysely);
    return new Map(r.rows.map((x) => [x.name, x.type.toLowerCase()]));
  }
  const r = await sql<{ name: string; type: string }>`select column_name as name, data_type as type from information_schema.columns
    where table_schema = current_schema() and table_name = ${table}`.execute(t.db.kysely);
  return new Map(r.rows.map((x) => [x.name, x.type.toLowerCase()]));
}

async function indexNames(table: string): Promise<string[]> {
  const r =
    t.dialect === "sqlite"
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = ${table}`.execute(t.db.kysely)
      : await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = ${table}`.execute(t.db.kysely);
  return r.rows.map((x) => x.name);
}

const adminFail = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error("expected an AppError");
};

describe("schema sync", () => {
  it("creates a real table with system and field columns for every standard object", async () => {
    const cols = await columnsOf("obj_opportunity");
    const big = t.dialect === "sqlite" ? "integer" : "bigint";
    const ts = t.dialect === "sqlite" ? "text" : "timestamp with time zone";
    expect(cols.get("id")).toBe("text");
    expect(cols.get("created_at")).toBe(ts);
    expect(cols.get("version")).toBe(big);
    expect(cols.get("deleted_at")).toBe(ts);
    expect(cols.get("amount")).toBe(big);
    expect(cols.get("amount_currency")).toBe("text");
    expect(cols.get("account_id")).toBe("text");
    expect(cols.get("close_date")).toBe(t.dialect === "sqlite" ? "text" : "date");
    expect(cols.get("probability")).toBe(big);
    expect(cols.has("account")).toBe(false);
    const idx = await indexNames("obj_opportunity");
    expect(idx).toEqual(expect.arrayContaining(["obj_opportunity__external_id_uq", "obj_opportunity__account_id_idx", "obj_opportunity__deleted_created"]));
    expect(listObjects(testCtx(t.db)).map((o) => o.name)).toEqual(
      expect.arrayContaining(["user", "team", "region", "account", "contact", "lead", "opportunity", "product", "opportunity_line"]),
    );
  });

  it("is idempotent and adds new standard fields without touching custom ones", async () => {
    const ctx = testCtx(t.db);
    await addField(ctx, "region", { name: "motto", type: "text", label: { en: "Motto", zh: "口号" } });
    expect(await syncMetadata(t.db, standardObjects())).toEqual([]);
    const withNew = standardObjects().map((o) =>
      o.name === "region" ? { ...o, fields: [...o.fields, { name: "timezone", type: "text" as const, label: { en: "Time zone", zh: "时区" }, isStandard: true }] } : o,
    );
    const applied = await syncMetadata(t.db, withNew);
    expect(applied.map((c) => c.ddl)).toEqual([expect.stringMatching(/alter table "obj_region" add column "timezone" text/)]);
    const region = testCtx(t.db).meta("region")!;
    expect(region.fields.map((f) => f.name)).toEqual(["name", "code", "motto", "timezone"]);
    expect((await columnsOf("obj_region")).has("timezone")).toBe(true);
    const logged = await t.db.kysely.selectFrom("schema_change").select(["object", "kind", "ddl"]).where("object", "=", "region").execute();
    expect(logged.map((r) => r.kind)).toEqual(expect.arrayContaining(["create_table", "add_column"]));
  });
});

describe("admin changes", () => {
  it("creates a custom object with a default name field and real columns", async () => {
    const ctx = testCtx(t.db);
    const def = await createObject(ctx, {
      name: "contract",
      label: { en: "Contract", zh: "合同" },
      labelPlural: { en: "Contracts", zh: "合同" },
      fields: [{ name: "value", type: "currency", currency: "CNY", label: { en: "Value", zh: "金额" } }],
    });
    expect(def.fields.map((f) => f.name)).toEqual(["name", "value"]);
    expect(def.nameField).toBe("name");
    const cols = await columnsOf("obj_contract");
    expect([...cols.keys()]).toEqual(expect.arrayContaining(["id", "name", "value", "value_currency"]));
  });

  it("names the field in every validation error", async () => {
    const ctx = testCtx(t.db);
    const cases: [Partial<FieldDef>, string][] = [
      [{ name: "Bad Name", type: "text" }, "name"],
      [{ name: "select", type: "text" }, "name"],
      [{ name: "created_at", type: "text" }, "name"],
      [{ name: "industry", type: "text" }, "name"],
      [{ name: "parent_account_id", type: "text" }, "name"],
      [{ name: "x1", type: "nope" as FieldDef["type"] }, "type"],
      [{ name: "x2", type: "picklist" }, "options"],
      [{ name: "x3", type: "relation", relation: { object: "ghost" } }, "relation.object"],
      [{ name: "x4", type: "decimal", scale: 12 }, "scale"],
      [{ name: "x5", type: "text", validation: { pattern: "([" } }, "validation.pattern"],
      [{ name: "x6", type: "integer", defaultValue: "abc" }, "defaultValue"],
      [{ name: "x7", type: "boolean", unique: true }, "unique"],
    ];
    for (const [def, field] of cases) {
      const e = await adminFail(addField(ctx, "account", { label: { en: "X", zh: "X" }, ...def } as FieldDef));
      expect(e.kind, JSON.stringify(def)).toBe("invalid");
      expect(e.details.map((d) => d.field), JSON.stringify(def)).toContain(field);
    }
    const noLabel = await adminFail(addField(ctx, "account", { name: "x8", type: "text", label: { en: "X", zh: "" } }));
    expect(noLabel.details.map((d) => d.field)).toContain("label");
    const rep = testCtx(t.db, { actor: { kind: "user", id: "u1", name: "rep", isAdmin: false, roles: [], attrs: {} } });
    expect((await adminFail(addField(rep, "account", { name: "x9", type: "text", label: { en: "X", zh: "X" } }))).kind).toBe("forbidden");
  });

  it("updates labels and options but never the type; deletes custom fields only", async () => {
    const ctx = testCtx(t.db);
    await addField(ctx, "lead", {
      name: "tier",
      type: "picklist",
      label: { en: "Tier", zh: "等级" },
      options: [{ value: "a", label: { en: "A", zh: "甲" } }],
    });
    const updated = await updateField(ctx, "lead", "tier", {
      label: { en: "Tier level", zh: "等级" },
      options: [
        { value: "a", label: { en: "A", zh: "甲" } },
        { value: "b", label: { en: "B", zh: "乙" } },
      ],
    });
    expect(updated.label.en).toBe("Tier level");
    expect(updated.options?.map((o) => o.value)).toEqual(["a", "b"]);
    const typeChange = await adminFail(updateField(ctx, "lead", "tier", { type: "text" } as never));
    expect(typeChange.details[0]?.field).toBe("type");
    expect((await adminFail(deleteField(ctx, "lead", "company"))).kind).toBe("invalid");
    await deleteField(ctx, "lead", "tier");
    expect(ctx.meta("lead")!.fields.some((f) => f.name === "tier")).toBe(false);
    expect((await columnsOf("obj_lead")).has("tier")).toBe(false);
  });

  it("lets another node notice a change through the metadata version", async () => {
    const ctx = testCtx(t.db);
    expect(await refreshMetadata(t.db)).toBe(false);
    await t.db.kysely.updateTable("meta_state").set({ version: sql`version + 1` }).where("id", "=", 1).execute();
    expect(await refreshMetadata(t.db)).toBe(true);
    expect(ctx.meta("account")).toBeDefined();
  });
});
