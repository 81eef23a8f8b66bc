/** Reading records: list (filter, sort, keyset pages, field selection, includes), get. */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import { columnOf, columnsOf, forbidden, invalid, maskValue, notFound, type Condition, type FieldDef, type MaskKind } from "@revline/core";
import type { Ctx } from "../context";
import { policyFor, type Policy } from "../access";
import { fieldDecoder } from "../metadata";
import { conditionSql } from "./filter";
import { queryableMeta, viewOf } from "./policy-view";
import { decodeCursor, encodeCursor, keysetWhere, orderBySql, sortKeys } from "./cursor";
import { requireShape, resolveFields, shapeOf, type Shape } from "./shape";
import type { GetOptions, ListOptions, ListResult, RecordData } from "./types";

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 1000;
const ID_CHUNK = 500;

export type ReadPlan = { fields: FieldDef[]; masked: ReadonlyMap<string, MaskKind>; columns: string[] };

export function readPolicy(ctx: Ctx, shape: Shape): Policy {
  const policy = policyFor(ctx, shape.object.name, "read");
  if (!policy.allowed) throw forbidden(`You may not read ${shape.object.labelPlural.en}.`);
  return policy;
}

/**
 * Which fields a read returns: the requested ones (id and version always), or all the actor may see.
 * A hidden field is unknown here: naming it fails exactly like naming a field that does not exist.
 */
export function readPlan(ctx: Pick<Ctx, "meta" | "log">, shape: Shape, policy: Policy, requested?: readonly string[]): ReadPlan {
  const view = viewOf(ctx, shape, policy);
  let fields: FieldDef[];
  if (requested && requested.length) {
    if (!Array.isArray(requested)) throw invalid("fields must be a list of field names.", [{ field: "fields", reason: "expected a list" }]);
    const names = new Set<string>(["id", "version", ...(requested as string[])]);
    fields = resolveFields(view.visible, [...names], "fields");
  } else fields = view.visible.all;
  return { fields, masked: view.masked, columns: fields.flatMap((f) => columnsOf(f)) };
}

export function decodeRecord(ctx: Ctx, plan: ReadPlan, row: Record<string, unknown>): RecordData {
  const out: Record<string, unknown> = {};
  const dialect = ctx.db.dialect;
  if (!plan.masked.size) for (const f of plan.fields) out[f.name] = fieldDecoder(f, dialect)(row);
  else
    for (const f of plan.fields) {
      const v = fieldDecoder(f, dialect)(row);
      const kind = plan.masked.get(f.name);
      out[f.name] = kind ? maskValue(kind, v) : v;
    }
  return out as RecordData;
}

/** The WHERE parts every read shares: deleted filter, the actor's row condition, the caller's filter. */
export function baseWhere(
  ctx: Ctx,
  shape: Shape,
  policy: Policy,
  filter: Condition | undefined,
  deleted: "exclude" | "only" | "include" | undefined,
): RawBuilder<SqlBool>[] {
  const where: RawBuilder<SqlBool>[] = [];
  const d = deleted ?? "exclude";
  if (d === "exclude") where.push(sql<SqlBool>`${sql.id("deleted_at")} is null`);
  else if (d === "only") where.push(sql<SqlBool>`${sql.id("deleted_at")} is not null`);
  else if (d !== "include") throw invalid('deleted must be "exclude", "only" or "include".', [{ field: "deleted", reason: "unknown value" }]);
  const view = policy.rowCondition || Object.keys(policy.fieldRules).length ? viewOf(ctx, shape, policy) : undefined;
  if (view?.rowCondition) where.push(conditionSql(ctx, shape, view.rowCondition, { validated: true }));
  if (filter !== undefined && filter !== null) {
    if (typeof filter !== "object" || Array.isArray(filter)) throw invalid("filter must be a condition object.", [{ field: "filter", reason: "expected a condition object" }]);
    // The caller's filter may only name fields the actor may query (hidden and masked ones are unknown).
    where.push(view ? conditionSql(ctx, shape, filter, { object: view.queryable.object, meta: queryableMeta(ctx) }) : conditionSql(ctx, shape, filter, { meta: queryableMeta(ctx) }));
  }
  return where;
}

export const whereSql = (parts: RawBuilder<SqlBool>[]) => (parts.length ? sql`where ${sql.join(parts, sql` and `)}` : sql``);
export const columnList = (columns: readonly string[]) => sql.join([...new Set(columns)].map((c) => sql.id(c)));

function checkLimit(limit: unknown): number {
  if (limit === undefined || limit === null) return DEFAULT_LIST_LIMIT;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
    throw invalid(`limit must be a whole number from 1 to ${MAX_LIST_LIMIT}.`, [{ field: "limit", reason: `must be 1..${MAX_LIST_LIMIT}` }]);
  return limit;
}

