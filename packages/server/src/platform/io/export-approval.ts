/**
 * Bulk export as a controlled act. An export larger than the approval threshold (setting, default
 * 10,000 rows), or one that asks for masked fields in clear, becomes a request that a second person
 * with the export-approve right approves or rejects (maker and checker must differ). On approval
 * the requester asks for a download link; it works once and expires (24 h after the approval); only
 * its sha256 is stored. The file is generated at download time as the requester, through records:
 * only the rows and fields they may see then, masked values masked unless the approval covered
 * clear values and they still hold the reveal right. Every step is audited: export.requested,
 * export.approved, export.rejected, export.downloaded (direct exports leave export.downloaded too).
 *
 * TODO(issue 4): a simple two-person approval record for now; move it onto the approval engine.
 */
import crypto from "node:crypto";
import { conflict, forbidden, invalid, notFound, type FieldDef, type Locale, type ObjectDef } from "@revline/core";
import { policyFor } from "../access";
import type { Actor, Ctx, Db } from "../context";
import { appendAudit, toIsoTimestamp, withTransaction } from "../db";
import { exportSetting, parseListQuery, watermarkSetting } from "../http";
import { aggregate } from "../records";
import { checkExportQuery, ruleOf, type ExportFormat, type ExportMarking, type ExportRequest } from "./export.service";
import { objectOf } from "./import.service";

export type ExportStatus = "pending" | "approved" | "rejected" | "expired" | "downloaded";

/** What a client asks to export (POST /api/exports, or the query of GET /api/objects/{object}/export). */
export type ExportAsk = {
  object: string;
  format: ExportFormat;
  filter?: unknown;
  sort?: unknown;
  fields?: unknown;
  header?: "name" | "label";
  locale?: Locale;
  /** Masked fields in clear (needs approval and the reveal right). */
  clear?: boolean;
  reason?: string;
};

export type ExportPlan = {
  object: string;
  /** Rows the requester would get now (their row policy applied). */
  rows: number;
  threshold: number;
  /** Masked fields among the exported ones, for this actor. */
  maskedFields: string[];
  /** May this actor see masked values in clear (reveal right on the object)? */
  canReveal: boolean;
  needsApproval: boolean;
  /** Why approval is needed: "rows" (over the threshold), "clear" (masked fields in clear). */
  reasons: ("rows" | "clear")[];
};

export type ExportRequestView = {
  id: string;
  requester: { id: string; name: string };
  object: string;
  format: ExportFormat;
  filter: unknown;
  sort: unknown;
  fields: string[] | null;
  clear: boolean;
  rows: number;
  reason: string | null;
  status: ExportStatus;
  approver: { id: string; name: string } | null;
  comment: string | null;
  decidedAt: string | null;
  expiresAt: string | null;
  downloadedAt: string | null;
  createdAt: string;
};

/** An approved request's link lives this long after the approval. */
export const LINK_TTL_MS = 24 * 60 * 60 * 1000;
/** A request nobody decided on expires after this long. */
export const PENDING_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_REASON = 1000;

/** Approving exports: administrators (for tokens, with scope all or admin). */
export function canApproveExports(actor: Actor): boolean {
  if (!actor.isAdmin) return false;
  if (actor.kind !== "token") return true;
  const scopes = actor.scopes ?? ["all"];
  return scopes.includes("all") || scopes.includes("admin");
}

/** Masked fields the actor's reveal right covers (a reveal policy that hides a field does not reveal it). */
function revealableOf(ctx: Ctx, object: string, masked: string[]): string[] {
  const reveal = policyFor(ctx, object, "reveal");
  return reveal.allowed ? masked.filter((f) => reveal.fieldRules[f]?.rule !== "hidden") : [];
}

/** The export right, checked again whenever a link is made or spent: a right lost since the approval is lost for the file. */
function assertMayExport(ctx: Ctx, object: string): void {
  if (!policyFor(ctx, object, "export").allowed) throw forbidden(`You may not export ${object} records (any more).`);
}

