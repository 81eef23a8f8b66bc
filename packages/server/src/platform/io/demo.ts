/**
 * The demo data set (demo/manifest.json): a list of import steps, each a file and a mapping file,
 * run in order through the same import engine as any user's file. Nothing here knows the data.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { invalid, type Condition } from "@revline/core";
import { getRoles, setRoles } from "../identity";
import { listRecords } from "../records";
import type { Ctx } from "../context";
import { runImport, type ImportSummary } from "./import.service";
import { checkMappingFile } from "./mapping";

export type DemoStep = { object: string; file: string; map?: string };
/** Roles given to the users a condition selects, after the steps (users are imported like any other record). */
export type DemoRoles = { where: Condition; roles: string[] };
export type DemoManifest = { name: string; steps: DemoStep[]; roles?: DemoRoles[] };

/** The repository's demo/ folder. */
export const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../../demo");

export async function loadDemo(ctx: Ctx, opts: { dir?: string; onStep?: (step: DemoStep, summary: ImportSummary) => void } = {}): Promise<ImportSummary[]> {
  const dir = opts.dir ?? DEMO_DIR;
  const manifestFile = path.join(dir, "manifest.json");
  if (!fs.existsSync(manifestFile)) throw invalid(`no demo manifest at ${manifestFile}`, [{ field: "demo", reason: "missing" }]);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as DemoManifest;
  const summaries: ImportSummary[] = [];
  for (const step of manifest.steps) {
    const mapping = step.map ? checkMappingFile(JSON.parse(fs.readFileSync(path.join(dir, step.map), "utf8"))) : undefined;
    const summary = await runImport(ctx, { object: step.object, file: path.join(dir, step.file), mapping });
    if (summary.rejected > 0) ctx.log.warn({ step, rejected: summary.rejected, importId: summary.id }, "demo rows rejected");
    summaries.push(summary);
    opts.onStep?.(step, summary);
  }
  for (const grant of manifest.roles ?? []) {
    let cursor: string | null = null;
    do {
      const page = await listRecords(ctx, "user", { filter: grant.where, fields: ["id"], sort: [{ field: "id" }], limit: 500, cursor });
      for (const u of page.records) await setRoles(ctx.db, u.id, [...new Set([...(await getRoles(ctx.db, u.id)), ...grant.roles])]);
      cursor = page.nextCursor;
    } while (cursor);
  }
  return summaries;
}
