/**
 * Running an import: file rows -> lenient coercion -> records.bulkUpsert, 1,000 rows a batch.
 *
 * - Each batch is one transaction holding its records, its report lines and the job's progress
 *   (`last_committed_row`), so a killed import leaves every batch fully in or out, and `resume`
 *   continues after the last committed row. Re-running the whole file is safe too: rows upsert by
 *   the key (the object's external key field, or the one asked for), so they update instead of
 *   duplicating. Rows without a key value are inserted; an import whose key field no column feeds,
 *   or that asks for no key (`key: null`, `--no-key`), inserts every row (running it twice inserts twice).
 * - Rows whose cells cannot be coerced are rejected before the batch; when the records layer still
 *   refuses rows (validation, duplicates), those are taken out, reported, and the batch retried.
 * - read = inserted + updated + rejected, always.
 * - Relations to the same object inside the file (account.parent_account by name) are set in a
 *   second pass once every row exists; a value naming neither an existing record nor a row of the
 *   file is unresolved like any other.
 * - A dry run sends every batch through the records layer inside a transaction that is rolled back:
 *   same checks, same report, no records written (the job row and its report are kept). Since an
 *   earlier batch's inserts are gone by the next batch, a key seen again in a later batch (which the
 *   real run updates) is counted as an update there too: the counts equal the real run's.
 */
import fs from "node:fs";
import path from "node:path";
import { v7 as uuidv7 } from "uuid";
import { forbidden, invalid, type Condition, type ObjectDef } from "@revline/core";
import { policyFor } from "../access";
import type { Ctx } from "../context";
import { optimizeDb } from "../db";
import { listRecords } from "../records";
import { writeBatch } from "./import-batch";
import * as jobs from "./import-job.repo";
import type { ImportJob, JobOptions, Rejection } from "./import-job.repo";
import { openRowSource, type RowSource } from "./file-reader";
import type { DateOrder } from "./lenient-date";
import { checkMappingFile, planImport, type ImportPlan, type MappingFile } from "./mapping";
import { textOf } from "./normalize";
import { loadRelationIndex, type RelationIndex } from "./relation-index";
import { buildRow, ownKeysOf, type BuiltRow, type Deferred, type RowRules } from "./row-builder";
import { setDeferredRelations } from "./self-relations";

export const BATCH_SIZE = 1000;

export type ImportRequest = {
  object: string;
  /** Path of the file to read. */
  file: string;
  /** Name shown in reports (default: the file's base name). */
  fileName?: string;
  mapping?: MappingFile;
  /** The key field to upsert by; null: none, every row is inserted (default: the mapping file's, else the external key). */
  key?: string | null;
  dateOrder?: DateOrder;
  onUnresolved?: "reject" | "empty";
  encoding?: string;
  dryRun?: boolean;
  batchSize?: number;
  /** Run this existing job (created by an upload); its stored options fill in what is not given. */
  jobId?: string;
  /** Continue the newest unfinished job for the same object and file (or the job with this id). */
  resume?: boolean | string;
  onProgress?: (p: ImportProgress) => void;
  /** Called once the job row exists (before any batch). */
  onStart?: (jobId: string) => void;
};

export type ImportProgress = { read: number; total: number | null; inserted: number; updated: number; rejected: number };

export type ImportSummary = ImportProgress & {
  id: string;
  object: string;
  fileName: string;
  status: jobs.ImportStatus;
  dryRun: boolean;
  encoding: string | null;
  delimiter: string | null;
  key: string | null;
  /** Problems on rows that still went in (relations left empty). */
  warnings: number;
  unmappedColumns: string[];
  mapping: Record<string, string | null>;
  /** Rows already committed by an earlier run of this job, skipped now. */
  resumedAfterRow: number;
  durationMs: number;
};

export function objectOf(ctx: Ctx, name: string): ObjectDef {
  const object = ctx.meta(name);
  if (!object) throw invalid(`unknown object "${name}"`, [{ field: "object", reason: "no such object" }]);
  return object;
}

