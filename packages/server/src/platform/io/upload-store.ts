/**
 * The files uploaded for imports, one folder per import: `<data>/imports/<import id>/`.
 *
 * An upload is kept while something may still read it, and removed otherwise:
 * - pending (uploaded, not run yet), running, or done as a dry run (the real run reads it next);
 * - failed after committing some batches: running the import again resumes after them;
 * - removed as soon as an import is done for real, or failed before committing anything;
 * - removed by a sweep (on each new upload) once its import has not moved for 24 hours, unless it
 *   is running: never-run uploads, dry runs not followed by a real run and failed imports nobody
 *   resumed. A folder without an import row (a crash during an upload) goes after 24 hours too.
 * Only folders named like an import id under the uploads folder are ever touched: an import run
 * by the command line reads the user's own file, which is never removed.
 */
import fs from "node:fs";
import path from "node:path";
import type { Ctx } from "../context";
import * as jobs from "./import-job.repo";

export const UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether an import may still read its uploaded file (see above). */
export function uploadStillNeeded(job: jobs.ImportJob): boolean {
  switch (job.status) {
    case "pending":
    case "running":
      return true;
    case "done":
      return job.options.dryRun === true;
    case "failed":
      return job.lastCommittedRow > 0;
  }
}

function removeFolder(uploads: string, id: string): boolean {
  if (!ID.test(id)) return false;
  const dir = path.join(uploads, id);
  if (!fs.existsSync(dir)) return false;
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
}

/** After a run of import `id` ends (done or failed): removes its upload unless still needed. */
export async function releaseUpload(ctx: Ctx, uploads: string, id: string): Promise<boolean> {
  const job = await jobs.findJob(ctx.db, id);
  if (job && uploadStillNeeded(job)) return false;
  return removeFolder(uploads, id);
}

/** Removes uploads idle for 24 hours (see above); `keep` is the upload being received now. */
export async function sweepUploads(ctx: Ctx, uploads: string, keep?: string): Promise<string[]> {
  let names: string[];
  try {
    names = fs.readdirSync(uploads);
  } catch {
    return [];
  }
  const now = ctx.clock().getTime();
  const removed: string[] = [];
  for (const name of names) {
    if (name === keep || !ID.test(name)) continue;
    let mtime: number;
    try {
      mtime = fs.statSync(path.join(uploads, name)).mtimeMs;
    } catch {
      continue;
    }
    // The folder's own age first, so that recent uploads cost no query.
    if (now - mtime < UPLOAD_TTL_MS) continue;
    const job = await jobs.findJob(ctx.db, name);
    if (job && (job.status === "running" || now - Date.parse(job.updatedAt) < UPLOAD_TTL_MS)) continue;
    if (removeFolder(uploads, name)) removed.push(name);
  }
  return removed;
}
