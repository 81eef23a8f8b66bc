/**
 * The audit log over HTTP, for administrators only. Read-only by design: no route edits or deletes an
 * entry (any other method on these paths is a 404).
 *   GET /api/audit            search, newest first, keyset-paged
 *   GET /api/audit/export     the same filter as CSV or XLSX, streamed (audited as audit.exported)
 *   GET /api/audit/verify     walks the chain (bounded: at most `maxVerifyEntries` entries per call)
 *   GET /api/audit/head       the newest entry's seq and hash, to anchor outside the database
 */
import { PassThrough } from "node:stream";
import type { FastifyInstance } from "fastify";
import { conflict, invalid } from "@revline/core";
import { requireAdmin } from "../http";
import { recordAuditExport, writeAuditExport, type AuditExportFormat } from "./export";
import { parseAuditQuery, searchAudit } from "./search";
import { chainHead, verifyChain, type Anchor } from "./verify";

export type AuditRouteOptions = {
  /** Most entries one GET /api/audit/verify checks (default REVLINE_AUDIT_VERIFY_MAX or 1,000,000). */
  maxVerifyEntries?: number;
};

function maxVerifyOf(opts: AuditRouteOptions): number {
  if (opts.maxVerifyEntries !== undefined) return opts.maxVerifyEntries;
  const env = Number(process.env.REVLINE_AUDIT_VERIFY_MAX);
  return Number.isSafeInteger(env) && env > 0 ? env : 1_000_000;
}

function parseVerifyQuery(query: unknown): Anchor | undefined {
  const q = (query && typeof query === "object" ? query : {}) as Record<string, unknown>;
  const errors = Object.keys(q)
    .filter((k) => k !== "anchor")
    .map((k) => ({ field: k, reason: "is not a parameter of this endpoint (use anchor)", code: "unknown_parameter" }));
  const raw = q.anchor;
  let anchor: Anchor | undefined;
  if (raw !== undefined && raw !== "") {
    const m = typeof raw === "string" ? /^(\d{1,15}):([0-9a-f]{64})$/.exec(raw) : null;
    if (m) anchor = { seq: Number(m[1]), hash: m[2]! };
    else errors.push({ field: "anchor", reason: "must be <seq>:<sha-256 hex>, as `revline audit head` prints it", code: "invalid_format" });
  }
  if (errors.length) throw invalid(`Invalid verify parameters: ${errors.map((e) => `${e.field}: ${e.reason}`).join("; ")}.`, errors);
  return anchor;
}

export function registerAuditRoutes(app: FastifyInstance, opts: AuditRouteOptions = {}): void {
  const maxVerify = maxVerifyOf(opts);
  let verifying = false;

  app.get("/api/audit", async (request) => {
    const ctx = requireAdmin(request);
    const { search } = parseAuditQuery(request.query, { paged: true });
    return searchAudit(ctx, search);
  });

  app.get("/api/audit/export", async (request, reply) => {
    const ctx = requireAdmin(request);
    const { search, rest } = parseAuditQuery(request.query, { paged: false, extra: ["format"] });
    const format = (rest.format ?? "csv") as AuditExportFormat;
    if (format !== "csv" && format !== "xlsx") throw invalid("Invalid audit export parameters: format: must be csv or xlsx.", [{ field: "format", reason: "must be csv or xlsx", code: "invalid_value" }]);
    const { limit: _limit, cursor: _cursor, ...filter } = search;
    const through = await recordAuditExport(ctx, filter, format);
    const out = new PassThrough();
    void writeAuditExport(ctx, filter, format, through, out).catch((e: unknown) => {
      ctx.log.warn({ err: e }, "audit export failed");
      out.destroy(e as Error);
    });
    const type = format === "csv" ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    const stamp = ctx.clock().toISOString().slice(0, 10);
    return reply.header("content-type", type).header("content-disposition", `attachment; filename="revline-audit-${stamp}.${format}"`).send(out);
  });

  app.get("/api/audit/verify", async (request) => {
    const ctx = requireAdmin(request);
    const anchor = parseVerifyQuery(request.query);
    // One walk at a time per process: each reads the whole log.
    if (verifying) throw conflict("A verification is already running; try again when it has finished.");
    verifying = true;
    try {
      const r = await verifyChain(ctx.db, { maxEntries: maxVerify, ...(anchor ? { anchor } : {}) });
      return { ...r, checkedAt: ctx.clock().toISOString(), maxEntries: maxVerify };
    } finally {
      verifying = false;
    }
  });

  app.get("/api/audit/head", async (request) => {
    const ctx = requireAdmin(request);
    if (request.query && Object.keys(request.query).length) {
      const errors = Object.keys(request.query).map((k) => ({ field: k, reason: "is not a parameter of this endpoint", code: "unknown_parameter" }));
      throw invalid(`Invalid parameters: ${errors.map((e) => e.field).join(", ")}.`, errors);
    }
    return { head: await chainHead(ctx.db) };
  });
}