/** The object an actor imports into: it must exist and the actor's roles must grant "import" on it (403 otherwise). */
export function importTarget(ctx: Ctx, name: string): ObjectDef {
  const object = objectOf(ctx, name);
  if (!policyFor(ctx, object.name, "import").allowed) throw forbidden(`You may not import ${object.labelPlural.en.toLowerCase()}.`);
  return object;
}

const defined = (o: JobOptions) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as JobOptions;

async function startJob(ctx: Ctx, req: ImportRequest, object: ObjectDef, absFile: string): Promise<ImportJob> {
  const stat = fs.statSync(absFile);
  const given: JobOptions = defined({
    mapping: req.mapping,
    key: req.key,
    dateOrder: req.dateOrder,
    onUnresolved: req.onUnresolved,
    encoding: req.encoding,
    dryRun: req.dryRun,
  });
  let job: ImportJob | undefined;
  if (req.jobId) {
    job = await jobs.findJob(ctx.db, req.jobId);
    if (!job) throw invalid(`no import ${req.jobId}`, [{ field: "id", reason: "not found" }]);
  } else if (req.resume) {
    job = typeof req.resume === "string" ? await jobs.findJob(ctx.db, req.resume) : await jobs.findResumableJob(ctx.db, object.name, absFile);
    // A mistyped id must not quietly start the whole file again.
    if (!job && typeof req.resume === "string") throw invalid(`there is no import ${req.resume} to resume`, [{ field: "resume", reason: "no such import" }]);
    if (job && (job.options.fileSize !== stat.size || job.options.fileMtime !== stat.mtimeMs)) {
      throw invalid("the file changed since the import started: run it again without resume (rows upsert by key)", [{ field: "file", reason: "changed" }]);
    }
  }
  const fileFacts = { fileSize: stat.size, fileMtime: stat.mtimeMs };
  if (job) {
    if (job.status === "done" && !job.options.dryRun) throw invalid(`import ${job.id} already finished`, [{ field: "id", reason: "done" }]);
    const options = { ...job.options, ...given, ...fileFacts };
    await jobs.updateJob(ctx.db, job.id, { status: "running", options, error: null, object: object.name }, ctx.clock());
    return { ...job, options, object: object.name };
  }
  return jobs.insertJob(
    ctx.db,
    { id: uuidv7(), object: object.name, fileName: req.fileName ?? path.basename(absFile), filePath: absFile, options: { ...given, ...fileFacts }, createdBy: ctx.actor.id, status: "running" },
    ctx.clock(),
  );
}

export function resolveKey(object: ObjectDef, plan: ImportPlan, asked: string | null | undefined): string | undefined {
  // Asked for no key: insert only, even when a column feeds the external key.
  if (asked === null) return undefined;
  const fed = new Set([...plan.columns.filter((c) => c.part === "value").map((c) => c.field.name), ...plan.sets.map((s) => s.field.name)]);
  if (asked) {
    if (!object.fields.some((f) => f.name === asked)) throw invalid(`${object.name} has no field "${asked}" to use as the key`, [{ field: "key", reason: "unknown field" }]);
    if (!fed.has(asked)) throw invalid(`the key "${asked}" is not fed by any column`, [{ field: "key", reason: "not mapped" }]);
    return asked;
  }
  const key = object.externalKeyField;
  return key && fed.has(key) ? key : undefined;
}

async function loadIndexes(ctx: Ctx, plan: ImportPlan): Promise<Map<string, RelationIndex>> {
  const indexes = new Map<string, RelationIndex>();
  for (const col of plan.columns) {
    const target = col.field.relation?.object;
    if (col.part !== "value" || !target || indexes.has(target)) continue;
    indexes.set(target, await loadRelationIndex(ctx, objectOf(ctx, target)));
  }
  return indexes;
}

/** A first pass: the row count, and the names/keys of this file's rows when it refers to itself. */
async function scanFile(open: () => Promise<RowSource>, rules: Pick<RowRules, "object" | "plan" | "keyField">, wantKeys: boolean) {
  const source = await open();
  const ownKeys = new Set<string>();
  let total = 0;
  try {
    for await (const r of source.rows) {
      total++;
      if (wantKeys) for (const k of ownKeysOf(rules, r.cells)) ownKeys.add(k);
    }
  } finally {
    source.close();
  }
  return { total, ownKeys };
}

