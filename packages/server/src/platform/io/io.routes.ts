/**
 * Import and export over HTTP. An upload is stored under the data folder and described (encoding,
 * delimiter, columns, a 20-row sample, row count, suggested mapping); running it goes on in the
 * background of this process with its progress in import_job; everything runs as the request's
 * actor through the records layer. When an upload is removed again: see upload-store.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { v7 as uuidv7 } from "uuid";
import { AppError, conflict, invalid, notFound, type Locale } from "@revline/core";
import type { Ctx } from "../context";
import { parseListQuery, requestCtx } from "../http";
import { cellText, type Cell } from "./coerce";
import { exportRecords, type ExportFormat } from "./export.service";
import { checkDirectExport, registerExportRoutes } from "./export.routes";
import * as jobs from "./import-job.repo";
import { importTarget, runImport } from "./import.service";
import { openRowSource } from "./file-reader";
import { planImport } from "./mapping";
import { writeReportCsv } from "./report";
import { parseRunBody, precheckRun } from "./run-body";
import { releaseUpload, sweepUploads } from "./upload-store";

export type IoDeps = {
  /** Folder for uploads (a sub-folder `imports/` is used); default REVLINE_DATA_DIR or ./data. */
  dataDir?: string;
  /** Largest accepted upload in bytes (default REVLINE_MAX_UPLOAD_BYTES or 512 MiB). */
  maxUploadBytes?: number;
};

const DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

function maxUploadBytesOf(deps: IoDeps): number {
  if (deps.maxUploadBytes !== undefined) return deps.maxUploadBytes;
  const env = Number(process.env.REVLINE_MAX_UPLOAD_BYTES);
  return Number.isSafeInteger(env) && env > 0 ? env : DEFAULT_MAX_UPLOAD_BYTES;
}

const tooLarge = (limit: number) =>
  new AppError("too_large", `The file is larger than an upload may be (${limit} bytes).`, [{ field: "file", reason: "too large" }]);

const SAMPLE_ROWS = 20;

const sampleCell = (c: Cell): string | number | boolean | null => (c === null || c === undefined ? null : c instanceof Date ? cellText(c) : c);

async function visibleJob(ctx: Ctx, id: string): Promise<jobs.ImportJob> {
  const job = await jobs.findJob(ctx.db, id);
  // Someone else's import is as invisible as a missing one.
  if (!job || (job.createdBy !== ctx.actor.id && !ctx.actor.isAdmin)) throw notFound(`There is no import ${id}.`);
  return job;
}

