/**
 * Exporting a filtered, sorted list of records as CSV or XLSX, page by page through the records
 * layer (so the actor's row and field policy applies), streamed to the output.
 *
 * - Columns are field names by default (or labels), in the object's field order unless `fields`
 *   says otherwise, after the record id (`id` / "ID") and the object's external key field, which are
 *   always there so that the file imports back onto the same records (docs/import.md); a currency
 *   field is two columns, `<field>` (amount) and `<field>_currency`, and a relation shows the related
 *   record's name: the file imports back as it is.
 * - Text cells starting with = + - @ (or a tab / carriage return) get a leading ' so that a
 *   spreadsheet never runs them as formulas. Numbers, dates and booleans are typed cells in XLSX.
 * - CSV is UTF-8 with a BOM, which Excel needs to read non-ASCII text correctly.
 */
import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import Papa from "papaparse";
import type { FieldDef, Locale, ObjectDef } from "@revline/core";
import { findField } from "@revline/core";
import { policyFor } from "../access";
import type { Ctx } from "../context";
import { parseListQuery } from "../http";
import { listRecords, revealMany, type RecordData } from "../records";
import { objectOf } from "./import.service";
import { textOf } from "./normalize";

export type ExportFormat = "csv" | "xlsx";
export type ExportRequest = {
  object: string;
  /** Marks the file with who exported it and when (XLSX header/footer and a hidden "_export_info" sheet). */
  marking?: ExportMarking;
  /**
   * Masked fields to write in clear. Only export-approval.ts sets it, after a second person approved
   * clear values and with the requester's reveal right checked; rows stay the requester's.
   */
  clearFields?: string[];
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

/**
 * Formula-injection guard for any exported cell (records export, audit export, ...): a text cell
 * starting with = + - @, a tab or a carriage return gets a leading ', so that a spreadsheet shows it
 * as text and never runs it. Numbers, booleans, dates and empty cells are returned as they are: a
 * negative number in a number cell stays a number.
 */
export function neutraliseCell<T>(value: T): T | string {
  return typeof value === "string" ? neutralise(value) : value;
}

/** Who exported what, for the marks on an XLSX file (see docs/export.md). */
export type ExportMarking = {
  userName: string;
  login: string;
  at: Date;
  object: string;
  filter?: unknown;
  /** The export request this file was approved under, if any. */
  requestId?: string;
};

/** Excel header/footer text: "&" starts a code there, so a literal one is doubled. */
const hf = (s: string) => s.replace(/&/g, "&&");

function markingLine(m: ExportMarking): string {
  return `${m.userName} (${m.login}) ${m.at.toISOString().replace("T", " ").slice(0, 16)} UTC`;
}

function headerFooterOf(m: ExportMarking) {
  const who = hf(markingLine(m));
  return {
    oddHeader: `&LExported by ${who}&RRevline · ${hf(m.object)}`,
    oddFooter: `&LExported by ${who}&RPage &P of &N`,
  };
}

function addExportInfoSheet(book: ExcelJS.stream.xlsx.WorkbookWriter, m: ExportMarking, rows: number, format: string): void {
  const info = book.addWorksheet("_export_info", { state: "hidden" });
  info.columns = [{ header: "key", key: "key", width: 16 }, { header: "value", key: "value", width: 60 }];
  const filter = m.filter === undefined || m.filter === "" ? "" : typeof m.filter === "string" ? m.filter : JSON.stringify(m.filter);
  const lines: [string, string | number][] = [
    ["exported_by", m.userName],
    ["login", m.login],
    ["exported_at", m.at.toISOString()],
    ["object", m.object],
    ["filter", filter],
    ["rows", rows],
    ["format", format],
    ["request_id", m.requestId ?? ""],
  ];
  for (const [key, value] of lines) info.addRow([key, neutraliseCell(value)]).commit();
  info.commit();
}

/** The rule of a field in a policy, whether written "masked" or { rule: "masked", mask }. */
export function ruleOf(rule: unknown): string | undefined {
  if (typeof rule === "string") return rule;
  if (rule && typeof rule === "object" && typeof (rule as { rule?: unknown }).rule === "string") return (rule as { rule: string }).rule;
  return undefined;
}

/** The fields this actor may not see at all (their read policy says "hidden"). */
function hiddenFields(ctx: Ctx, object: ObjectDef): Set<string> {
  const rules = policyFor(ctx, object.name, "read").fieldRules as Record<string, unknown>;
  return new Set(Object.keys(rules).filter((name) => ruleOf(rules[name]) === "hidden"));
}

/**
 * The fields an export writes: the id, the external key field, then the asked-for fields (or all).
 * Fields in `hidden` are never added by default (the external key, "all fields"); asking for one by
 * name stays an error ("Unknown field"), as everywhere else.
 */
export function exportFields(object: ObjectDef, names: string[] | undefined, hidden: ReadonlySet<string> = new Set()): string[] {
  const key = object.externalKeyField;
  const rest = names ?? object.fields.map((f) => f.name).filter((n) => !hidden.has(n));
  return [...new Set(["id", ...(key && !hidden.has(key) ? [key] : []), ...rest])];
}

/** The fields of an export as this actor would get them (`fields` as the client sent it). */
function exportFieldsFor(ctx: Ctx, object: ObjectDef, fields: unknown): string[] {
  const asked = fields === undefined || fields === "" ? undefined : parseListQuery(object, { fields }, "body").fields;
  return exportFields(object, asked, hiddenFields(ctx, object));
}

/**
 * Reads one record with the export's filter, sort and fields as the actor, so that whatever the
 * records layer refuses (a hidden field named anywhere, a masked one in a filter or sort) is a 400
 * before the answer starts, not a download cut off halfway.
 */
export async function checkExportQuery(ctx: Ctx, req: Pick<ExportRequest, "object" | "filter" | "sort" | "fields">): Promise<void> {
  const object = objectOf(ctx, req.object);
  const q = parseListQuery(object, stripUndefined({ filter: req.filter, sort: req.sort }), "body");
  await listRecords(ctx, object.name, { filter: q.filter, sort: q.sort, fields: exportFieldsFor(ctx, object, req.fields), limit: 1 });
}

function columnsOf(object: ObjectDef, names: string[], header: "name" | "label", locale: Locale): Column[] {
  const fields = names.map((n) => findField(object, n)!);
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

async function* pages(ctx: Ctx, object: ObjectDef, req: ExportRequest, fields: string[]): AsyncGenerator<RecordData[]> {
  const q = parseListQuery(object, stripUndefined({ filter: req.filter, sort: req.sort }), "body");
  const include = fields.map((n) => findField(object, n)!).filter((f) => f.type === "relation" && !f.isSystem).map((f) => f.name);
  let cursor: string | null = null;
  do {
    const page = await listRecords(ctx, object.name, { filter: q.filter, sort: q.sort, fields, include, limit: 1000, cursor });
    if (req.clearFields?.length && page.records.length) await unmask(ctx, object, page.records, req.clearFields);
    yield page.records;
    cursor = page.nextCursor;
  } while (cursor);
}

/**
 * Replaces masked values with clear ones for records the actor already read (so only their rows),
 * as far as their reveal right goes now: rows its row condition covers, fields it does not hide
 * (records' revealMany). Everything else stays masked.
 */
async function unmask(ctx: Ctx, object: ObjectDef, records: RecordData[], fields: string[]): Promise<void> {
  const clear = await revealMany(ctx, object.name, records.map((r) => r.id), fields);
  for (const r of records) {
    const c = clear.get(r.id);
    if (c) for (const f of fields) if (f in r && f in c) r[f] = c[f];
  }
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

/**
 * A name Excel accepts for a sheet: the streaming writer does not check, and Excel refuses a file
 * whose sheet name has * ? : \ / [ ] or more than 31 characters (a custom object's label may).
 */
export function sheetName(label: string): string {
  const name = [...label.replace(/[*?:\\/[\]]/g, " ").trim()].slice(0, 31).join("").trim();
  return name === "" || name === "_export_info" ? "Records" : name;
}

/** Streams the export into `out` (which it ends); returns the number of records written. */
export async function exportRecords(ctx: Ctx, req: ExportRequest, out: Writable): Promise<{ rows: number }> {
  const object = objectOf(ctx, req.object);
  const fieldList = exportFieldsFor(ctx, object, req.fields);
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
  const sheet = book.addWorksheet(sheetName(object.labelPlural[req.locale === "zh-CN" ? "zh" : "en"]), req.marking ? { headerFooter: headerFooterOf(req.marking) } : {});
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
  if (req.marking) addExportInfoSheet(book, req.marking, rows, req.format);
  await book.commit();
  return { rows };
}
