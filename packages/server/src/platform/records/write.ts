/**
 * Writing records. Single and bulk writes share one path (commitWrites): access -> validate ->
 * write -> audit -> outbox event, all in the caller's transaction, so no write skips audit or events.
 */
import { sql, type SqlBool } from "kysely";
import { AppError, columnOf, columnsOf, conflict, forbidden, invalid, maskValue, notFound, type ErrorDetail, type FieldDef } from "@revline/core";
import type { Ctx } from "../context";
import { execSql, insertRows, withTransaction, newId } from "../db";
import { policyFor, type Action, type Policy } from "../access";
import { encodeMain, encodeValue, fieldEncoder } from "../metadata";
import { appendAudit, appendEvents, type AuditInput, type OutboxEventInput } from "./journal";
import { baseWhere, columnList, decodeRecord, readPlan, whereSql, type ReadPlan } from "./read";
import { conditionSql } from "./filter";
import { viewOf } from "./policy-view";
import { requireShape, type Shape } from "./shape";
import { applyComputed, checkRelations, checkUnique, completeForCreate, fieldOfUniqueError, parseRecordInput, type Values } from "./validate";
import type { BulkUpsertOptions, BulkUpsertResult, RecordData, UpdateOptions } from "./types";

export const MAX_BULK_ROWS = 1000;

type System = { id: string; created_at: string; created_by: string; updated_at: string; updated_by: string; version: number; deleted_at: string | null };
type CreateOp = { id: string; values: Values; row?: number };
type UpdateOp = { id: string; patch: Values; before: Values; sys: System; row?: number };
type Prepared = { creates: { sys: System; full: Values }[]; updates: { sys: System; full: Values; changed: FieldDef[]; before: Values; prevVersion: number }[] };

function writePolicy(ctx: Ctx, shape: Shape, action: Action): Policy {
  const policy = policyFor(ctx, shape.object.name, action);
  if (!policy.allowed) throw forbidden(`You may not ${action} ${shape.object.labelPlural.en}.`);
  return policy;
}

const emptyOf = (f: FieldDef) => (f.type === "multi_picklist" ? [] : null);
/** Equal as JSON (how audit and events see values); primitives compare without serialising. */
const same = (a: unknown, b: unknown) => {
  if (a === b) return true;
  if ((typeof a !== "object" || a === null) && (typeof b !== "object" || b === null)) return (a ?? null) === (b ?? null);
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
};
/**
 * { ...a, ...b } by a key loop: object spread of two records (20-odd keys) measured ~4x slower than
 * this on the bulk path, where every updated record builds its merged values this way.
 */
function merged(a: object, b: object): Values {
  const out: Values = {};
  for (const k of Object.keys(a)) out[k] = (a as Values)[k];
  for (const k of Object.keys(b)) out[k] = (b as Values)[k];
  return out;
}

/** same(value, emptyOf(f)) without serialising: null/undefined, or [] for a multi-picklist. */
const isEmptyOf = (f: FieldDef, v: unknown) => (f.type === "multi_picklist" ? Array.isArray(v) && v.length === 0 : v === null || v === undefined);

function fullPlan(shape: Shape): ReadPlan {
  return { fields: shape.all, masked: new Map(), columns: shape.allColumns };
}

function systemOf(rec: Values): System {
  return {
    id: String(rec.id),
    created_at: rec.created_at as string,
    created_by: rec.created_by as string,
    updated_at: rec.updated_at as string,
    updated_by: rec.updated_by as string,
    version: Number(rec.version),
    deleted_at: (rec.deleted_at as string | null) ?? null,
  };
}