function keyTextOf(b: BuiltRow, keyField: string): string | undefined {
  const key = b.record[keyField];
  return key === undefined || key === null || key === "" ? undefined : textOf(key);
}

/**
 * Dry run: the rows of `batch` whose key an earlier batch of this dry run wrote and that do not exist
 * in the database (the earlier insert was rolled back): the dry run inserts them again, the real run
 * updates them.
 */
async function insertedEarlier(ctx: Ctx, object: string, keyField: string, batch: BuiltRow[], dryKeys: Set<string>): Promise<Set<number>> {
  // Rows with an id update by it in both runs; only rows upserting by key can be inserted twice.
  const repeated = batch.filter((b) => (b.record.id === undefined || b.record.id === "") && dryKeys.has(keyTextOf(b, keyField) ?? "\u0000"));
  if (!repeated.length) return new Set();
  const filter: Condition = { field: keyField, op: "in", value: repeated.map((b) => b.record[keyField]) as string[] };
  const found = await listRecords(ctx, object, { filter, fields: [keyField], deleted: "include", limit: 1000 });
  const existing = new Set(found.records.map((r) => textOf(r[keyField])));
  return new Set(repeated.filter((b) => !existing.has(keyTextOf(b, keyField)!)).map((b) => b.row));
}

export async function runImport(ctx: Ctx, req: ImportRequest): Promise<ImportSummary> {
  const started = Date.now();
  const object = importTarget(ctx, req.object);
  const absFile = path.resolve(req.file);
  if (!fs.existsSync(absFile)) throw invalid(`file not found: ${req.fileName ?? req.file}`, [{ field: "file", reason: "not found" }]);
  const job = await startJob(ctx, req, object, absFile);
  req.onStart?.(job.id);
  try {
    return await runJob(ctx, req, object, job, absFile, started);
  } catch (e) {
    const now = ctx.clock();
    await jobs.updateJob(ctx.db, job.id, { status: "failed", error: e instanceof Error ? e.message : String(e), finishedAt: now.toISOString() }, now);
    throw e;
  }
}