function jobView(job: jobs.ImportJob) {
  return {
    id: job.id,
    object: job.object,
    fileName: job.fileName,
    status: job.status,
    dryRun: job.options.dryRun === true,
    progress: { read: job.read, total: job.total },
    summary: { read: job.read, inserted: job.inserted, updated: job.updated, rejected: job.rejected },
    error: job.error,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

async function receiveUpload(request: FastifyRequest, dir: string, limit: number): Promise<{ file: string; fileName: string; object?: string }> {
  let saved: { file: string; fileName: string } | undefined;
  let object: string | undefined;
  for await (const part of request.parts()) {
    if (part.type === "file") {
      if (saved) throw invalid("Send one file per upload.", [{ field: "file", reason: "more than one file" }]);
      const fileName = path.basename(part.filename || "upload.csv");
      const file = path.join(dir, `upload${path.extname(fileName).toLowerCase().replace(/[^.a-z0-9]/g, "")}`);
      try {
        await pipeline(part.file, fs.createWriteStream(file));
      } catch (e) {
        if ((e as { code?: unknown }).code === "FST_REQ_FILE_TOO_LARGE") throw tooLarge(limit);
        throw e;
      }
      // The multipart limit cuts the file short (and marks it truncated) rather than failing the stream.
      if (part.file.truncated) throw tooLarge(limit);
      saved = { file, fileName };
    } else if (part.fieldname === "object") object = String(part.value);
  }
  if (!saved) throw invalid("Attach the file to import as the multipart field \"file\".", [{ field: "file", reason: "missing" }]);
  return { ...saved, object };
}

export async function registerIoRoutes(app: FastifyInstance, deps: IoDeps = {}): Promise<void> {
  const uploads = path.resolve(deps.dataDir ?? process.env.REVLINE_DATA_DIR ?? "data", "imports");
  const maxUploadBytes = maxUploadBytesOf(deps);
  await app.register(async (scope) => {
    if (!scope.hasRequestDecorator("parts")) {
      await scope.register(multipart, { limits: { fileSize: maxUploadBytes, files: 1, fields: 10 } });
    }

    scope.post<{ Querystring: { object?: string } }>("/api/imports", async (request, reply) => {
      const ctx = requestCtx(request);
      const id = uuidv7();
      const dir = path.join(uploads, id);
      // Uploads nobody ran (or resumed) for a day go now: cheap, as recent folders cost no query.
      await sweepUploads(ctx, uploads, id).catch((e: unknown) => ctx.log.warn({ err: e }, "sweeping old uploads failed"));
      fs.mkdirSync(dir, { recursive: true });
      try {
        const upload = await receiveUpload(request, dir, maxUploadBytes);
        const objectName = upload.object ?? request.query.object;
        if (!objectName) throw invalid('Say which object to import into (multipart field "object").', [{ field: "object", reason: "missing" }]);
        const object = importTarget(ctx, objectName);
        const source = await openRowSource(upload.file, {}, upload.fileName);
        const sample: (string | number | boolean | null)[][] = [];
        let totalRows = 0;
        try {
          for await (const r of source.rows) {
            if (sample.length < SAMPLE_ROWS) sample.push(source.columns.map((_, i) => sampleCell(r.cells[i])));
            totalRows++;
          }
        } finally {
          source.close();
        }
        const plan = planImport(object, source.columns, {});
        await jobs.insertJob(
          ctx.db,
          { id, object: object.name, fileName: upload.fileName, filePath: upload.file, options: {}, createdBy: ctx.actor.id, status: "pending", encoding: source.encodingLabel ?? null, delimiter: source.delimiter ?? null, total: totalRows },
          ctx.clock(),
        );
        return reply.code(201).send({
          id,
          object: object.name,
          fileName: upload.fileName,
          format: source.format,
          encoding: source.encodingLabel ?? null,
          delimiter: source.delimiter ?? null,
          columns: source.columns,
          sample,
          totalRows,
          mapping: plan.mapping,
          unmappedColumns: plan.unmapped,
        });
      } catch (e) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    });

    scope.post<{ Params: { id: string }; Body: unknown }>("/api/imports/:id/run", async (request, reply) => {
      const ctx = requestCtx(request);
      const job = await visibleJob(ctx, request.params.id);
      if (job.status === "running") throw conflict("This import is already running.");
      if (job.status === "done" && !job.options.dryRun) throw conflict("This import has finished; upload the file again to import it again.");
      if (!job.filePath || !fs.existsSync(job.filePath)) throw invalid("The uploaded file is gone; upload it again.", [{ field: "file", reason: "missing" }]);
      const body = parseRunBody(request.body);
      const mapping = body.mapping;
      await precheckRun(importTarget(ctx, job.object), job.filePath, job.fileName, body);
      await jobs.updateJob(ctx.db, job.id, { status: "running" }, ctx.clock());
      // In the background of this process; the client polls GET /api/imports/:id.
      void runImport(ctx, {
        object: job.object,
        file: job.filePath,
        fileName: job.fileName,
        jobId: job.id,
        mapping,
        key: body.key,
        dateOrder: body.dateOrder,
        onUnresolved: body.onUnresolved,
        encoding: body.encoding,
        dryRun: body.dryRun,
      })
        .catch((e: unknown) => ctx.log.warn({ err: e, importId: job.id }, "import failed"))
        // Done for real, or failed with nothing to resume: the upload is no longer needed.
        .then(() => releaseUpload(ctx, uploads, job.id))
        .catch((e: unknown) => ctx.log.warn({ err: e, importId: job.id }, "removing the upload failed"));
      return reply.code(202).send({ id: job.id, status: "running" });
    });

    scope.get<{ Params: { id: string } }>("/api/imports/:id", async (request) => {
      const ctx = requestCtx(request);
      return jobView(await visibleJob(ctx, request.params.id));
    });

    scope.get<{ Params: { id: string }; Querystring: { format?: string } }>("/api/imports/:id/report", async (request, reply) => {
      const ctx = requestCtx(request);
      const job = await visibleJob(ctx, request.params.id);
      const format = request.query.format ?? "csv";
      if (format === "json") {
        const rows: jobs.Rejection[] = [];
        for await (const r of jobs.readRejections(ctx.db, job.id)) rows.push(r);
        return { id: job.id, rejections: rows };
      }
      if (format !== "csv") throw invalid("format must be csv or json", [{ field: "format", reason: "must be csv or json" }]);
      const out = new PassThrough();
      void writeReportCsv(ctx.db, job.id, out).catch((e: unknown) => out.destroy(e as Error));
      const base = job.fileName.replace(/\.[^.]*$/, "").replace(/[^\w.-]+/g, "_");
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${base}-rejected.csv"`)
        .send(out);
    });

    scope.get<{ Params: { object: string }; Querystring: Record<string, string | undefined> }>("/api/objects/:object/export", async (request, reply) => {
      const ctx = requestCtx(request);
      const object = ctx.meta(request.params.object);
      if (!object) throw notFound(`There is no object named "${request.params.object}".`);
      const q = request.query;
      const format = (q.format ?? "csv") as ExportFormat;
      if (format !== "csv" && format !== "xlsx") throw invalid("format must be csv or xlsx", [{ field: "format", reason: "must be csv or xlsx" }]);
      // Bad parameters are a 400 before the download starts.
      const strip = Object.fromEntries(Object.entries({ filter: q.filter, sort: q.sort, fields: q.fields }).filter(([, v]) => v !== undefined && v !== ""));
      parseListQuery(object, strip, "body");
      // Over the approval threshold (or asking for clear values) it is a request, not a download: 403 approval_required.
      const marking = await checkDirectExport(ctx, { object: object.name, format, filter: q.filter, sort: q.sort, fields: q.fields });
      const out = new PassThrough();
      const locale: Locale = q.locale === "zh-CN" ? "zh-CN" : "en";
      const header = q.header === "label" ? "label" : "name";
      void exportRecords(ctx, { object: object.name, format, filter: q.filter, sort: q.sort, fields: q.fields, header, locale, ...(marking ? { marking } : {}) }, out).catch((e: unknown) => out.destroy(e as Error));
      const type = format === "csv" ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      return reply.header("content-type", type).header("content-disposition", `attachment; filename="${object.name}.${format}"`).send(out);
    });

    registerExportRoutes(scope);
  });
}