/** Builds new values, checks relations and uniques. Returns problems rather than throwing (bulk reports all rows). */
async function prepare(ctx: Ctx, shape: Shape, creates: CreateOp[], updates: UpdateOp[]): Promise<{ prepared: Prepared; errors: ErrorDetail[] }> {
  const now = ctx.clock().toISOString();
  const actor = ctx.actor.id;
  const prepared: Prepared = { creates: [], updates: [] };
  const checks: { id: string; values: Values; row?: number }[] = [];
  for (const op of creates) {
    const full: Values = {};
    for (const f of shape.userFields) full[f.name] = f.name in op.values ? op.values[f.name] : emptyOf(f);
    applyComputed(shape, full);
    prepared.creates.push({ sys: { id: op.id, created_at: now, created_by: actor, updated_at: now, updated_by: actor, version: 1, deleted_at: null }, full });
    checks.push(op.row !== undefined ? { id: op.id, values: full, row: op.row } : { id: op.id, values: full });
  }
  for (const op of updates) {
    const full: Values = merged(op.before, op.patch);
    applyComputed(shape, full);
    const changed = shape.userFields.filter((f) => !same(op.before[f.name], full[f.name]));
    const sys = { ...op.sys, updated_at: now, updated_by: actor, version: op.sys.version + 1 };
    prepared.updates.push({ sys, full, changed, before: op.before, prevVersion: op.sys.version });
    const changedValues: Values = {};
    for (const f of changed) changedValues[f.name] = full[f.name];
    checks.push({ id: op.id, values: changedValues, ...(op.row !== undefined ? { row: op.row } : {}) });
  }
  const errors = [...(await checkRelations(ctx, shape, checks)), ...(await checkUnique(ctx, shape, checks))];
  return { prepared, errors };
}

async function commitWrites(ctx: Ctx, shape: Shape, p: Prepared): Promise<void> {
  const dialect = ctx.db.dialect;
  const audits: AuditInput[] = [];
  const events: OutboxEventInput[] = [];
  const object = shape.object.name;
  try {
    if (p.creates.length) {
      const fields = shape.userFields;
      const encoders = fields.map((f) => fieldEncoder(f, dialect));
      const rows = p.creates.map(({ sys, full }) => {
        const out: unknown[] = [sys.id, sys.created_at, sys.created_by, sys.updated_at, sys.updated_by, sys.version, null];
        for (let i = 0; i < fields.length; i++) encoders[i]!(full[fields[i]!.name], out);
        return out;
      });
      await insertRows(ctx.db, shape.table, shape.allColumns, rows);
    }
    for (const u of p.updates) {
      if (!u.changed.length) continue;
      const sets: string[] = [];
      const params: unknown[] = [];
      for (const f of u.changed) {
        const vals = encodeValue(f, u.full[f.name], dialect);
        columnsOf(f).forEach((c, i) => {
          sets.push(`"${c}" = ?`);
          params.push(vals[i]);
        });
      }
      const res = await execSql(
        ctx.db,
        `update "${shape.table}" set ${sets.join(", ")}, "updated_at" = ?, "updated_by" = ?, "version" = ? where "id" = ? and "version" = ?`,
        [...params, u.sys.updated_at, u.sys.updated_by, u.sys.version, u.sys.id, u.prevVersion],
      );
      if (res.changes !== 1) throw staleVersion(shape, u.sys.id, u.prevVersion);
    }
  } catch (e) {
    const field = fieldOfUniqueError(shape, e);
    if (field) throw conflict(`Another ${shape.object.label.en} already has this ${field.name}.`, [{ field: field.name, reason: "must be unique", code: "duplicate" }]);
    throw e;
  }
  for (const { sys, full } of p.creates) {
    const changes: Record<string, { after: unknown }> = {};
    for (const f of shape.userFields) if (!isEmptyOf(f, full[f.name])) changes[f.name] = { after: full[f.name] };
    audits.push({ action: "create", object, recordId: sys.id, changes });
    events.push({ object, recordId: sys.id, type: "created", auditId: "" });
  }
  for (const u of p.updates) {
    if (!u.changed.length) continue;
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    for (const f of u.changed) changes[f.name] = { before: u.before[f.name] ?? null, after: u.full[f.name] ?? null };
    audits.push({ action: "update", object, recordId: u.sys.id, changes });
    events.push({ object, recordId: u.sys.id, type: "updated", auditId: "" });
  }
  // One audit entry per event, in the same order: each event points at its entry.
  const auditIds = await appendAudit(ctx, audits);
  for (let i = 0; i < events.length; i++) events[i]!.auditId = auditIds[i]!;
  await appendEvents(ctx, events);
}

