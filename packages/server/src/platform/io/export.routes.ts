/**
 * Export over HTTP with the two-person approval of export-approval.ts:
 *
 *   POST /api/exports {object, format, filter?, sort?, fields?, header?, locale?, clear?, reason?, dryRun?}
 *        -> 200 the file (small exports), 202 {request, plan} (needs approval), 200 {plan} (dryRun)
 *   GET  /api/exports                     -> {requests, canApprove}: mine, and every pending one for approvers
 *   GET  /api/exports/{id}
 *   POST /api/exports/{id}/approve|reject {comment?}   (a second person with the approve right)
 *   POST /api/exports/{id}/link           -> {url, expiresAt}: a one-time link for the requester
 *   GET  /api/exports/{id}/download?token=...          -> the file, once
 *
 * GET /api/objects/{object}/export (io.routes.ts) stays for small exports and answers 403 with
 * code "approval_required" when the export needs approval.
 */
import { PassThrough } from "node:stream";
import type { FastifyInstance, FastifyReply } from "fastify";
import { AppError, invalid, type Locale } from "@revline/core";
import type { Ctx } from "../context";
import { requestCtx } from "../http";
import {
  auditDirectExport,
  canApproveExports,
  claimDownload,
  createExportRequest,
  decideExportRequest,
  getExportRequest,
  issueDownloadLink,
  listExportRequests,
  markingFor,
  planExport,
  recordRowsExported,
  type ExportAsk,
  type ExportPlan,
} from "./export-approval";
import { exportRecords, type ExportRequest } from "./export.service";

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** Streams an export to the reply; `done` learns the row count when the file is complete. */
export function sendExport(ctx: Ctx, reply: FastifyReply, req: ExportRequest, fileBase: string, done?: (rows: number) => Promise<void>): FastifyReply {
  const out = new PassThrough();
  void exportRecords(ctx, req, out)
    .then(({ rows }) => done?.(rows))
    .catch((e: unknown) => {
      ctx.log.warn({ err: e, object: req.object }, "export failed");
      out.destroy(e as Error);
    });
  const type = req.format === "csv" ? "text/csv; charset=utf-8" : XLSX_TYPE;
  return reply.header("content-type", type).header("content-disposition", `attachment; filename="${fileBase.replace(/[^\w.-]+/g, "_")}.${req.format}"`).send(out);
}

const approvalRequired = (plan: ExportPlan) =>
  new AppError(
    "forbidden",
    `This export needs a second person's approval (${plan.reasons.includes("rows") ? `${plan.rows} rows, more than ${plan.threshold}` : "masked fields in clear"}): request it with POST /api/exports or the Export button.`,
    [{ field: plan.reasons.includes("rows") ? "rows" : "clear", reason: "needs approval", code: "approval_required" }],
  );

/**
 * The gate of a direct export (GET /api/objects/{object}/export and small POST /api/exports):
 * validates, refuses with 403 approval_required when approval is needed, audits, and returns the
 * file's marking (when the watermark is on).
 */
export async function checkDirectExport(ctx: Ctx, ask: ExportAsk): Promise<ExportRequest["marking"]> {
  const plan = await planExport(ctx, ask);
  if (plan.needsApproval) throw approvalRequired(plan);
  await auditDirectExport(ctx, ask, plan);
  return markingFor(ctx, ask);
}

const stringOrJson = { anyOf: [{ type: "string" }, { type: "object" }, { type: "array" }] };

const EXPORT_BODY = {
  type: "object",
  additionalProperties: false,
  required: ["object"],
  properties: {
    object: { type: "string", minLength: 1, maxLength: 64 },
    format: { type: "string", enum: ["csv", "xlsx"] },
    filter: { anyOf: [{ type: "string" }, { type: "object" }] },
    sort: stringOrJson,
    fields: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
    header: { type: "string", enum: ["name", "label"] },
    locale: { type: "string", enum: ["en", "zh-CN"] },
    clear: { type: "boolean" },
    reason: { type: "string", maxLength: 1000 },
    dryRun: { type: "boolean" },
  },
} as const;