function chosenFields(object: ObjectDef, names: string[] | undefined): FieldDef[] {
  if (!names) return object.fields;
  return names.map((n) => object.fields.find((f) => f.name === n)).filter((f): f is FieldDef => !!f);
}

function maskedFieldsOf(ctx: Ctx, object: ObjectDef, names: string[] | undefined): string[] {
  const rules = policyFor(ctx, object.name, "read").fieldRules as Record<string, unknown>;
  return chosenFields(object, names)
    .filter((f) => ruleOf(rules[f.name]) === "masked")
    .map((f) => f.name);
}

const present = (v: unknown) => v !== undefined && v !== null && v !== "";

/** Validates what is asked (400s before anything starts), checks the export right, counts the rows. */
export async function planExport(ctx: Ctx, ask: ExportAsk): Promise<ExportPlan & { fieldList?: string[] }> {
  const object = objectOf(ctx, ask.object);
  if (!policyFor(ctx, object.name, "export").allowed) throw forbidden(`You may not export ${object.labelPlural.en.toLowerCase()}.`);
  const q = parseListQuery(object, Object.fromEntries(Object.entries({ filter: ask.filter, sort: ask.sort, fields: ask.fields }).filter(([, v]) => present(v))), "body");
  if (ask.reason !== undefined && ask.reason.length > MAX_REASON)
    throw invalid(`The reason may have at most ${MAX_REASON} characters.`, [{ field: "reason", reason: `longer than ${MAX_REASON} characters` }]);
  // Bad filter, sort or fields for this actor: a 400 now, not a file that breaks off.
  await checkExportQuery(ctx, { object: object.name, filter: ask.filter, sort: ask.sort, fields: ask.fields });
  const counted = await aggregate(ctx, object.name, { ...(q.filter ? { filter: q.filter } : {}), metrics: [{ fn: "count" }] });
  const rows = Number(counted.rows[0]?.values.count ?? 0);
  const { approvalThreshold } = await exportSetting(ctx.db);
  const maskedFields = maskedFieldsOf(ctx, object, q.fields);
  const revealable = revealableOf(ctx, object.name, maskedFields);
  const reveal = maskedFields.length > 0 && revealable.length === maskedFields.length;
  const reasons: ("rows" | "clear")[] = [];
  if (rows > approvalThreshold) reasons.push("rows");
  if (ask.clear === true && maskedFields.length > 0) {
    if (!reveal) throw forbidden(`You may not see masked ${object.label.en.toLowerCase()} fields in clear (${maskedFields.join(", ")}); export them masked.`);
    reasons.push("clear");
  }
  return {
    object: object.name,
    rows,
    threshold: approvalThreshold,
    maskedFields,
    canReveal: reveal,
    needsApproval: reasons.length > 0,
    reasons,
    ...(q.fields ? { fieldList: q.fields } : {}),
  };
}

/** The marks for a file exported by this actor now (when the watermark is on, or always when `force`). */
export async function markingFor(ctx: Ctx, ask: ExportAsk, opts: { force?: boolean; requestId?: string } = {}): Promise<ExportMarking | undefined> {
  if (!opts.force && !(await watermarkSetting(ctx.db)).enabled) return undefined;
  const email = ctx.actor.attrs.email;
  return {
    userName: ctx.actor.name,
    login: typeof email === "string" && email ? email : ctx.actor.id,
    at: ctx.clock(),
    object: ask.object,
    ...(present(ask.filter) ? { filter: ask.filter } : {}),
    ...(opts.requestId ? { requestId: opts.requestId } : {}),
  };
}

const filterText = (v: unknown) => (present(v) ? (typeof v === "string" ? v : JSON.stringify(v)) : null);