function staleVersion(shape: Shape, id: string, expected: number, current?: number) {
  return conflict(
    `The ${shape.object.label.en} ${id} was changed by someone else (your version ${expected}${current !== undefined ? `, current version ${current}` : ""}). Reload it and try again.`,
    [{ field: "version", reason: `stale version ${expected}${current !== undefined ? `; current is ${current}` : ""}`, code: "stale_version" }],
  );
}

function throwFor(shape: Shape, errors: ErrorDetail[]): never {
  const names = [...new Set(errors.map((e) => e.field))].join(", ");
  if (errors.every((e) => e.code === "duplicate")) throw conflict(`Duplicate value for ${names} on ${shape.object.label.en}.`, errors);
  throw invalid(`Invalid ${shape.object.label.en}: ${errors.map((e) => `${e.field} ${e.reason}`).join("; ")}`, errors);
}

/** The written record as the actor may read it (hidden fields dropped, masked ones masked). */
function present(ctx: Ctx, shape: Shape, sys: System, full: Values): RecordData {
  const rp = policyFor(ctx, shape.object.name, "read");
  if (!rp.allowed) return { id: sys.id, version: sys.version };
  const plan = readPlan(ctx, shape, rp);
  const rec: Values = merged(full, sys);
  const out: Record<string, unknown> = {};
  for (const f of plan.fields) {
    const kind = plan.masked.get(f.name);
    out[f.name] = kind ? maskValue(kind, rec[f.name]) : rec[f.name];
  }
  return out as RecordData;
}

/**
 * A write may not put a record outside what the writer's policy allows: a rep cannot create a deal
 * for, or hand one over to, someone outside their team. Runs inside the write's transaction, after
 * the write, so relation paths in the condition see the new values; a 403 rolls everything back.
 */
async function checkWithinPolicy(ctx: Ctx, shape: Shape, policy: Policy, ids: string[], action: "create" | "update"): Promise<void> {
  if (!policy.rowCondition || !ids.length) return;
  const inside = await idsWithin(ctx, shape, policy, ids);
  if (ids.some((id) => !inside.has(id)))
    throw forbidden(`You may not ${action} ${shape.object.labelPlural.en} like this: the result would be outside the records your roles allow you to ${action}. Nothing was written.`);
}

/**
 * Under a row condition, a new record with an owner field and no owner given is the writer's own
 * (a rep's "owner is me" policy would refuse it otherwise).
 */
function defaultOwner(ctx: Ctx, shape: Shape, policy: Policy, values: Values, input: Record<string, unknown>): void {
  if (!policy.rowCondition || ctx.actor.kind === "system" || "owner" in input) return;
  const owner = shape.byName.get("owner");
  if (owner?.type === "relation" && owner.relation?.object === "user" && !owner.isSystem) values.owner = ctx.actor.id;
}

/** Loads full current rows (as canonical values) the actor may act on, locking them on PostgreSQL. */
async function loadForWrite(ctx: Ctx, shape: Shape, policy: Policy, ids: string[], deleted: "exclude" | "only" | "include"): Promise<Map<string, Values>> {
  const out = new Map<string, Values>();
  if (!ids.length) return out;
  const where = baseWhere(ctx, shape, policy, undefined, deleted);
  where.push(sql<SqlBool>`${sql.id("id")} in (${sql.join(ids)})`);
  const lock = ctx.db.dialect === "postgres" ? sql`for update` : sql``;
  const res = await sql<Record<string, unknown>>`select ${columnList(shape.allColumns)} from ${sql.id(shape.table)} ${whereSql(where)} ${lock}`.execute(ctx.db.kysely);
  const plan = fullPlan(shape);
  for (const row of res.rows) out.set(String(row.id), decodeRecord(ctx, plan, row));
  return out;
}

