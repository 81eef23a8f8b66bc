/**
 * Exporting audit entries for auditors: CSV (UTF-8 with a BOM) or XLSX, streamed in chain order
 * (oldest first) up to the head at the moment the export starts. Each row carries prev_hash and hash
 * and the changes exactly as stored, so the file can be re-hashed independently (docs/audit.md).
 * Text cells starting with = + - @ are neutralised against formula injection (io's rule).
 * The export itself is audited ("audit.exported", with the filter and format) before the first byte.
 */
import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import Papa from "papaparse";
import type { Ctx } from "../context";
import { appendAudit, withTransaction } from "../db";
import { neutralise } from "../io";
import { actorNames, entriesInOrder, type AuditFilter } from "./search";
import { chainHead } from "./verify";
import type { StoredEntry } from "./chain";

export type AuditExportFormat = "csv" | "xlsx";

// id is in the hash: without it nobody could recompute an entry's hash from the file.
const COLUMNS = ["seq", "id", "at", "actor_id", "actor_name", "actor_kind", "action", "object", "record_id", "changes", "ip", "user_agent", "prev_hash", "hash"] as const;

function cells(e: StoredEntry, names: Map<string, string>): (string | number)[] {
  const t = (v: string | null) => (v === null ? "" : neutralise(v));
  return [e.seq, e.id, e.at, t(e.actor_id), t(names.get(e.actor_id) ?? ""), t(e.actor_kind), t(e.action), t(e.object), t(e.record_id), t(e.changes), t(e.ip), t(e.user_agent), e.prev_hash, e.hash];
}

function write(out: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.write(chunk)) resolve();
    else {
      out.once("drain", resolve);
      out.once("error", reject);
    }
  });
}

/** Records the export in the log (its own transaction), then returns the seq the export runs up to. */
export async function recordAuditExport(ctx: Ctx, filter: AuditFilter, format: AuditExportFormat): Promise<number> {
  const through = (await chainHead(ctx.db))?.seq ?? 0;
  await withTransaction(ctx.db, (trx) => appendAudit({ ...ctx, db: trx }, [{ action: "audit.exported", changes: { export: { after: { ...filter, format, throughSeq: through } } } }]));
  return through;
}

/** Streams the entries matching `filter` up to seq `through` into `out` (which it ends); returns the row count. */
export async function writeAuditExport(ctx: Ctx, filter: AuditFilter, format: AuditExportFormat, through: number, out: Writable): Promise<{ rows: number }> {
  let rows = 0;
  const names = new Map<string, string>();
  const namesFor = async (batch: StoredEntry[]) => {
    const missing = batch.map((e) => e.actor_id).filter((id) => !names.has(id));
    if (missing.length) for (const [id, n] of await actorNames(ctx, missing)) names.set(id, n);
    if (names.size > 50_000) names.clear();
  };
  if (format === "csv") {
    await write(out, "\ufeff" + Papa.unparse([[...COLUMNS]], { newline: "\r\n" }) + "\r\n");
    for await (const batch of entriesInOrder(ctx.db, filter, through)) {
      await namesFor(batch);
      await write(out, Papa.unparse(batch.map((e) => cells(e, names)), { newline: "\r\n" }) + "\r\n");
      rows += batch.length;
    }
    await new Promise<void>((resolve) => out.end(resolve));
    return { rows };
  }
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = book.addWorksheet("audit");
  sheet.columns = COLUMNS.map((c) => ({ header: c, key: c, width: c.endsWith("hash") || c === "changes" ? 40 : 18 }));
  for await (const batch of entriesInOrder(ctx.db, filter, through)) {
    await namesFor(batch);
    for (const e of batch) sheet.addRow(cells(e, names)).commit();
    rows += batch.length;
  }
  sheet.commit();
  await book.commit();
  return { rows };
}