async function runJob(ctx: Ctx, req: ImportRequest, object: ObjectDef, job: ImportJob, absFile: string, started: number): Promise<ImportSummary> {
  const options = job.options;
  const dryRun = options.dryRun === true;
  const open = () => openRowSource(absFile, { encoding: options.encoding }, job.fileName);
  const mappingFile = checkMappingFile(options.mapping ?? {});
  const head = await open();
  head.close();
  const plan = planImport(object, head.columns, mappingFile);
  const keyField = resolveKey(object, plan, options.key !== undefined ? options.key : mappingFile.key);
  const hasSelf = plan.columns.some((c) => c.part === "value" && c.field.relation?.object === object.name);
  const { total, ownKeys } = await scanFile(open, { object, plan, keyField }, hasSelf);
  await jobs.updateJob(ctx.db, job.id, { total, encoding: head.encodingLabel ?? null, delimiter: head.delimiter ?? null }, ctx.clock());
  const rules: RowRules = {
    object,
    plan,
    indexes: await loadIndexes(ctx, plan),
    ownKeys,
    keyField,
    dateOrder: options.dateOrder ?? mappingFile.dateOrder,
    onUnresolved: options.onUnresolved ?? mappingFile.onUnresolved ?? "reject",
  };

  // A dry run or a fresh job starts from zero; a resumed one from its committed counts.
  const resumeFrom = dryRun ? 0 : job.lastCommittedRow;
  if (resumeFrom === 0) await jobs.clearRejections(ctx.db, job.id);
  const counts = resumeFrom
    ? { read: job.read, inserted: job.inserted, updated: job.updated, rejected: job.rejected }
    : { read: 0, inserted: 0, updated: 0, rejected: 0 };
  req.onProgress?.({ ...counts, total });
  let warnings = 0;
  let seq = await jobs.nextRejectionSeq(ctx.db, job.id);
  const deferred: Deferred[] = [];
  // The records layer takes at most 1,000 rows per call.
  const batchSize = Math.min(Math.max(1, Math.floor(req.batchSize ?? BATCH_SIZE)), BATCH_SIZE);

  let batch: BuiltRow[] = [];
  let problems: Rejection[] = [];
  let batchRead = 0;
  let batchRejected = 0;
  let batchKeys = new Set<string>();
  let lastRow = resumeFrom;
  // Dry run: keys written by earlier (rolled-back) batches.
  const dryKeys = new Set<string>();

  const commit = async () => {
    if (batchRead === 0) return;
    let next = counts;
    const again = dryRun && keyField ? await insertedEarlier(ctx, object.name, keyField, batch, dryKeys) : new Set<number>();
    const outcome = await writeBatch(ctx, object, keyField, plan, batch, dryRun, async (db, result, refused) => {
      const refusedRows = new Set(refused.map((r) => r.row));
      // Rows the dry run inserted again though the real run would find them from an earlier batch.
      const moved = batch.filter((b) => again.has(b.row) && !refusedRows.has(b.row)).length;
      next = {
        read: counts.read + batchRead,
        inserted: counts.inserted + result.inserted - moved,
        updated: counts.updated + result.updated + moved,
        rejected: counts.rejected + batchRejected + refusedRows.size,
      };
      const lines = [...problems, ...refused].sort((a, b) => a.row - b.row);
      const after = await jobs.addRejections(db, job.id, seq, lines);
      await jobs.saveProgress(db, job.id, { ...next, lastCommittedRow: dryRun ? 0 : lastRow }, ctx.clock());
      seq = after;
    });
    Object.assign(counts, next);
    for (const b of outcome.written) deferred.push(...b.deferred);
    if (dryRun && keyField) for (const b of outcome.written) if (keyTextOf(b, keyField) !== undefined) dryKeys.add(keyTextOf(b, keyField)!);
    batch = [];
    problems = [];
    batchRead = 0;
    batchRejected = 0;
    batchKeys = new Set();
    req.onProgress?.({ ...counts, total });
  };

  const source = await open();
  try {
    for await (const { row, cells } of source.rows) {
      if (row <= resumeFrom) {
        // Committed by an earlier run: only relations still to be set after the first pass matter.
        if (hasSelf) deferred.push(...buildRow(rules, row, cells).deferred);
        continue;
      }
      const built = buildRow(rules, row, cells);
      // A row with an id updates that record whatever its key: ids and keys are told apart.
      const id = built.record.id;
      const keyText = typeof id === "string" && id !== "" ? `\u0000id:${id}` : keyField ? keyTextOf(built, keyField) : undefined;
      // The same key twice in one batch would be one upsert racing itself: close the batch first.
      if (keyText !== undefined && batchKeys.has(keyText)) await commit();
      batchRead++;
      lastRow = row;
      warnings += built.warnings.length;
      problems.push(...built.errors, ...built.warnings);
      if (built.errors.length) batchRejected++;
      else {
        batch.push(built);
        if (keyText !== undefined) batchKeys.add(keyText);
      }
      if (batchRead >= batchSize) await commit();
    }
    await commit();
  } finally {
    source.close();
  }

  if (deferred.length && !dryRun) {
    const unset = await setDeferredRelations(ctx, object, keyField, deferred);
    warnings += unset.length;
    seq = await jobs.addRejections(ctx.db, job.id, seq, unset);
  }
  const finishedAt = ctx.clock();
  await jobs.updateJob(ctx.db, job.id, { status: "done", finishedAt: finishedAt.toISOString() }, finishedAt);
  if (!dryRun && counts.inserted + counts.updated > 0) optimizeDb(ctx.db);
  return {
    id: job.id,
    object: object.name,
    fileName: job.fileName,
    status: "done",
    dryRun,
    encoding: head.encodingLabel ?? null,
    delimiter: head.delimiter ?? null,
    key: keyField ?? null,
    ...counts,
    total,
    warnings,
    unmappedColumns: plan.unmapped,
    mapping: plan.mapping,
    resumedAfterRow: resumeFrom,
    durationMs: Date.now() - started,
  };
}