export async function createRecord(ctx: Ctx, objectName: string, input: Record<string, unknown>): Promise<RecordData> {
  const shape = requireShape(ctx, objectName);
  return withTransaction(ctx.db, async (db) => {
    const tctx = { ...ctx, db };
    const policy = writePolicy(tctx, shape, "create");
    const { values, errors } = parseRecordInput(shape, policy, input, "create");
    if (errors.length) throwFor(shape, errors);
    if (input && typeof input === "object") defaultOwner(tctx, shape, policy, values, input);
    const { prepared, errors: checkErrors } = await prepare(tctx, shape, [{ id: newId(), values }], []);
    if (checkErrors.length) throwFor(shape, checkErrors);
    await commitWrites(tctx, shape, prepared);
    const c = prepared.creates[0]!;
    await checkWithinPolicy(tctx, shape, policy, [c.sys.id], "create");
    return present(tctx, shape, c.sys, c.full);
  });
}

export async function updateRecord(ctx: Ctx, objectName: string, id: string, patch: Record<string, unknown>, opts: UpdateOptions = {}): Promise<RecordData> {
  const shape = requireShape(ctx, objectName);
  if (opts.expectedVersion !== undefined && (!Number.isInteger(opts.expectedVersion) || opts.expectedVersion < 1))
    throw invalid("expectedVersion must be a positive whole number.", [{ field: "version", reason: "must be a positive whole number" }]);
  return withTransaction(ctx.db, async (db) => {
    const tctx = { ...ctx, db };
    const policy = writePolicy(tctx, shape, "update");
    const { values, errors } = parseRecordInput(shape, policy, patch, "update");
    if (errors.length) throwFor(shape, errors);
    const before = (await loadForWrite(tctx, shape, policy, typeof id === "string" ? [id] : [], "exclude")).get(id);
    if (!before) throw notFound(`No ${shape.object.label.en} with id ${String(id)}.`);
    const sys = systemOf(before);
    if (opts.expectedVersion !== undefined && opts.expectedVersion !== sys.version) throw staleVersion(shape, id, opts.expectedVersion, sys.version);
    const { prepared, errors: checkErrors } = await prepare(tctx, shape, [], [{ id, patch: values, before, sys }]);
    if (checkErrors.length) throwFor(shape, checkErrors);
    const u = prepared.updates[0]!;
    if (!u.changed.length) return present(tctx, shape, sys, u.before);
    await commitWrites(tctx, shape, prepared);
    await checkWithinPolicy(tctx, shape, policy, [id], "update");
    return present(tctx, shape, u.sys, u.full);
  });
}

async function setDeleted(ctx: Ctx, objectName: string, id: string, restore: boolean): Promise<RecordData> {
  const shape = requireShape(ctx, objectName);
  return withTransaction(ctx.db, async (db) => {
    const tctx = { ...ctx, db };
    // "delete" covers restore: whoever may delete a record may take the deletion back.
    const policy = writePolicy(tctx, shape, "delete");
    const rows = await loadForWrite(tctx, shape, policy, typeof id === "string" ? [id] : [], "include");
    const before = rows.get(id);
    if (!before) throw notFound(`No ${shape.object.label.en} with id ${String(id)}.`);
    const sys = systemOf(before);
    const full: Values = {};
    for (const f of shape.userFields) full[f.name] = before[f.name];
    const isDeleted = sys.deleted_at !== null;
    if (!restore && isDeleted) throw notFound(`No ${shape.object.label.en} with id ${id}.`);
    if (restore && !isDeleted) return present(tctx, shape, sys, full); // restoring a live record changes nothing
    const now = tctx.clock().toISOString();
    const next: System = { ...sys, deleted_at: restore ? null : now, updated_at: now, updated_by: tctx.actor.id, version: sys.version + 1 };
    const res = await execSql(tctx.db, `update "${shape.table}" set "deleted_at" = ?, "updated_at" = ?, "updated_by" = ?, "version" = ? where "id" = ? and "version" = ?`, [
      next.deleted_at,
      now,
      next.updated_by,
      next.version,
      id,
      sys.version,
    ]);
    if (res.changes !== 1) throw staleVersion(shape, id, sys.version);
    const [auditId] = await appendAudit(tctx, [{ action: restore ? "restore" : "delete", object: shape.object.name, recordId: id, changes: { deleted_at: { before: sys.deleted_at, after: next.deleted_at } } }]);
    await appendEvents(tctx, [{ object: shape.object.name, recordId: id, type: restore ? "restored" : "deleted", auditId: auditId! }]);
    return present(tctx, shape, next, full);
  });
}

