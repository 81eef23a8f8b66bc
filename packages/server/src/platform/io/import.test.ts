/**
 * Imports of real files written by the test (CSV in several delimiters and encodings, XLSX made
 * with exceljs), on the dialect under test. Expected values are written out by hand.
 */
import path from "node:path";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { createRecord, updateRecord } from "../records";
import { exportRecords } from "./export.service";
import { runImport, type ImportRequest } from "./import.service";
import { allRecords, openIoTestDb, rejectionsOf, writeTestFile, type IoTestDb } from "../../../test/io";

let t: IoTestDb;
beforeAll(async () => {
  t = await openIoTestDb();
});
afterAll(async () => {
  await t?.close();
});

const file = (name: string, content: string | Buffer) => writeTestFile(t, name, content);
const run = (req: Omit<ImportRequest, "file"> & { file: string }) => runImport(t.ctx, req);
const byName = (records: Record<string, unknown>[], name: string) => records.find((r) => r.name === name);
const rejections = (id: string) => rejectionsOf(t, id);

describe("CSV: ; delimiter, quoted newlines, BOM", () => {
  it("imports every row with exact values", async () => {
    const csv =
      "\ufeffExternal ID;Name;Industry;Employees;Annual revenue;Country;City\r\n" +
      'S-1;"Acme\nCorp";software;1200;"$1.234.567,50";USA;"New\r\nYork"\r\n' +
      "S-2;Globex;;\"2,500\";€99;Germany;Berlin\r\n";
    const s = await run({ object: "account", file: file("semi.csv", csv) });
    expect(s).toMatchObject({ read: 2, inserted: 2, updated: 0, rejected: 0, delimiter: ";", encoding: "UTF-8 (BOM)", key: "external_id" });
    const accounts = await allRecords(t.ctx, "account");
    const acme = accounts.find((a) => a.external_id === "S-1")!;
    expect(acme).toMatchObject({ name: "Acme\nCorp", employees: 1200, country: "USA", city: "New\r\nYork", annual_revenue: { amount: "1234567.50", currency: "USD" } });
    const globex = accounts.find((a) => a.external_id === "S-2")!;
    expect(globex).toMatchObject({ name: "Globex", employees: 2500, industry: null, annual_revenue: { amount: "99.00", currency: "EUR" } });
  });
});

describe("GBK file from Excel in China", () => {
  it("detects GB18030, matches zh labels and resolves relations by name", async () => {
    const accounts =
      "外部编号,客户名称,行业,电话,员工人数,年收入\r\n" +
      "CN-1,北京字节跳动科技有限公司,互联网,010-12345678,\"1,200\",\"￥1,000,000.00\"\r\n" +
      "CN-2,阿里巴巴（中国）有限公司,电子商务,１３８００１３８０００,2万,\"2,500元\"\r\n";
    const s = await run({ object: "account", file: file("gbk-accounts.csv", iconv.encode(accounts, "gbk")) });
    expect(await rejections(s.id)).toEqual([]);
    expect(s).toMatchObject({ read: 2, inserted: 2, rejected: 0, encoding: "GB18030" });
    const contacts =
      "姓名,电话,客户\r\n" +
      "张三,13912345678,北京 字节跳动科技有限公司\r\n" +
      "李四,021-87654321,阿里巴巴(中国)有限公司\r\n";
    const c = await run({ object: "contact", file: file("gbk-contacts.csv", iconv.encode(contacts, "gbk")) });
    expect(c).toMatchObject({ read: 2, inserted: 2, rejected: 0, key: null });
    const all = await allRecords(t.ctx, "account");
    const bytedance = all.find((a) => a.external_id === "CN-1")!;
    const alibaba = all.find((a) => a.external_id === "CN-2")!;
    expect(bytedance).toMatchObject({ name: "北京字节跳动科技有限公司", industry: "互联网", phone: "010-12345678", employees: 1200, annual_revenue: { amount: "1000000.00", currency: "CNY" } });
    expect(alibaba).toMatchObject({ name: "阿里巴巴（中国）有限公司", phone: "13800138000", employees: 20000, annual_revenue: { amount: "2500.00", currency: "CNY" } });
    const people = await allRecords(t.ctx, "contact");
    expect(byName(people, "张三")).toMatchObject({ phone: "13912345678", account: bytedance.id });
    // Full-width brackets in the stored name, ASCII ones in the file: NFKC makes them equal.
    expect(byName(people, "李四")).toMatchObject({ phone: "021-87654321", account: alibaba.id });
  });

  it("an explicit encoding wins over detection", async () => {
    const bytes = iconv.encode("name,code\r\n华东,E\r\n", "gbk");
    const s = await run({ object: "region", file: file("gbk-region.csv", bytes), encoding: "gbk" });
    expect(s).toMatchObject({ inserted: 1, encoding: "gbk" });
    expect(byName(await allRecords(t.ctx, "region"), "华东")).toMatchObject({ code: "E" });
  });
});

