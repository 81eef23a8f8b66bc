/**
 * Exporting a filtered, sorted list of records as CSV or XLSX, page by page through the records
 * layer (so the actor's row and field policy applies), streamed to the output.
 *
 * - Columns are field names by default (or labels), in the object's field order unless `fields`
 *   says otherwise; a currency field is two columns, `<field>` (amount) and `<field>_currency`,
 *   and a relation shows the related record's name: the file imports back as it is.
 * - Text cells starting with = + - @ (or a tab / carriage return) get a leading ' so that a
 *   spreadsheet never runs them as formulas. Numbers, dates and booleans are typed cells in XLSX.
 * - CSV is UTF-8 with a BOM, which Excel needs to read non-ASCII text correctly.
 */
import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import Papa from "papaparse";
import type { FieldDef, Locale, ObjectDef } from "@revline/core";
import { findField } from "@revline/core";
import type { Ctx } from "../context";
import { parseListQuery } from "../http";
import { listRecords, type RecordData } from "../records";
import { objectOf } from "./import.service";
import { textOf } from "./normalize";

export type ExportFormat = "csv" | "xlsx";
export type ExportRequest = {
  object: string;
  format: ExportFormat;
  /** A JSON condition (string or parsed). */
  filter?: unknown;
  /** "-amount,name" or a list of {field, desc}. */
  sort?: unknown;
  /** Field names, comma-separated or a list. */
  fields?: unknown;
  header?: "name" | "label";
  locale?: Locale;
};

type Column = { header: string; field: FieldDef; part: "value" | "currency" };

export function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function columnsOf(object: ObjectDef, names: string[] | undefined, header: "name" | "label", locale: Locale): Column[] {
  const fields = names ? names.map((n) => findField(object, n)!) : object.fields;
  const cols: Column[] = [];
  for (const f of fields) {
    const title = header === "label" ? (locale === "zh-CN" ? f.label.zh : f.label.en) : f.name;
    cols.push({ header: title, field: f, part: "value" });
    if (f.type === "currency") cols.push({ header: header === "label" ? `${title} (${locale === "zh-CN" ? "币种" : "currency"})` : `${f.name}_currency`, field: f, part: "currency" });
  }
  return cols;
}

type Typed = string | number | boolean | Date | null;

function cellOf(ctx: Ctx, col: Column, record: RecordData): Typed {
  const f = col.field;
  const v = record[f.name];
  if (v === null || v === undefined) return null;
  if (f.type === "currency") {
    const m = v as { amount: string; currency: string };
    return col.part === "currency" ? m.currency : Number(m.amount);
  }
  switch (f.type) {
    case "relation": {
      const related = (record._related as Record<string, Record<string, unknown> | undefined> | undefined)?.[f.name];
      const target = ctx.meta(f.relation!.object);
      const name = related && target ? related[target.nameField] : undefined;
      return neutralise(typeof name === "string" && name !== "" ? name : textOf(v));
    }
    case "integer":
    case "decimal":
    case "percent":
      return typeof v === "number" ? v : Number(v);
    case "boolean":
      return v === true;
    case "date":
      return new Date(`${textOf(v)}T00:00:00.000Z`);
    case "datetime":
      return new Date(textOf(v));
    case "multi_picklist":
      return neutralise((v as string[]).join(", "));
    default:
      return neutralise(typeof v === "string" ? v : JSON.stringify(v));
  }
}

/** CSV text of a typed cell: exact amounts, ISO dates. */
function csvText(col: Column, record: RecordData, typed: Typed): string {
  if (typed === null) return "";
  if (col.field.type === "currency" && col.part === "value") return (record[col.field.name] as { amount: string }).amount;
  if (typed instanceof Date) return col.field.type === "date" ? typed.toISOString().slice(0, 10) : typed.toISOString();
  return String(typed);
}

async function* pages(ctx: Ctx, object: ObjectDef, req: ExportRequest, fields: string[] | undefined): AsyncGenerator<RecordData[]> {
  const q = parseListQuery(object, stripUndefined({ filter: req.filter, sort: req.sort }), "body");
  const include = (fields ? fields.map((n) => findField(object, n)!) : object.fields).filter((f) => f.type === "relation" && !f.isSystem).map((f) => f.name);
  let cursor: string | null = null;
  do {
    const page = await listRecords(ctx, object.name, { filter: q.filter, sort: q.sort, fields, include, limit: 1000, cursor });
    yield page.records;
    cursor = page.nextCursor;
  } while (cursor);
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ""));
}

function write(out: Writable, chunk: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.write(chunk)) resolve();
    else {
      out.once("drain", resolve);
      out.once("error", reject);
    }
  });
}

/** Streams the export into `out` (which it ends); returns the number of records written. */
export async function exportRecords(ctx: Ctx, req: ExportRequest, out: Writable): Promise<{ rows: number }> {
  const object = objectOf(ctx, req.object);
  const fieldList = req.fields === undefined || req.fields === "" ? undefined : parseListQuery(object, { fields: req.fields }, "body").fields;
  const cols = columnsOf(object, fieldList, req.header ?? "name", req.locale ?? "en");
  let rows = 0;
  if (req.format === "csv") {
    await write(out, "\ufeff" + Papa.unparse([cols.map((c) => neutralise(c.header))], { newline: "\r\n" }) + "\r\n");
    for await (const records of pages(ctx, object, req, fieldList)) {
      if (!records.length) continue;
      const lines = records.map((r) => cols.map((c) => csvText(c, r, cellOf(ctx, c, r))));
      await write(out, Papa.unparse(lines, { newline: "\r\n" }) + "\r\n");
      rows += records.length;
    }
    await new Promise<void>((resolve) => out.end(resolve));
    return { rows };
  }
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = book.addWorksheet(object.labelPlural[req.locale === "zh-CN" ? "zh" : "en"]);
  sheet.columns = cols.map((c) => ({
    header: c.header,
    key: c.header,
    width: Math.min(40, Math.max(12, c.header.length + 2)),
    style: c.field.type === "date" ? { numFmt: "yyyy-mm-dd" } : c.field.type === "datetime" ? { numFmt: "yyyy-mm-dd hh:mm:ss" } : c.field.type === "currency" && c.part === "value" ? { numFmt: "#,##0.00" } : {},
  }));
  for await (const records of pages(ctx, object, req, fieldList)) {
    for (const r of records) sheet.addRow(cols.map((c) => cellOf(ctx, c, r))).commit();
    rows += records.length;
  }
  sheet.commit();
  await book.commit();
  return { rows };
}