export async function deleteRecord(ctx: Ctx, objectName: string, id: string): Promise<void> {
  await setDeleted(ctx, objectName, id, false);
}

export async function restoreRecord(ctx: Ctx, objectName: string, id: string): Promise<RecordData> {
  return setDeleted(ctx, objectName, id, true);
}

/**
 * Inserts or updates up to 1000 rows matched by a unique key field, all or nothing. Relation values
 * must already be record ids. Any bad row: Invalid with one detail per problem ({row, field, reason}), nothing written.
 */
export async function bulkUpsert(ctx: Ctx, objectName: string, rows: Record<string, unknown>[], opts: BulkUpsertOptions): Promise<BulkUpsertResult> {
  const shape = requireShape(ctx, objectName);
  if (!Array.isArray(rows)) throw invalid("records must be a list.", [{ field: "records", reason: "expected a list" }]);
  if (rows.length > MAX_BULK_ROWS) throw new AppError("too_large", `At most ${MAX_BULK_ROWS} records per call (got ${rows.length}).`, [{ field: "records", reason: `more than ${MAX_BULK_ROWS}` }]);
  const keyField = shape.byName.get(opts?.key);
  if (!keyField || !(keyField.unique || keyField.name === "id"))
    throw invalid(`key must name a unique field of ${shape.object.name}.`, [{ field: "key", reason: `"${String(opts?.key)}" is not a unique field` }]);
  if (!rows.length) return { inserted: 0, updated: 0, ids: [] };
  return withTransaction(ctx.db, async (db) => {
    const tctx = { ...ctx, db };
    const createPolicy = writePolicy(tctx, shape, "create");
    const updatePolicy = writePolicy(tctx, shape, "update");
    const errors: ErrorDetail[] = [];
    const parsed: { row: number; values: Values; key: unknown; body: Record<string, unknown>; ok: boolean }[] = [];
    const seen = new Map<string, number>();
    rows.forEach((input, row) => {
      if (!input || typeof input !== "object" || Array.isArray(input)) return errors.push({ row, field: "*", reason: "expected an object of field values" });
      const raw = (input)[keyField.name];
      const idKey = keyField.name === "id";
      const body = idKey ? Object.fromEntries(Object.entries(input).filter(([k]) => k !== "id")) : input;
      // Validate as an update (only given fields) first; rows that turn out new are checked as creates below.
      const r = parseRecordInput(shape, updatePolicy, body, "update", row);
      errors.push(...r.errors);
      if (raw === undefined || raw === null || raw === "") return errors.push({ row, field: keyField.name, reason: "the key field is required", code: "required" });
      const key = idKey ? raw : r.values[keyField.name];
      if (key === undefined) return;
      const k = String(encodeMain(keyField, key, db.dialect));
      if (seen.has(k)) return errors.push({ row, field: keyField.name, reason: `duplicate key (also in row ${seen.get(k)})`, code: "duplicate" });
      seen.set(k, row);
      parsed.push({ row, values: r.values, key, body, ok: !r.errors.length });
    });
    const existing = await loadByKey(tctx, shape, keyField, parsed.map((p) => p.key));
    const writable = await idsWithin(tctx, shape, updatePolicy, [...existing.values()].map((v) => String(v.id)));
    const creates: CreateOp[] = [];
    const updates: UpdateOp[] = [];
    for (const p of parsed) {
      const before = existing.get(String(encodeMain(keyField, p.key, db.dialect)));
      if (before && !writable.has(String(before.id))) {
        // A key held by a record outside the actor's policy: refused exactly as a duplicate value
        // of a unique field is, saying neither whose record it is nor anything in it.
        errors.push({ row: p.row, field: keyField.name, reason: `another ${shape.object.label.en} already has ${keyField.name} ${JSON.stringify(p.key)}`, code: "duplicate" });
        continue;
      }
      if (before && systemOf(before).deleted_at !== null) {
        // A deleted record keeps its key; an upsert does not quietly edit it (PATCH answers 404 too).
        errors.push({ row: p.row, field: keyField.name, reason: `the ${shape.object.label.en} with ${keyField.name} ${JSON.stringify(p.key)} is deleted; restore it first`, code: "deleted" });
        continue;
      }
      if (before) {
        if (p.ok) updates.push({ id: String(before.id), patch: p.values, before, sys: systemOf(before), row: p.row });
        continue;
      }
      // New row: the parsed values plus defaults, and now every required field must be there.
      const missing = completeForCreate(shape, p.values, p.body, p.row);
      for (const k of Object.keys(p.body)) {
        const rule = createPolicy.fieldRules[k]?.rule;
        if (rule === "hidden") missing.push({ row: p.row, field: k, reason: "unknown field", code: "unknown_field" });
        else if (rule === "read_only" || rule === "masked") missing.push({ row: p.row, field: k, reason: "is read-only", code: "read_only" });
      }
      errors.push(...missing);
      if (p.ok && !missing.length) {
        defaultOwner(tctx, shape, createPolicy, p.values, p.body);
        creates.push({ id: newId(), values: p.values, row: p.row });
      }
    }
    const { prepared, errors: checkErrors } = await prepare(tctx, shape, creates, updates);
    errors.push(...checkErrors);
    if (errors.length) throw bulkInvalid(shape, errors);
    await commitWrites(tctx, shape, prepared);
    await checkWithinPolicy(tctx, shape, createPolicy, creates.map((c) => c.id), "create");
    await checkWithinPolicy(tctx, shape, updatePolicy, updates.map((u) => u.id), "update");
    const ids = new Array<string>(rows.length);
    for (const c of creates) ids[c.row!] = c.id;
    for (const u of updates) ids[u.row!] = u.id;
    return { inserted: creates.length, updated: updates.length, ids };
  });
}