describe("UTF-16", () => {
  it("reads UTF-16 LE with a BOM and UTF-16 BE without one", async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode("Name\tSeries\tList price\r\nWidget Ü\tW\t1,000.5\r\n", "utf-16le")]);
    const be = iconv.encode("Name\tSeries\tList price\r\n部件 二\tB\t¥88\r\n", "utf-16be");
    const a = await run({ object: "product", file: file("le.txt", le) });
    const b = await run({ object: "product", file: file("be.txt", be) });
    expect(a).toMatchObject({ inserted: 1, rejected: 0, encoding: "UTF-16LE (BOM)", delimiter: "\t" });
    expect(b).toMatchObject({ inserted: 1, rejected: 0, encoding: "UTF-16BE", delimiter: "\t" });
    const products = await allRecords(t.ctx, "product");
    expect(byName(products, "Widget Ü")).toMatchObject({ series: "W", list_price: { amount: "1000.50", currency: "USD" } });
    expect(byName(products, "部件 二")).toMatchObject({ series: "B", list_price: { amount: "88.00", currency: "CNY" } });
  });
});

describe("XLSX made with exceljs", () => {
  it("takes date cells and serial dates, numbers and zh picklist labels", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Deals");
    ws.addRow(["External ID", "Name", "Stage", "Amount", "Close date", "Engage date", "Account", "Probability"]);
    ws.addRow(["X-1", "Big deal", "赢单", 12345.67, new Date(Date.UTC(2024, 0, 5)), 45000, "Globex", "35%"]);
    ws.addRow(["X-2", "Small deal", "engaging", "1,054", "2024/3/9", "2024年2月1日", "", 10]);
    ws.getColumn(5).numFmt = "yyyy-mm-dd";
    wb.addWorksheet("Ignored").addRow(["not", "read"]);
    const p = path.join(t.dir, "deals.xlsx");
    await wb.xlsx.writeFile(p);
    const s = await run({ object: "opportunity", file: p });
    expect(s).toMatchObject({ read: 2, inserted: 2, rejected: 0, delimiter: null });
    const deals = await allRecords(t.ctx, "opportunity");
    const globex = (await allRecords(t.ctx, "account")).find((a) => a.name === "Globex")!;
    // Serial 45000 is 2023-03-15 (days since 1899-12-30).
    expect(deals.find((d) => d.external_id === "X-1")).toMatchObject({
      name: "Big deal", stage: "Won", amount: { amount: "12345.67", currency: "USD" }, close_date: "2024-01-05", engage_date: "2023-03-15", account: globex.id, probability: 35,
    });
    expect(deals.find((d) => d.external_id === "X-2")).toMatchObject({
      name: "Small deal", stage: "Engaging", amount: { amount: "1054.00", currency: "USD" }, close_date: "2024-03-09", engage_date: "2024-02-01", account: null, probability: 10,
    });
  });
});

