/**
 * What an exported file holds, read back byte by byte (CSV) and cell by cell with exceljs (XLSX):
 * - text cells starting with = + - @, a tab or a carriage return get a leading ', so that no
 *   spreadsheet runs them; typed numbers (a -5 amount) stay numbers;
 * - with the watermark setting on, an XLSX file names who exported it (user, login, time) in its
 *   page header and footer and in a hidden "_export_info" sheet with the filter; CSV gets no extra line.
 */
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app";
import { neutraliseCell, sheetName } from "./export.service";

const AT = new Date("2026-03-05T14:07:09.000Z");
let t: TestApp;
let accountId: string;
const opportunityIds: Record<string, string> = {};

/** Opportunity name -> next step, each a formula trigger (or a harmless text). */
const NASTY: [name: string, nextStep: string][] = [
  ["Equals", '=HYPERLINK("http://evil.example","click")'],
  ["Plus", "+1+2"],
  ["Minus", "-5"],
  ["At", "@SUM(A1:A2)"],
  ["Tab", "\t=1+1"],
  ["Return", "\r=1+1"],
  ["Plain", "call back"],
];

beforeAll(async () => {
  t = await createTestApp({ clock: () => AT });
  accountId = (await t.post("/api/objects/account/records", { name: "=Acme" })).body.id as string;
  let i = 0;
  for (const [name, nextStep] of NASTY) {
    const res = await t.post("/api/objects/opportunity/records", { name, next_step: nextStep, account: accountId, amount: { amount: i === 2 ? "-5" : "1234.5", currency: "USD" }, external_id: `opp-${i}` });
    expect(res.status, name).toBe(201);
    opportunityIds[name] = res.body.id as string;
    i++;
  }
}, 60_000);

afterAll(async () => {
  await t?.close();
});

async function download(path: string, body: Record<string, unknown>): Promise<Buffer> {
  const res = await fetch(t.url + path, { method: "POST", headers: { authorization: `Bearer ${t.admin.token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

const FIELDS = "name,next_step,account,amount";

describe("CSV", () => {
  it("neutralises formula triggers in the bytes and keeps numbers as numbers, without a comment line", async () => {
    const bytes = await download("/api/exports", { object: "opportunity", format: "csv", fields: FIELDS, sort: "external_id" });
    const text = bytes.toString("utf8");
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = text.slice(1).split("\r\n");
    // The first line is the header: no comment or watermark line in CSV.
    expect(lines[0]).toBe("id,external_id,name,next_step,account,amount,amount_currency");
    const id = (name: string) => opportunityIds[name];
    // Amounts are exact decimals at the currency's scale. Papa quotes a field holding a quote, a leading/trailing space or tab, or a line break.
    expect(lines.slice(1, 9)).toEqual([
      `${id("Equals")},opp-0,Equals,"'=HYPERLINK(""http://evil.example"",""click"")",'=Acme,1234.50,USD`,
      `${id("Plus")},opp-1,Plus,'+1+2,'=Acme,1234.50,USD`,
      `${id("Minus")},opp-2,Minus,'-5,'=Acme,-5.00,USD`,
      `${id("At")},opp-3,At,'@SUM(A1:A2),'=Acme,1234.50,USD`,
      `${id("Tab")},opp-4,Tab,'\t=1+1,'=Acme,1234.50,USD`,
      `${id("Return")},opp-5,Return,"'\r=1+1",'=Acme,1234.50,USD`,
      `${id("Plain")},opp-6,Plain,call back,'=Acme,1234.50,USD`,
      "",
    ]);
  });
});

async function readXlsx(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  return book;
}

