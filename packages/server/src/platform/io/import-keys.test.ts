/**
 * How an import finds the record a row means: a key repeated across batches (dry run counts equal
 * the real run's), duplicate column headers mapped separately, and the id column of an export that
 * makes a re-import update the same records instead of adding copies. Expected values by hand.
 */
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRecord, deleteRecord } from "../records";
import { exportRecords } from "./export.service";
import { headerNames } from "./file-reader";
import { runImport } from "./import.service";
import { allRecords, openIoTestDb, rejectionsOf, writeTestFile, type IoTestDb } from "../../../test/io";

let t: IoTestDb;
beforeAll(async () => {
  t = await openIoTestDb();
});
afterAll(async () => {
  await t?.close();
});

const file = (name: string, content: string | Buffer) => writeTestFile(t, name, content);
const rejections = (id: string) => rejectionsOf(t, id);

describe("a key repeated across batches", () => {
  it("counts the same in a dry run as in the real run", async () => {
    await createRecord(t.ctx, "account", { external_id: "RK-0", name: "Zero" });
    const csv =
      "external_id,name\n" +
      "RK-1,Alpha\n" + // row 1: insert
      "RK-2,Beta\n" + // row 2: insert
      "RK-1,Alpha two\n" + // row 3: RK-1 again, closes the batch; the real run updates it
      "RK-3,Gamma\n" + // row 4: insert
      "RK-2,Beta two\n" + // row 5: RK-2 from the first batch: update
      "RK-9,\n" + // row 6: no name (required): rejected
      "RK-4,Delta\n" + // row 7: insert
      "RK-0,Zero again\n"; // row 8: stored before the import: update
    // Batches of 3: [1, 2] (closed by row 3's repeat), [3, 4, 5], [6, 7, 8].
    // By hand: inserted RK-1, RK-2, RK-3, RK-4 = 4; updated rows 3, 5, 8 = 3; rejected row 6 = 1; read 8.
    const expected = { read: 8, inserted: 4, updated: 3, rejected: 1 };
    const f = file("repeat.csv", csv);
    const dry = await runImport(t.ctx, { object: "account", file: f, batchSize: 3, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, ...expected });
    expect((await allRecords(t.ctx, "account")).filter((a) => String(a.external_id).startsWith("RK-")).map((a) => a.name)).toEqual(["Zero"]);
    const real = await runImport(t.ctx, { object: "account", file: f, batchSize: 3 });
    expect(real).toMatchObject({ dryRun: false, ...expected });
    const names = (await allRecords(t.ctx, "account")).filter((a) => String(a.external_id).startsWith("RK-"));
    expect(Object.fromEntries(names.map((a) => [a.external_id, a.name]))).toEqual({ "RK-0": "Zero again", "RK-1": "Alpha two", "RK-2": "Beta two", "RK-3": "Gamma", "RK-4": "Delta" });
    // A second dry run over the imported data: every valid row is an update now.
    expect(await runImport(t.ctx, { object: "account", file: f, batchSize: 3, dryRun: true })).toMatchObject({ read: 8, inserted: 0, updated: 7, rejected: 1 });
  });
});

describe("duplicate column headers", () => {
  it("get distinct names: the second Phone is Phone (2), and each maps on its own", async () => {
    expect(headerNames(["Phone", "Name", "Phone", "", "Phone (2)", "Phone"])).toEqual(["Phone", "Name", "Phone (3)", "Column 4", "Phone (2)", "Phone (4)"]);
    const csv = "External ID,Name,Phone,Phone\nDH-1,Dup Co,010-1111,020-2222\n";
    const auto = await runImport(t.ctx, { object: "account", file: file("dup-auto.csv", csv) });
    // By name, the first Phone feeds phone; the second is reported as unmapped under its own name.
    expect(auto).toMatchObject({ inserted: 1, mapping: { "External ID": "external_id", Name: "name", Phone: "phone", "Phone (2)": null }, unmappedColumns: ["Phone (2)"] });
    const mapped = await runImport(t.ctx, { object: "account", file: file("dup-map.csv", csv), mapping: { columns: { Phone: "city", "Phone (2)": "phone" } } });
    expect(mapped).toMatchObject({ updated: 1, mapping: { Phone: "city", "Phone (2)": "phone" }, unmappedColumns: [] });
    expect((await allRecords(t.ctx, "account")).find((a) => a.external_id === "DH-1")).toMatchObject({ city: "010-1111", phone: "020-2222" });
  });
});