/** A direct (small) export: audited as export.downloaded before the file streams. */
export async function auditDirectExport(ctx: Ctx, ask: ExportAsk, plan: ExportPlan): Promise<void> {
  await withTransaction(ctx.db, async (trx) => {
    await appendAudit({ ...ctx, db: trx }, [
      {
        action: "export.downloaded",
        object: plan.object,
        changes: { format: { after: ask.format }, filter: { after: filterText(ask.filter) }, rows: { after: plan.rows }, direct: { after: true } },
      },
    ]);
  });
}

// ---- the export_request table ----

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const parseJson = (v: unknown): unknown => (typeof v === "string" ? (JSON.parse(v) as unknown) : null);

type Row = Record<string, unknown>;

function viewOf(r: Row): ExportRequestView {
  return {
    id: String(r.id),
    requester: { id: String(r.requester_id), name: String(r.requester_name) },
    object: String(r.object),
    format: r.format as ExportFormat,
    filter: parseJson(r.filter),
    sort: parseJson(r.sort),
    fields: parseJson(r.fields) as string[] | null,
    clear: r.clear_values === true || r.clear_values === 1,
    rows: num(r.row_estimate) ?? 0,
    reason: (r.reason as string | null) ?? null,
    status: r.status as ExportStatus,
    approver: r.approver_id ? { id: r.approver_id as string, name: (r.approver_name as string | null) ?? "" } : null,
    comment: (r.decision_comment as string | null) ?? null,
    decidedAt: toIsoTimestamp(r.decided_at),
    expiresAt: toIsoTimestamp(r.expires_at),
    downloadedAt: toIsoTimestamp(r.downloaded_at),
    createdAt: toIsoTimestamp(r.created_at)!,
  };
}

/** Requests past their time: approved ones whose link expired, pending ones nobody decided on. */
async function expireStale(db: Db, now: Date): Promise<void> {
  const at = now.toISOString();
  const pendingBefore = new Date(now.getTime() - PENDING_TTL_MS).toISOString();
  await db.kysely
    .updateTable("export_request")
    .set({ status: "expired", token_hash: null, updated_at: at })
    .where((eb) => eb.or([eb.and([eb("status", "=", "approved"), eb("expires_at", "<=", at)]), eb.and([eb("status", "=", "pending"), eb("created_at", "<=", pendingBefore)])]))
    .execute();
}

async function findRequest(db: Db, id: string): Promise<Row | undefined> {
  return (await db.kysely.selectFrom("export_request").selectAll().where("id", "=", id).executeTakeFirst());
}

/** Records a request (and its export.requested entry) in one transaction. */
export async function createExportRequest(ctx: Ctx, ask: ExportAsk, plan: ExportPlan & { fieldList?: string[] }): Promise<ExportRequestView> {
  const id = crypto.randomUUID();
  const at = ctx.clock().toISOString();
  const clear = plan.reasons.includes("clear");
  const row = {
    id,
    requester_id: ctx.actor.id,
    requester_name: ctx.actor.name,
    object: plan.object,
    filter: filterText(ask.filter) === null ? null : JSON.stringify(typeof ask.filter === "string" ? (JSON.parse(ask.filter) as unknown) : ask.filter),
    sort: present(ask.sort) ? JSON.stringify(ask.sort) : null,
    fields: plan.fieldList ? JSON.stringify(plan.fieldList) : null,
    format: ask.format,
    header: ask.header ?? "name",
    locale: ask.locale ?? "en",
    clear_values: ctx.db.dialect === "postgres" ? clear : clear ? 1 : 0,
    row_estimate: plan.rows,
    reason: ask.reason?.trim() || null,
    status: "pending",
    created_at: at,
    updated_at: at,
  };
  await withTransaction(ctx.db, async (trx) => {
    await trx.kysely.insertInto("export_request").values(row).execute();
    await appendAudit({ ...ctx, db: trx }, [
      {
        action: "export.requested",
        object: plan.object,
        recordId: id,
        changes: {
          format: { after: ask.format },
          filter: { after: row.filter },
          rows: { after: plan.rows },
          clear: { after: clear },
          reason: { after: row.reason },
        },
      },
    ]);
  });
  return viewOf((await findRequest(ctx.db, id))!);
}