describe("XLSX", () => {
  it("neutralises text cells and keeps typed numbers; no marks while the watermark is off", async () => {
    expect((await t.get("/api/settings/watermark")).body).toEqual({ enabled: false, source: "default" });
    const book = await readXlsx(await download("/api/exports", { object: "opportunity", format: "xlsx", fields: FIELDS, sort: "external_id" }));
    expect(book.worksheets.map((s) => s.name)).toEqual(["Opportunities"]);
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, "id", "external_id", "name", "next_step", "account", "amount", "amount_currency"]);
    const nextSteps = [2, 3, 4, 5, 6, 7, 8].map((r) => sheet.getCell(r, 4).value);
    // A bare carriage return inside XML text reads back as a line feed (XML end-of-line handling).
    expect(nextSteps).toEqual(["'" + NASTY[0]![1], "'+1+2", "'-5", "'@SUM(A1:A2)", "'\t=1+1", "'\n=1+1", "call back"]);
    // No cell is a formula.
    sheet.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));
    expect(sheet.getCell(4, 5).value).toBe("'=Acme");
    // The -5 amount is a number cell, not text.
    expect(sheet.getCell(4, 6).value).toBe(-5);
    expect(sheet.getCell(4, 6).type).toBe(ExcelJS.ValueType.Number);
    expect(sheet.getCell(2, 6).value).toBe(1234.5);
    expect(sheet.headerFooter?.oddHeader ?? "").toBe("");
  });

  it("marks the file with who exported it, when, and the filter when the watermark is on", async () => {
    expect((await t.request("PUT", "/api/settings/watermark", { body: { enabled: true } })).body).toMatchObject({ enabled: true, source: "setting" });
    try {
      const filter = { field: "name", op: "in", value: ["Plus", "Minus"] };
      const book = await readXlsx(await download("/api/exports", { object: "opportunity", format: "xlsx", fields: FIELDS, filter }));
      const sheet = book.getWorksheet("Opportunities")!;
      const who = "Exported by Administrator (admin@example.com) 2026-03-05 14:07 UTC";
      expect(sheet.headerFooter.oddHeader).toBe(`&L${who}&RRevline · opportunity`);
      expect(sheet.headerFooter.oddFooter).toBe(`&L${who}&RPage &P of &N`);
      const info = book.getWorksheet("_export_info")!;
      expect(info.state).toBe("hidden");
      const pairs: Record<string, unknown> = {};
      info.eachRow((row, n) => {
        if (n > 1) pairs[row.getCell(1).text] = row.getCell(2).value;
      });
      expect(pairs).toEqual({
        exported_by: "Administrator",
        login: "admin@example.com",
        exported_at: "2026-03-05T14:07:09.000Z",
        object: "opportunity",
        filter: JSON.stringify(filter),
        rows: 2,
        format: "xlsx",
        // A direct export has no request; ExcelJS reads the empty cell back as null.
        request_id: null,
      });
      // CSV stays plain data with the watermark on.
      const csv = (await download("/api/exports", { object: "opportunity", format: "csv", fields: "name", filter })).toString("utf8");
      expect(csv.slice(1).split("\r\n")[0]).toBe("id,external_id,name");
      expect(csv).not.toContain("admin@example.com");
    } finally {
      await t.request("PUT", "/api/settings/watermark", { body: { enabled: false } });
    }
  });

  it("settings: only an administrator changes them; unknown fields are 400", async () => {
    const rep = await t.createUser({ name: "Rita Rep", email: "rita@example.com", roles: ["sales_rep"] });
    expect((await t.get("/api/settings/watermark", { token: rep.token })).status).toBe(200);
    expect((await t.request("PUT", "/api/settings/watermark", { body: { enabled: true }, token: rep.token })).status).toBe(403);
    expect((await t.request("PUT", "/api/settings/export", { body: { approvalThreshold: 1 }, token: rep.token })).status).toBe(403);
    const bad = await t.request("PUT", "/api/settings/watermark", { body: { enabled: true, colour: "red" } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe("colour");
    expect((await t.request("PUT", "/api/settings/export", { body: { approvalThreshold: -1 } })).status).toBe(400);
    const changes = await t.get("/api/audit?action=settings.changed&recordId=watermark");
    expect(changes.body.entries.map((e: { changes: unknown }) => e.changes)).toEqual([{ enabled: { before: true, after: false } }, { enabled: { before: false, after: true } }]);
  });
});

describe("the rules, table-driven", () => {
  it.each([
    ["=1+1", "'=1+1"],
    ["+49 30 123", "'+49 30 123"],
    ["-x", "'-x"],
    ["@me", "'@me"],
    ["\tx", "'\tx"],
    ["\rx", "'\rx"],
    [" =1", " =1"],
    ["a=1", "a=1"],
    ["", ""],
    [-5, -5],
    [0, 0],
    [true, true],
    [null, null],
  ] as [unknown, unknown][])("neutraliseCell(%j) is %j", (input, expected) => {
    expect(neutraliseCell(input)).toEqual(expected);
  });

  it.each([
    ["Accounts", "Accounts"],
    ["Orders/Returns [EU]", "Orders Returns  EU"],
    ["A:B*C?D\\E", "A B C D E"],
    ["x".repeat(40), "x".repeat(31)],
    ["???", "Records"],
    ["_export_info", "Records"],
  ])("sheetName(%j) is %j", (label, expected) => {
    expect(sheetName(label)).toBe(expected);
  });
});