describe("bad rows, re-runs and dry runs", () => {
  const header = "External ID,Name,Stage,Close date,Account,Amount,Notes2\n";
  const rows = [
    "B-1,Fine one,Won,2024-01-05,Globex,100,x",
    "B-2,Bad stage,Maybe,2024-01-05,Globex,100,x",
    "B-3,Bad date,Lost,2024-02-30,Globex,100,x",
    "B-4,No such account,Won,2024-01-05,Nobody Inc,100,x",
    "B-5,Ambiguous,Won,05/01/2024,Globex,100,x",
    "B-6,,Won,2024-01-05,Globex,100,x",
    "B-7,Fine two,Prospecting,,globex,\"(1,000)\",x",
    "B-8,Two problems,Nope,13/13/2024,Globex,abc,x",
  ];
  const csv = header + rows.join("\n") + "\n";

  it("rejects each bad row with its column and reason; the counts add up", async () => {
    const s = await run({ object: "opportunity", file: file("bad.csv", csv) });
    expect(s).toMatchObject({ read: 8, inserted: 2, updated: 0, rejected: 6, unmappedColumns: ["Notes2"] });
    expect(s.read).toBe(s.inserted + s.updated + s.rejected);
    const report = await rejections(s.id);
    expect(report.map((r) => [r.row, r.column, r.value])).toEqual([
      [2, "Stage", "Maybe"],
      [3, "Close date", "2024-02-30"],
      [4, "Account", "Nobody Inc"],
      [5, "Close date", "05/01/2024"],
      [6, "Name", null],
      [8, "Stage", "Nope"],
      [8, "Close date", "13/13/2024"],
      [8, "Amount", "abc"],
    ]);
    expect(report[0]!.reason).toMatch(/not an option/);
    expect(report[1]!.reason).toMatch(/not a valid date/);
    expect(report[2]!.reason).toBe('no account named "Nobody Inc"');
    expect(report[3]!.reason).toMatch(/ambiguous day\/month/);
    expect(report[4]!.reason).toMatch(/required/i);
    const deals = await allRecords(t.ctx, "opportunity");
    expect(deals.find((d) => d.external_id === "B-7")).toMatchObject({ name: "Fine two", amount: { amount: "-1000.00", currency: "USD" } });
    expect(deals.filter((d) => String(d.external_id).startsWith("B-")).length).toBe(2);
  });

  it("re-running the same file updates instead of duplicating", async () => {
    const before = (await allRecords(t.ctx, "opportunity")).length;
    const s = await run({ object: "opportunity", file: file("bad.csv", csv) });
    expect(s).toMatchObject({ read: 8, inserted: 0, updated: 2, rejected: 6 });
    expect((await allRecords(t.ctx, "opportunity")).length).toBe(before);
  });

  it("on-unresolved=empty keeps the row with the relation empty, and reports it", async () => {
    const one = header + "B-4,No such account,Won,2024-01-05,Nobody Inc,100,x\n";
    const s = await run({ object: "opportunity", file: file("empty.csv", one), onUnresolved: "empty" });
    expect(s).toMatchObject({ read: 1, inserted: 1, rejected: 0, warnings: 1 });
    const report = await rejections(s.id);
    expect(report).toEqual([{ row: 1, column: "Account", value: "Nobody Inc", reason: 'no account named "Nobody Inc" (left empty)' }]);
    expect((await allRecords(t.ctx, "opportunity")).find((d) => d.external_id === "B-4")).toMatchObject({ account: null });
  });

  it("a dry run checks everything, reports the same, and writes nothing", async () => {
    const fresh = header + rows.map((r) => r.replace(/^B-/, "D-")).join("\n") + "\n";
    const before = await allRecords(t.ctx, "opportunity");
    const audit = await t.db.kysely.selectFrom("audit_log").select((eb) => eb.fn.countAll().as("n")).executeTakeFirst();
    const s = await run({ object: "opportunity", file: file("dry.csv", fresh), dryRun: true });
    expect(s).toMatchObject({ dryRun: true, read: 8, inserted: 2, updated: 0, rejected: 6 });
    expect((await rejections(s.id)).length).toBe(8);
    expect(await allRecords(t.ctx, "opportunity")).toEqual(before);
    const after = await t.db.kysely.selectFrom("audit_log").select((eb) => eb.fn.countAll().as("n")).executeTakeFirst();
    expect(Number(after!.n)).toBe(Number(audit!.n));
  });

  it("--key picks another unique field; an unknown target field is an error", async () => {
    const s = await run({ object: "product", file: file("keyed.csv", "Name,List price\nWidget Ü,2000\n"), key: "name" });
    expect(s).toMatchObject({ inserted: 0, updated: 1 });
    expect(byName(await allRecords(t.ctx, "product"), "Widget Ü")).toMatchObject({ list_price: { amount: "2000.00", currency: "USD" } });
    await expect(run({ object: "product", file: file("keyed.csv", "Name\nx\n"), mapping: { columns: { Name: "nope" } } })).rejects.toThrow(/not valid/);
  });
});