function bulkInvalid(shape: Shape, all: ErrorDetail[]) {
  const seen = new Set<string>();
  const errors = all.filter((e) => {
    const k = `${e.row}\u0000${e.field}\u0000${e.reason}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
  errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  const rowsBad = new Set(errors.map((e) => e.row)).size;
  return invalid(`${rowsBad} of the rows for ${shape.object.name} are not valid; nothing was written.`, errors);
}

/** Of these ids, those inside the policy's row condition (all of them when it has none). */
async function idsWithin(ctx: Ctx, shape: Shape, policy: Policy, ids: string[]): Promise<Set<string>> {
  const rowCondition = policy.rowCondition && ids.length ? viewOf(ctx, shape, policy).rowCondition : undefined;
  if (!rowCondition) return new Set(ids);
  const inside = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const where = [sql<SqlBool>`${sql.id("id")} in (${sql.join(ids.slice(i, i + 500))})`, conditionSql(ctx, shape, rowCondition, { validated: true })];
    const res = await sql<{ id: string }>`select ${sql.id("id")} from ${sql.id(shape.table)} ${whereSql(where)}`.execute(ctx.db.kysely);
    for (const r of res.rows) inside.add(String(r.id));
  }
  return inside;
}

/** Existing rows by key value (deleted ones too: the unique index covers them), as canonical values. */
async function loadByKey(ctx: Ctx, shape: Shape, keyField: FieldDef, keys: unknown[]): Promise<Map<string, Values>> {
  const out = new Map<string, Values>();
  const col = columnOf(keyField);
  const params = keys.map((k) => encodeMain(keyField, k, ctx.db.dialect));
  const plan = fullPlan(shape);
  const cols = shape.allColumns.map((c) => `"${c}"`).join(", ");
  const lock = ctx.db.dialect === "postgres" ? " for update" : "";
  for (let i = 0; i < params.length; i += 500) {
    const chunk = params.slice(i, i + 500);
    const res = await execSql(ctx.db, `select ${cols} from "${shape.table}" where "${col}" in (${chunk.map(() => "?").join(", ")})${lock}`, chunk);
    for (const row of res.rows) out.set(String(row[col]), decodeRecord(ctx, plan, row));
  }
  return out;
}
