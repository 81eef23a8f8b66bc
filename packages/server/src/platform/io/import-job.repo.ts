/**
 * The import_job and import_rejection system tables (migration 004). Progress moves in the same
 * transaction as the batch it describes, so what the job says is committed always is.
 */
import type { Db } from "../context";
import { toIsoTimestamp } from "../db";
import type { MappingFile } from "./mapping";

export type ImportStatus = "pending" | "running" | "done" | "failed";

export type JobOptions = {
  mapping?: MappingFile;
  /** null: no key, insert every row. */
  key?: string | null;
  dateOrder?: "dmy" | "mdy" | "ymd";
  onUnresolved?: "reject" | "empty";
  encoding?: string;
  dryRun?: boolean;
  /** Size and modification time of the file when the job started: a resume checks it is the same file. */
  fileSize?: number;
  fileMtime?: number;
};

export type ImportJob = {
  id: string;
  object: string;
  fileName: string;
  filePath: string | null;
  status: ImportStatus;
  options: JobOptions;
  encoding: string | null;
  delimiter: string | null;
  total: number | null;
  read: number;
  inserted: number;
  updated: number;
  rejected: number;
  lastCommittedRow: number;
  error: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
};

export type Rejection = { row: number; column: string | null; value: string | null; reason: string };
export type Progress = { read: number; inserted: number; updated: number; rejected: number; lastCommittedRow: number };

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

function fromRow(r: Record<string, unknown>): ImportJob {
  return {
    id: String(r.id),
    object: String(r.object),
    fileName: String(r.file_name),
    filePath: (r.file_path as string | null) ?? null,
    status: r.status as ImportStatus,
    options: JSON.parse(String(r.options)) as JobOptions,
    encoding: (r.encoding as string | null) ?? null,
    delimiter: (r.delimiter as string | null) ?? null,
    total: r.total === null || r.total === undefined ? null : Number(r.total),
    read: num(r.read),
    inserted: num(r.inserted),
    updated: num(r.updated),
    rejected: num(r.rejected),
    lastCommittedRow: num(r.last_committed_row),
    error: (r.error as string | null) ?? null,
    createdBy: String(r.created_by),
    createdAt: toIsoTimestamp(r.created_at)!,
    updatedAt: toIsoTimestamp(r.updated_at)!,
    finishedAt: toIsoTimestamp(r.finished_at),
  };
}

export type NewJob = Pick<ImportJob, "id" | "object" | "fileName" | "filePath" | "options" | "createdBy"> &
  Partial<Pick<ImportJob, "status" | "encoding" | "delimiter" | "total">>;

export async function insertJob(db: Db, job: NewJob, now: Date): Promise<ImportJob> {
  const at = now.toISOString();
  await db.kysely
    .insertInto("import_job")
    .values({
      id: job.id,
      object: job.object,
      file_name: job.fileName,
      file_path: job.filePath,
      status: job.status ?? "pending",
      options: JSON.stringify(job.options),
      encoding: job.encoding ?? null,
      delimiter: job.delimiter ?? null,
      total: job.total ?? null,
      created_by: job.createdBy,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return (await findJob(db, job.id))!;
}

export async function findJob(db: Db, id: string): Promise<ImportJob | undefined> {
  const row = await db.kysely.selectFrom("import_job").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** The newest unfinished job for the same object and file: what `--resume` continues. */
export async function findResumableJob(db: Db, object: string, filePath: string): Promise<ImportJob | undefined> {
  const row = await db.kysely
    .selectFrom("import_job")
    .selectAll()
    .where("object", "=", object)
    .where("file_path", "=", filePath)
    .where("status", "in", ["pending", "running", "failed"])
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export type JobPatch = Partial<Pick<ImportJob, "status" | "options" | "encoding" | "delimiter" | "total" | "error" | "finishedAt" | "object">>;

export async function updateJob(db: Db, id: string, patch: JobPatch, now: Date): Promise<void> {
  const values: Record<string, unknown> = { updated_at: now.toISOString() };
  if (patch.status !== undefined) values.status = patch.status;
  if (patch.options !== undefined) values.options = JSON.stringify(patch.options);
  if (patch.encoding !== undefined) values.encoding = patch.encoding;
  if (patch.delimiter !== undefined) values.delimiter = patch.delimiter;
  if (patch.total !== undefined) values.total = patch.total;
  if (patch.error !== undefined) values.error = patch.error;
  if (patch.finishedAt !== undefined) values.finished_at = patch.finishedAt;
  if (patch.object !== undefined) values.object = patch.object;
  await db.kysely.updateTable("import_job").set(values).where("id", "=", id).execute();
}

/** Records a committed batch: call inside the batch's transaction. */
export async function saveProgress(db: Db, id: string, p: Progress, now: Date): Promise<void> {
  await db.kysely
    .updateTable("import_job")
    .set({
      read: p.read,
      inserted: p.inserted,
      updated: p.updated,
      rejected: p.rejected,
      last_committed_row: p.lastCommittedRow,
      updated_at: now.toISOString(),
    })
    .where("id", "=", id)
    .execute();
}

/** Appends rejections numbered from `firstSeq`; returns the next free number. */
export async function addRejections(db: Db, id: string, firstSeq: number, list: Rejection[]): Promise<number> {
  let seq = firstSeq;
  // 200 rows x 6 values stays under every driver's bound-parameter limit.
  for (let i = 0; i < list.length; i += 200) {
    const chunk = list.slice(i, i + 200).map((r) => ({ import_id: id, seq: seq++, row: r.row, column: r.column, value: r.value, reason: r.reason }));
    await db.kysely.insertInto("import_rejection").values(chunk).execute();
  }
  return seq;
}

export async function nextRejectionSeq(db: Db, id: string): Promise<number> {
  const r = await db.kysely.selectFrom("import_rejection").select((eb) => eb.fn.max("seq").as("m")).where("import_id", "=", id).executeTakeFirst();
  return r?.m === null || r?.m === undefined ? 1 : Number(r.m) + 1;
}

/** Pages through a job's rejections in report order. */
export async function* readRejections(db: Db, id: string, pageSize = 1000): AsyncGenerator<Rejection> {
  let after = 0;
  for (;;) {
    const rows = await db.kysely
      .selectFrom("import_rejection")
      .select(["seq", "row", "column", "value", "reason"])
      .where("import_id", "=", id)
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(pageSize)
      .execute();
    for (const r of rows) yield { row: Number(r.row), column: (r.column as string | null) ?? null, value: (r.value as string | null) ?? null, reason: String(r.reason) };
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/** Drops a job's report (a fresh run or a dry run starts a new one). */
export async function clearRejections(db: Db, id: string): Promise<void> {
  await db.kysely.deleteFrom("import_rejection").where("import_id", "=", id).execute();
}
