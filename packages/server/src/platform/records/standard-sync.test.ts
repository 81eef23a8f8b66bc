/**
 * Standard definitions changed in code reach existing databases on the next start (syncMetadata),
 * without touching custom fields, an admin's own edits, or stored values. Expected values by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FieldDef, ObjectDef, PicklistOption } from "@revline/core";
import { createTestDb, setupPlatform, standardObjects, testCtx, type TestDb } from "../../../test/db";
import { createRecord, getRecord } from ".";
import { addField, listObjects, mergeStandardField, syncMetadata, updateField } from "../metadata";

let t: TestDb;
const opt = (value: string, en: string, zh: string): PicklistOption => ({ value, label: { en, zh } });

/** A standard object as a module's code declares it, in two versions. */
const gadgetV1: ObjectDef = {
  name: "gadget",
  label: { en: "Gadget", zh: "小工具" },
  labelPlural: { en: "Gadgets", zh: "小工具" },
  nameField: "name",
  isStandard: true,
  module: "test",
  fields: [
    { name: "name", type: "text", label: { en: "Name", zh: "名称" }, required: true, isStandard: true },
    { name: "size", type: "picklist", label: { en: "Size", zh: "尺寸" }, isStandard: true, options: [opt("s", "Small", "小"), opt("m", "Medium", "中"), opt("old", "Old", "旧")] },
    { name: "note", type: "text", label: { en: "Note", zh: "备注" }, isStandard: true },
    { name: "phone", type: "phone", label: { en: "Phone", zh: "电话" }, isStandard: true },
  ],
};
const gadgetV2: ObjectDef = {
  ...gadgetV1,
  label: { en: "Gadget", zh: "装置" },
  fields: [
    { name: "name", type: "text", label: { en: "Title", zh: "标题" }, required: true, isStandard: true, validation: { maxLength: 80 } },
    // "m" relabelled, "old" removed, "l" added.
    { name: "size", type: "picklist", label: { en: "Size", zh: "尺寸" }, isStandard: true, options: [opt("s", "Small", "小"), opt("m", "Mid", "中号"), opt("l", "Large", "大")] },
    // The admin relabelled "note" (below): the code's new label must not overwrite that, its new required flag applies.
    { name: "note", type: "text", label: { en: "Remark", zh: "附注" }, isStandard: true, required: false, maskKind: "text" },
    { name: "phone", type: "phone", label: { en: "Phone", zh: "电话" }, isStandard: true, maskKind: "phone" },
    { name: "weight", type: "integer", label: { en: "Weight", zh: "重量" }, isStandard: true },
  ],
};

const gadget = () => listObjects(testCtx(t.db)).find((o) => o.name === "gadget")!;
const field = (name: string) => gadget().fields.find((f) => f.name === name)!;

beforeAll(async () => {
  t = await createTestDb();
  await setupPlatform(t.db);
});
afterAll(async () => t?.close());

describe("syncing standard definitions into an existing database", () => {
  it("picks up changed labels, options, validation, mask kinds and new fields; keeps admin edits, custom fields and data", async () => {
    await syncMetadata(t.db, [...standardObjects(), gadgetV1]);
    const ctx = testCtx(t.db);
    const old = await createRecord(ctx, "gadget", { name: "Legacy", size: "old" });
    await updateField(ctx, "gadget", "note", { label: { en: "Admin note", zh: "管理员备注" } });
    await addField(ctx, "gadget", { name: "colour", type: "picklist", label: { en: "Colour", zh: "颜色" }, options: [opt("red", "Red", "红")] });
    const customBefore = field("colour");

    await syncMetadata(t.db, [...standardObjects(), gadgetV2]);
    expect(gadget().label).toEqual({ en: "Gadget", zh: "装置" });
    expect(field("name")).toMatchObject({ label: { en: "Title", zh: "标题" }, required: true, validation: { maxLength: 80 } });
    expect(field("size").options).toEqual([opt("s", "Small", "小"), opt("m", "Mid", "中号"), opt("l", "Large", "大")]);
    // The admin's label stays; the code's other changes to the field apply.
    expect(field("note")).toMatchObject({ label: { en: "Admin note", zh: "管理员备注" }, required: false, maskKind: "text" });
    expect(field("phone").maskKind).toBe("phone");
    expect(gadget().fields.map((f) => f.name)).toEqual(["name", "size", "note", "phone", "colour", "weight"]);
    expect(field("colour")).toEqual(customBefore);
    // The stored value of the removed option is still there; the new field has a real column.
    expect(await getRecord(ctx, "gadget", String(old.id))).toMatchObject({ name: "Legacy", size: "old" });
    expect(await createRecord(ctx, "gadget", { name: "New", size: "l", weight: 7 })).toMatchObject({ size: "l", weight: 7 });
    // The code-definition record is sync's: it never shows in the object.
    expect("synced" in gadget()).toBe(false);
    // A third sync with nothing new changes nothing.
    const version = async () => Number((await t.db.kysely.selectFrom("meta_state").select("version").executeTakeFirst())!.version);
    const v = await version();
    await syncMetadata(t.db, [...standardObjects(), gadgetV2]);
    expect(await version()).toBe(v);
  });

  it("a database synced before sync kept its record of the code takes the code's labels and options once", async () => {
    // Simulate a database made by an older version: no `synced` record in the object row, older definitions stored.
    const row = await t.db.kysely.selectFrom("meta_object").select("definition").where("name", "=", "gadget").executeTakeFirstOrThrow();
    const { synced: _s, ...def } = JSON.parse((row).definition) as Record<string, unknown>;
    await t.db.kysely.updateTable("meta_object").set({ definition: JSON.stringify(def) }).where("name", "=", "gadget").execute();
    const older = JSON.stringify({ ...gadgetV1.fields[1], options: [opt("s", "Small", "小"), opt("m", "Medium", "中"), opt("old", "Old", "旧")] });
    await t.db.kysely.updateTable("meta_field").set({ definition: older }).where("object", "=", "gadget").where("name", "=", "size").execute();
    await syncMetadata(t.db, [...standardObjects(), gadgetV2]);
    // Code options first ("m" relabelled, "l" added); "old" may be an admin's option: it stays, last.
    expect(field("size").options).toEqual([opt("s", "Small", "小"), opt("m", "Mid", "中号"), opt("l", "Large", "大"), opt("old", "Old", "旧")]);
  });
});

describe("mergeStandardField", () => {
  const base: FieldDef = { name: "stage", type: "picklist", label: { en: "Stage", zh: "阶段" }, options: [opt("a", "A", "甲"), opt("b", "B", "乙")] };
  it.each([
    ["code relabels an option the admin left alone", [opt("a", "A", "甲"), opt("b", "B", "乙")], [opt("a", "A1", "甲1"), opt("b", "B", "乙")], [opt("a", "A1", "甲1"), opt("b", "B", "乙")]],
    ["admin relabelled the option: theirs", [opt("a", "Mine", "我的"), opt("b", "B", "乙")], [opt("a", "A1", "甲1"), opt("b", "B", "乙")], [opt("a", "Mine", "我的"), opt("b", "B", "乙")]],
    ["admin added an option, code added another, code removed b", [opt("a", "A", "甲"), opt("b", "B", "乙"), opt("x", "X", "X")], [opt("a", "A", "甲"), opt("c", "C", "丙")], [opt("a", "A", "甲"), opt("x", "X", "X"), opt("c", "C", "丙")]],
  ])("%s", (_name, stored, code, expected) => {
    expect(mergeStandardField({ ...base, options: stored }, base, { ...base, options: code }).options).toEqual(expected);
  });
});
