/**
 * Writing one batch of rows through records.bulkUpsert in one transaction, together with the
 * batch's report lines and the job's progress. When the records layer refuses rows and names them,
 * they are taken out, reported, and the batch tried again in a fresh transaction.
 */
import { v7 as uuidv7 } from "uuid";
import { AppError, invalid, isAppError, type Condition, type ErrorDetail, type ObjectDef } from "@revline/core";
import type { Ctx, Db } from "../context";
import { policyFor } from "../access";
import { withTransaction } from "../db";
import { bulkUpsert, listRecords } from "../records";
import type { Rejection } from "./import-job.repo";
import type { ImportPlan } from "./mapping";
import { textOf } from "./normalize";
import type { BuiltRow } from "./row-builder";

export type UpsertCounts = { inserted: number; updated: number };
export type BatchOutcome = UpsertCounts & {
  /** Rows the records layer refused, one line per named problem. */
  refused: Rejection[];
  /** Rows that went in (or would have, in a dry run). */
  written: BuiltRow[];
};

class DryRunRollback extends Error {
  constructor(readonly counts: UpsertCounts) {
    super("dry run: rolled back");
  }
}

/** Column header feeding a field, for reporting what the records layer refused. */
function headerOf(plan: ImportPlan, field: string | undefined): string | null {
  if (!field) return null;
  return plan.columns.find((c) => c.field.name === field)?.header ?? `(${field})`;
}

export function valueText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "object") {
    const m = v as { amount?: unknown; currency?: unknown };
    if (m.amount !== undefined && m.currency !== undefined) return `${textOf(m.amount)} ${textOf(m.currency)}`;
    return JSON.stringify(v);
  }
  return textOf(v);
}

/** Row index -> problems, from a records-layer error that names rows; undefined for any other error. */
export function badRows(e: unknown, count: number): Map<number, { field?: string; reason: string }[]> | undefined {
  if (!isAppError(e) || (e.kind !== "invalid" && e.kind !== "conflict")) return undefined;
  const map = new Map<number, { field?: string; reason: string }[]>();
  for (const d of e.details) {
    if (typeof d.row !== "number" || !Number.isInteger(d.row) || d.row < 0 || d.row >= count) return undefined;
    map.set(d.row, [...(map.get(d.row) ?? []), { field: d.field || undefined, reason: d.reason }]);
  }
  return map.size ? map : undefined;
}

/**
 * The rows (positions in `rows`) whose id names no record the actor may change: missing, deleted, or
 * outside the actor's read or update rights, which all read the same so that nothing leaks.
 */
async function unknownIds(ctx: Ctx, object: ObjectDef, rows: BuiltRow[], byId: number[]): Promise<ErrorDetail[]> {
  if (!byId.length) return [];
  const ids = [...new Set(byId.map((i) => String(rows[i]!.record.id)))];
  const update = policyFor(ctx, object.name, "update");
  const found = new Set<string>();
  if (update.allowed) {
    const inList: Condition = { field: "id", op: "in", value: ids };
    const filter: Condition = update.rowCondition ? { all: [inList, update.rowCondition] } : inList;
    const page = await listRecords(ctx, object.name, { filter, fields: ["id"], limit: 1000 });
    for (const r of page.records) found.add(r.id);
  }
  return byId
    .filter((i) => !found.has(String(rows[i]!.record.id)))
    .map((i) => ({ row: i, field: "id", reason: `no ${object.name} with this id that you may change` }));
}

/**
 * Rows with an id update that record; other rows with a key value upsert by it; rows without one (or
 * every row, when the import has no key) are inserted: the records layer matches those by a fresh id
 * that cannot exist yet.
 */
async function upsertRows(ctx: Ctx, object: ObjectDef, keyField: string | undefined, rows: BuiltRow[]): Promise<UpsertCounts> {
  const byId: number[] = [];
  const keyed: number[] = [];
  const fresh: number[] = [];
  rows.forEach((b, i) => {
    const k = keyField ? b.record[keyField] : undefined;
    if (typeof b.record.id === "string" && b.record.id !== "") byId.push(i);
    else (k === undefined || k === null || k === "" ? fresh : keyed).push(i);
  });
  const missing = await unknownIds(ctx, object, rows, byId);
  if (missing.length) throw invalid(`${missing.length} of the rows name no ${object.name} to update`, missing);
  const counts = { inserted: 0, updated: 0 };
  const call = async (indexes: number[], key: string, withId: boolean) => {
    if (!indexes.length) return;
    const records = indexes.map((i) => (withId ? { ...rows[i]!.record, id: uuidv7() } : rows[i]!.record));
    try {
      const r = await bulkUpsert(ctx, object.name, records, { key });
      counts.inserted += r.inserted;
      counts.updated += r.updated;
    } catch (e) {
      // Row numbers in the error are positions in this call: map them back to the batch.
      // Reasons that point at another row ("also in row 3") count in this call too: name the file row.
      if (isAppError(e) && e.details.every((d) => typeof d.row === "number")) {
        const fileRow = (n: string) => rows[indexes[Number(n)] ?? -1]?.row ?? n;
        const details = e.details.map((d) => ({ ...d, row: indexes[d.row!], reason: d.reason.replace(/\(also in row (\d+)\)/g, (_, n: string) => `(also in row ${fileRow(n)})`) }));
        throw new AppError(e.kind, e.message, details);
      }
      throw e;
    }
  };
  await call(byId, "id", false);
  await call(keyed, keyField ?? "id", false);
  await call(fresh, "id", true);
  return counts;
}

/**
 * Upserts `rows` and runs `inTransaction` (report, progress) in the same transaction. A dry run
 * rolls the records back and runs `inTransaction` on its own afterwards.
 */
export async function writeBatch(
  ctx: Ctx,
  object: ObjectDef,
  keyField: string | undefined,
  plan: ImportPlan,
  rows: BuiltRow[],
  dryRun: boolean,
  inTransaction: (db: Db, counts: UpsertCounts, refused: Rejection[]) => Promise<void>,
): Promise<BatchOutcome> {
  let pending = rows;
  const refused: Rejection[] = [];
  for (;;) {
    try {
      const counts = await withTransaction(ctx.db, async (trx) => {
        const r = pending.length ? await upsertRows({ ...ctx, db: trx }, object, keyField, pending) : { inserted: 0, updated: 0 };
        if (dryRun) throw new DryRunRollback(r);
        await inTransaction(trx, r, refused);
        return r;
      });
      return { ...counts, refused, written: pending };
    } catch (e) {
      if (e instanceof DryRunRollback) {
        await withTransaction(ctx.db, (db) => inTransaction(db, e.counts, refused));
        return { ...e.counts, refused, written: pending };
      }
      const bad = badRows(e, pending.length);
      if (!bad) throw e;
      for (const [i, list] of bad) {
        const r = pending[i]!;
        for (const d of list) refused.push({ row: r.row, column: headerOf(plan, d.field), value: d.field ? valueText(r.record[d.field]) : null, reason: d.reason });
      }
      pending = pending.filter((_, i) => !bad.has(i));
    }
  }
}