function includeFields(ctx: Ctx, shape: Shape, policy: Policy, include: readonly string[] | undefined): FieldDef[] {
  if (!include || !include.length) return [];
  if (!Array.isArray(include)) throw invalid("include must be a list of relation fields.", [{ field: "include", reason: "expected a list" }]);
  const view = viewOf(ctx, shape, policy);
  const fields = resolveFields(view.visible, [...new Set(include)], "include");
  const notRel = fields.filter((f) => f.type !== "relation");
  if (notRel.length)
    throw invalid(`Only relation fields can be included: ${notRel.map((f) => f.name).join(", ")}.`, notRel.map((f) => ({ field: f.name, reason: "not a relation field" })));
  // A masked relation's target would unmask it: it rides along as nothing.
  return fields.filter((f) => !view.masked.has(f.name));
}

export async function listRecords(ctx: Ctx, objectName: string, opts: ListOptions = {}): Promise<ListResult> {
  const shape = requireShape(ctx, objectName);
  const policy = readPolicy(ctx, shape);
  const limit = checkLimit(opts.limit);
  const keys = sortKeys(viewOf(ctx, shape, policy).queryable, opts.sort);
  const plan = readPlan(ctx, shape, policy, opts.fields);
  const includes = includeFields(ctx, shape, policy, opts.include);
  const where = baseWhere(ctx, shape, policy, opts.filter, opts.deleted);
  if (opts.cursor) where.push(keysetWhere(keys, decodeCursor(shape, keys, opts.cursor, ctx.db.dialect)));
  const columns = [...plan.columns, ...keys.flatMap((k) => k.columns), ...includes.map((f) => columnOf(f))];
  const result = await sql<Record<string, unknown>>`select ${columnList(columns)} from ${sql.id(shape.table)} ${whereSql(where)} order by ${orderBySql(
    keys,
    ctx.db.dialect,
  )} limit ${limit + 1}`.execute(ctx.db.kysely);
  const rows = result.rows;
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const records = page.map((r) => decodeRecord(ctx, plan, r));
  if (includes.length) await attachRelated(ctx, includes, page, records);
  return { records, nextCursor: hasMore ? encodeCursor(shape, keys, page[page.length - 1]!) : null };
}

export async function getRecord(ctx: Ctx, objectName: string, id: string, opts: GetOptions = {}): Promise<RecordData> {
  const shape = requireShape(ctx, objectName);
  const policy = readPolicy(ctx, shape);
  const plan = readPlan(ctx, shape, policy, opts.fields);
  const includes = includeFields(ctx, shape, policy, opts.include);
  if (typeof id !== "string" || id === "") throw notFound(`No ${shape.object.label.en} with id ${String(id)}.`);
  const where = baseWhere(ctx, shape, policy, undefined, opts.deleted ?? "exclude");
  where.push(sql<SqlBool>`${sql.id("id")} = ${id}`);
  const columns = [...plan.columns, ...includes.map((f) => columnOf(f))];
  const result = await sql<Record<string, unknown>>`select ${columnList(columns)} from ${sql.id(shape.table)} ${whereSql(where)}`.execute(ctx.db.kysely);
  const row = result.rows[0];
  if (!row) throw notFound(`No ${shape.object.label.en} with id ${id}.`);
  const record = decodeRecord(ctx, plan, row);
  if (includes.length) await attachRelated(ctx, includes, [row], [record]);
  return record;
}

/** Related records for each include: one query per relation (ids batched), never one per row. */
async function attachRelated(ctx: Ctx, includes: FieldDef[], rows: Record<string, unknown>[], records: RecordData[]): Promise<void> {
  for (const r of records) r._related = {};
  for (const field of includes) {
    const target = ctx.meta(field.relation!.object);
    if (!target) continue;
    const tshape = shapeOf(target);
    const tpolicy = policyFor(ctx, target.name, "read");
    const col = columnOf(field);
    const ids = [...new Set(rows.map((r) => r[col]).filter((v): v is string => typeof v === "string"))];
    const found = new Map<string, RecordData>();
    if (tpolicy.allowed && ids.length) {
      const plan = readPlan(ctx, tshape, tpolicy);
      for (let i = 0; i < ids.length; i += ID_CHUNK) {
        const where = baseWhere(ctx, tshape, tpolicy, undefined, "exclude");
        where.push(sql<SqlBool>`${sql.id("id")} in (${sql.join(ids.slice(i, i + ID_CHUNK))})`);
        const res = await sql<Record<string, unknown>>`select ${columnList(plan.columns)} from ${sql.id(tshape.table)} ${whereSql(where)}`.execute(ctx.db.kysely);
        for (const row of res.rows) found.set(String(row.id), decodeRecord(ctx, plan, row));
      }
    }
    rows.forEach((row, i) => {
      const v = row[col];
      (records[i]!._related as Record<string, unknown>)[field.name] = typeof v === "string" ? (found.get(v) ?? null) : null;
    });
  }
}