/** The optional body of approve/reject: nothing, or {"comment": "..."}. */
function commentOf(body: unknown): string | undefined {
  if (body === undefined || body === null || body === "") return undefined;
  if (typeof body !== "object" || Array.isArray(body)) throw invalid("The body must be a JSON object such as {\"comment\": \"...\"}.", [{ field: "body", reason: "must be a JSON object" }]);
  const unknown = Object.keys(body).filter((k) => k !== "comment");
  if (unknown.length) throw invalid(`Unknown field ${unknown[0]}.`, unknown.map((k) => ({ field: k, reason: "is not a known field", code: "additionalProperties" })));
  const comment = (body as { comment?: unknown }).comment;
  if (comment !== undefined && typeof comment !== "string") throw invalid("comment must be text.", [{ field: "comment", reason: "must be a string", code: "type" }]);
  return comment;
}

type ExportBody = Omit<ExportAsk, "format"> & { format?: ExportAsk["format"]; dryRun?: boolean };

export function registerExportRoutes(app: FastifyInstance): void {
  app.post<{ Body: ExportBody }>("/api/exports", { schema: { body: EXPORT_BODY } }, async (request, reply) => {
    const ctx = requestCtx(request);
    const { dryRun, ...rest } = request.body;
    const ask: ExportAsk = { ...rest, format: rest.format ?? "csv" };
    const plan = await planExport(ctx, ask);
    const { fieldList: _fields, ...planView } = plan;
    if (dryRun) return { plan: planView };
    if (plan.needsApproval) {
      const created = await createExportRequest(ctx, ask, plan);
      return reply.code(202).header("location", `/api/exports/${created.id}`).send({ request: created, plan: planView });
    }
    await auditDirectExport(ctx, ask, plan);
    const marking = await markingFor(ctx, ask);
    const locale: Locale = ask.locale ?? "en";
    return sendExport(
      ctx,
      reply,
      { object: plan.object, format: ask.format, filter: ask.filter, sort: ask.sort, fields: ask.fields, header: ask.header ?? "name", locale, ...(marking ? { marking } : {}) },
      plan.object,
    );
  });

  app.get("/api/exports", async (request) => {
    const ctx = requestCtx(request);
    return { requests: await listExportRequests(ctx), canApprove: canApproveExports(ctx.actor) };
  });

  app.get<{ Params: { id: string } }>("/api/exports/:id", async (request) => getExportRequest(requestCtx(request), request.params.id));

  for (const decision of ["approve", "reject"] as const) {
    app.post<{ Params: { id: string }; Body: unknown }>(`/api/exports/:id/${decision}`, async (request) =>
      decideExportRequest(requestCtx(request), request.params.id, decision === "approve" ? "approved" : "rejected", commentOf(request.body)),
    );
  }

  app.post<{ Params: { id: string } }>("/api/exports/:id/link", async (request) => issueDownloadLink(requestCtx(request), request.params.id));

  app.get<{ Params: { id: string }; Querystring: { token?: string } }>(
    "/api/exports/:id/download",
    { schema: { querystring: { type: "object", additionalProperties: false, properties: { token: { type: "string", maxLength: 200 } } } } },
    async (request, reply) => {
      const ctx = requestCtx(request);
      const { request: approved, ask } = await claimDownload(ctx, request.params.id, request.query.token ?? "");
      // An approved bulk export is always marked, watermark setting or not.
      const marking = await markingFor(ctx, { object: ask.object, format: ask.format, filter: ask.filter }, { force: true, requestId: approved.id });
      return sendExport(ctx, reply, { ...ask, ...(marking ? { marking } : {}) }, `${approved.object}-${approved.id.slice(0, 8)}`, (rows) => recordRowsExported(ctx.db, approved.id, rows));
    },
  );
}