describe("relations to the same object in one file", () => {
  it("sets parent accounts in a second pass, by name, loosely", async () => {
    const csv =
      "external_id,name,parent_account\n" +
      "H-1,Holding Group,\n" +
      "H-2,Daughter One,holding group\n" +
      "H-3,Grand Child,DAUGHTER  ONE\n" +
      "H-4,,Holding Group\n" +
      "H-5,Orphan,Daughter Missing\n" +
      "H-6,Stepchild,Holding Group\n";
    const s = await run({ object: "account", file: file("tree.csv", csv) });
    // H-4 has no name (required); H-5 names a parent that is neither stored nor in the file.
    expect(s).toMatchObject({ read: 6, inserted: 4, rejected: 2 });
    const accounts = await allRecords(t.ctx, "account");
    const id = (ext: string) => accounts.find((a) => a.external_id === ext)?.id;
    expect(accounts.find((a) => a.external_id === "H-1")).toMatchObject({ parent_account: null });
    expect(accounts.find((a) => a.external_id === "H-2")).toMatchObject({ parent_account: id("H-1") });
    expect(accounts.find((a) => a.external_id === "H-3")).toMatchObject({ parent_account: id("H-2") });
    expect(accounts.find((a) => a.external_id === "H-6")).toMatchObject({ parent_account: id("H-1") });
    const report = await rejections(s.id);
    expect(report.map((r) => [r.row, r.column])).toEqual([
      [4, "name"],
      [5, "parent_account"],
    ]);
  });
});

describe("a <field>_currency column", () => {
  it("gives the currency of a bare amount; an empty one leaves the default; a contradicting cell is rejected", async () => {
    const csv =
      "external_id,name,stage,close_date,amount,amount_currency\n" +
      "CUR-1,Euro deal,Won,2024-01-05,100,EUR\n" +
      "CUR-2,Yen deal,Won,2024-01-05,1500,jpy\n" +
      "CUR-3,Default deal,Won,2024-01-05,7.5,\n" +
      "CUR-4,Clash deal,Won,2024-01-05,€100,USD\n" +
      "CUR-5,Agreeing deal,Won,2024-01-05,€20,EUR\n";
    const s = await run({ object: "opportunity", file: file("per-row-currency.csv", csv) });
    expect(s).toMatchObject({ read: 5, inserted: 4, updated: 0, rejected: 1 });
    expect(await rejections(s.id)).toEqual([{ row: 4, column: "amount_currency", value: "USD", reason: "the amount says EUR, this column says USD" }]);
    const deals = await allRecords(t.ctx, "opportunity");
    const amountOf = (id: string) => deals.find((d) => d.external_id === id)?.amount;
    expect(amountOf("CUR-1")).toEqual({ amount: "100.00", currency: "EUR" });
    expect(amountOf("CUR-2")).toEqual({ amount: "1500", currency: "JPY" });
    expect(amountOf("CUR-3")).toEqual({ amount: "7.50", currency: "USD" });
    expect(amountOf("CUR-4")).toBeUndefined();
    expect(amountOf("CUR-5")).toEqual({ amount: "20.00", currency: "EUR" });
  });

  it("export then import of a non-default-currency amount round-trips", async () => {
    const created = await createRecord(t.ctx, "opportunity", {
      external_id: "RT-1",
      name: "Round trip",
      stage: "Won",
      close_date: "2024-02-01",
      amount: { amount: "1234.56", currency: "EUR" },
    });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    const filter = { field: "external_id", op: "eq", value: "RT-1" };
    await exportRecords(t.ctx, { object: "opportunity", format: "csv", filter, fields: "external_id,name,amount" }, out);
    const exported = Buffer.concat(chunks).toString("utf8");
    expect(exported.replace(/^\ufeff/, "").trim().split(/\r?\n/)).toEqual(["id,external_id,name,amount,amount_currency", `${String(created.id)},RT-1,Round trip,1234.56,EUR`]);
    // Change the stored amount, then import the export: the EUR amount comes back.
    await updateRecord(t.ctx, "opportunity", String(created.id), { amount: { amount: "1.00", currency: "USD" } });
    const s = await run({ object: "opportunity", file: file("round-trip.csv", exported) });
    expect(s).toMatchObject({ read: 1, inserted: 0, updated: 1, rejected: 0 });
    expect((await allRecords(t.ctx, "opportunity")).find((d) => d.external_id === "RT-1")).toMatchObject({ amount: { amount: "1234.56", currency: "EUR" } });
  });
});