/** The actor's own requests, and for approvers every pending one too; newest first. */
export async function listExportRequests(ctx: Ctx): Promise<ExportRequestView[]> {
  await expireStale(ctx.db, ctx.clock());
  let q = ctx.db.kysely.selectFrom("export_request").selectAll();
  q = canApproveExports(ctx.actor)
    ? q.where((eb) => eb.or([eb("requester_id", "=", ctx.actor.id), eb("status", "=", "pending"), eb("approver_id", "=", ctx.actor.id)]))
    : q.where("requester_id", "=", ctx.actor.id);
  const rows = (await q.orderBy("created_at", "desc").orderBy("id", "desc").limit(200).execute()) as Row[];
  return rows.map(viewOf);
}

/** A request the actor may see: their own, or any one for approvers. Others' are as missing ones. */
async function visibleRequest(ctx: Ctx, id: string): Promise<Row> {
  const r = await findRequest(ctx.db, id);
  if (!r || (r.requester_id !== ctx.actor.id && !canApproveExports(ctx.actor))) throw notFound(`There is no export request ${id}.`);
  return r;
}

export async function getExportRequest(ctx: Ctx, id: string): Promise<ExportRequestView> {
  await expireStale(ctx.db, ctx.clock());
  return viewOf(await visibleRequest(ctx, id));
}

/** Approve or reject: the checker must hold the approve right and must not be the maker. */
export async function decideExportRequest(ctx: Ctx, id: string, decision: "approved" | "rejected", comment?: string): Promise<ExportRequestView> {
  await expireStale(ctx.db, ctx.clock());
  const r = await visibleRequest(ctx, id);
  // Maker first: whoever asked is told the two-person rule, whatever else they may do.
  if (r.requester_id === ctx.actor.id) throw forbidden("You asked for this export: a second person must approve or reject it (maker and checker must differ).");
  if (!canApproveExports(ctx.actor)) throw forbidden("Only an administrator may approve or reject export requests.");
  if (r.status !== "pending") throw conflict(`This export request is ${String(r.status)}, not pending.`, [{ field: "status", reason: `is ${String(r.status)}` }]);
  if (comment !== undefined && comment.length > MAX_REASON)
    throw invalid(`The comment may have at most ${MAX_REASON} characters.`, [{ field: "comment", reason: `longer than ${MAX_REASON} characters` }]);
  const now = ctx.clock();
  await withTransaction(ctx.db, async (trx) => {
    const changed = await trx.kysely
      .updateTable("export_request")
      .set({
        status: decision,
        approver_id: ctx.actor.id,
        approver_name: ctx.actor.name,
        decision_comment: comment?.trim() || null,
        decided_at: now.toISOString(),
        expires_at: decision === "approved" ? new Date(now.getTime() + LINK_TTL_MS).toISOString() : null,
        updated_at: now.toISOString(),
      })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) !== 1) throw conflict("This export request was decided a moment ago.", [{ field: "status", reason: "no longer pending" }]);
    await appendAudit({ ...ctx, db: trx }, [
      {
        action: decision === "approved" ? "export.approved" : "export.rejected",
        object: String(r.object),
        recordId: id,
        changes: { status: { before: "pending", after: decision }, requester: { after: String(r.requester_id) }, comment: { after: comment?.trim() || null } },
      },
    ]);
  });
  return viewOf((await findRequest(ctx.db, id))!);
}

const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

/**
 * A fresh one-time download link for the requester of an approved request (a new one replaces an
 * unused earlier one). The token is in this answer only; the database keeps its sha256.
 */