describe("the id column of an export", () => {
  it("export -> edit a value -> import updates the same records, adds no copies, and rejects unknown ids", async () => {
    // Contacts have no external key: before exports carried ids, a re-import added every row again.
    const ann = await createRecord(t.ctx, "contact", { name: "Ann Round", email: "ann@rt.example", title: "CEO" });
    const bob = await createRecord(t.ctx, "contact", { name: "Bob Round", email: "bob@rt.example", title: "CFO" });
    const gone = await createRecord(t.ctx, "contact", { name: "Gone Round", email: "gone@rt.example" });
    await deleteRecord(t.ctx, "contact", String(gone.id));
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    const filter = { field: "email", op: "ends_with", value: "@rt.example" };
    await exportRecords(t.ctx, { object: "contact", format: "csv", filter, sort: "name", fields: "name,email,title", header: "label" }, out);
    const lines = Buffer.concat(chunks).toString("utf8").replace(/^\ufeff/, "").trim().split(/\r?\n/);
    expect(lines).toEqual(["ID,Full name,Email,Title", `${String(ann.id)},Ann Round,ann@rt.example,CEO`, `${String(bob.id)},Bob Round,bob@rt.example,CFO`]);
    const before = (await allRecords(t.ctx, "contact")).length;
    // Edit Bob's title, add a new row (no id), one with an id that never existed, and one of a deleted record.
    const edited = [
      lines[0],
      lines[1],
      lines[2]!.replace(",CFO", ",COO"),
      ",Cy New,cy@rt.example,CTO",
      "01900000-0000-7000-8000-000000000000,Nobody,nobody@rt.example,",
      `${String(gone.id)},Gone Round,gone@rt.example,`,
    ].join("\r\n");
    const s = await runImport(t.ctx, { object: "contact", file: file("contacts-edited.csv", edited) });
    // By hand: rows 1 and 2 update Ann and Bob, row 3 inserts Cy, rows 4 and 5 name no live contact.
    expect(s).toMatchObject({ read: 5, inserted: 1, updated: 2, rejected: 2, mapping: { ID: "id", "Full name": "name", Email: "email", Title: "title" } });
    expect(await rejections(s.id)).toEqual([
      { row: 4, column: "ID", value: "01900000-0000-7000-8000-000000000000", reason: "no contact with this id that you may change" },
      { row: 5, column: "ID", value: String(gone.id), reason: "no contact with this id that you may change" },
    ]);
    const after = await allRecords(t.ctx, "contact");
    expect(after.length).toBe(before + 1);
    const mine = after.filter((c) => String(c.email).endsWith("@rt.example"));
    expect(mine.map((c) => [c.name, c.title]).sort()).toEqual([["Ann Round", "CEO"], ["Bob Round", "COO"], ["Cy New", "CTO"]]);
    expect(mine.find((c) => c.name === "Bob Round")).toMatchObject({ id: bob.id, version: 2 });
    // A dry run of the same file counts the same and writes nothing.
    expect(await runImport(t.ctx, { object: "contact", file: file("contacts-edited.csv", edited), dryRun: true })).toMatchObject({ read: 5, inserted: 1, updated: 2, rejected: 2 });
    expect((await allRecords(t.ctx, "contact")).length).toBe(before + 1);
  });

  it("an ID column can be ignored by the mapping: rows then insert or upsert by key as before", async () => {
    const csv = "ID,Name\nnot-an-id-here,Ignored Id Co\n";
    const s = await runImport(t.ctx, { object: "account", file: file("ignored-id.csv", csv), mapping: { columns: { ID: null } } });
    expect(s).toMatchObject({ read: 1, inserted: 1, rejected: 0, unmappedColumns: ["ID"] });
  });
});