export async function issueDownloadLink(ctx: Ctx, id: string): Promise<{ url: string; expiresAt: string }> {
  await expireStale(ctx.db, ctx.clock());
  const r = await visibleRequest(ctx, id);
  if (r.requester_id !== ctx.actor.id) throw forbidden("Only the person who asked for this export may download it.");
  assertMayExport(ctx, String(r.object));
  if (r.status !== "approved") throw conflict(`This export request is ${String(r.status)}; only an approved one can be downloaded.`, [{ field: "status", reason: `is ${String(r.status)}` }]);
  const token = `rvx_${crypto.randomBytes(32).toString("base64url")}`;
  await ctx.db.kysely.updateTable("export_request").set({ token_hash: sha256(token), updated_at: ctx.clock().toISOString() }).where("id", "=", id).where("status", "=", "approved").execute();
  return { url: `/api/exports/${encodeURIComponent(id)}/download?token=${token}`, expiresAt: toIsoTimestamp(r.expires_at)! };
}

/**
 * Spends the link: in one transaction the request becomes "downloaded" (only if it is approved,
 * unexpired and the token matches) and export.downloaded is appended. Returns what to export, as
 * the requester, now.
 */
export async function claimDownload(ctx: Ctx, id: string, token: string): Promise<{ request: ExportRequestView; ask: ExportRequest }> {
  await expireStale(ctx.db, ctx.clock());
  const r = await findRequest(ctx.db, id);
  // Someone else's request is as missing as a missing one, whatever token they hold.
  if (!r || r.requester_id !== ctx.actor.id) throw notFound(`There is no export request ${id}.`);
  if (r.status === "downloaded") throw conflict("This download link was used already: a link works once. Ask for the export again.", [{ field: "token", reason: "used" }]);
  if (r.status !== "approved") throw conflict(`This export request is ${String(r.status)}; only an approved one can be downloaded.`, [{ field: "status", reason: `is ${String(r.status)}` }]);
  if (!token || typeof r.token_hash !== "string" || sha256(token) !== r.token_hash) throw forbidden("This download link is not valid; get a new one from your export requests.");
  assertMayExport(ctx, String(r.object));
  // The requester's rights may have changed since the approval: check the query before spending the link.
  const asked = viewOf(r);
  await checkExportQuery(ctx, { object: asked.object, filter: asked.filter ?? undefined, sort: asked.sort ?? undefined, fields: asked.fields ?? undefined });
  const now = ctx.clock().toISOString();
  await withTransaction(ctx.db, async (trx) => {
    const changed = await trx.kysely
      .updateTable("export_request")
      .set({ status: "downloaded", downloaded_at: now, token_hash: null, updated_at: now })
      .where("id", "=", id)
      .where("status", "=", "approved")
      .where("token_hash", "=", sha256(token))
      .where("expires_at", ">", now)
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) !== 1) throw conflict("This download link was used already: a link works once.", [{ field: "token", reason: "used" }]);
    await appendAudit({ ...ctx, db: trx }, [
      {
        action: "export.downloaded",
        object: String(r.object),
        recordId: id,
        changes: { status: { before: "approved", after: "downloaded" }, format: { after: String(r.format) }, rows: { after: num(r.row_estimate) } },
      },
    ]);
  });
  const view = viewOf(r);
  const object = objectOf(ctx, view.object);
  // Clear values only if the approval covered them and the requester holds the reveal right now.
  const clearFields = view.clear ? revealableOf(ctx, object.name, maskedFieldsOf(ctx, object, view.fields ?? undefined)) : [];
  const ask: ExportRequest = {
    object: view.object,
    format: view.format,
    ...(view.filter !== null ? { filter: view.filter } : {}),
    ...(view.sort !== null ? { sort: view.sort } : {}),
    ...(view.fields ? { fields: view.fields } : {}),
    header: r.header === "label" ? "label" : "name",
    locale: r.locale === "zh-CN" ? "zh-CN" : "en",
    ...(clearFields.length ? { clearFields } : {}),
  };
  return { request: { ...view, status: "downloaded", downloadedAt: now }, ask };
}

/** Afterwards, how many rows the file really had (best effort; the download is already spent). */
export async function recordRowsExported(db: Db, id: string, rows: number): Promise<void> {
  await db.kysely.updateTable("export_request").set({ rows_exported: rows }).where("id", "=", id).execute();
}
