/**
 * Revealing one masked value: the actor must be able to read the record (else 404, as for a record
 * that does not exist) and hold the "reveal" right on the object (else 403). Every reveal leaves an
 * audit entry "record.reveal" naming the field, never the value, in the same transaction as the read.
 */
import { sql, type SqlBool } from "kysely";
import { columnsOf, forbidden, invalid, notFound } from "@revline/core";
import type { Ctx } from "../context";
import { appendAudit, withTransaction } from "../db";
import { policyFor } from "../access";
import { fieldDecoder } from "../metadata";
import { conditionSql } from "./filter";
import { viewOf } from "./policy-view";
import { baseWhere, columnList, readPolicy, whereSql } from "./read";
import { requireShape, resolveFields } from "./shape";

export type Revealed = { field: string; value: unknown };

export async function revealField(ctx: Ctx, objectName: string, id: string, fieldName: string): Promise<Revealed> {
  const shape = requireShape(ctx, objectName);
  const policy = readPolicy(ctx, shape);
  if (typeof fieldName !== "string" || fieldName === "") throw invalid("Name the field to reveal.", [{ field: "field", reason: "must be a field name" }]);
  // A hidden field is unknown, exactly like a field that does not exist.
  const field = resolveFields(viewOf(ctx, shape, policy).visible, [fieldName], "field")[0]!;
  const reveal = policyFor(ctx, shape.object.name, "reveal");
  if (!reveal.allowed || reveal.fieldRules[field.name]?.rule === "hidden") throw forbidden(`You may not reveal values of ${shape.object.labelPlural.en}.`);
  return withTransaction(ctx.db, async (db) => {
    const tctx = { ...ctx, db };
    const where = baseWhere(tctx, shape, policy, undefined, "exclude");
    where.push(sql<SqlBool>`${sql.id("id")} = ${typeof id === "string" ? id : ""}`);
    const revealCondition = reveal.rowCondition ? viewOf(tctx, shape, reveal).rowCondition : undefined;
    const canReveal = revealCondition ? sql`, case when ${conditionSql(tctx, shape, revealCondition, { validated: true })} then 1 else 0 end as ${sql.id("rl_reveal")}` : sql``;
    const res = await sql<Record<string, unknown>>`select ${columnList(["id", ...columnsOf(field)])}${canReveal} from ${sql.id(shape.table)} ${whereSql(where)}`.execute(tctx.db.kysely);
    const row = res.rows[0];
    if (!row) throw notFound(`No ${shape.object.label.en} with id ${String(id)}.`);
    if (revealCondition && Number(row.rl_reveal) !== 1) throw forbidden(`You may not reveal values of this ${shape.object.label.en}.`);
    const value = fieldDecoder(field, tctx.db.dialect)(row);
    await appendAudit(tctx, [{ action: "record.reveal", object: shape.object.name, recordId: id, changes: { [field.name]: {} } }]);
    return { field: field.name, value };
  });
}

/**
 * Clear values of masked fields for many records at once (an approved clear export): only for rows
 * the actor reads and that the reveal policy's row condition covers, and only for fields the reveal
 * policy does not hide. Rows or fields outside stay as the caller had them (masked). The caller
 * audits the act (export.downloaded); values are never logged.
 */
export async function revealMany(ctx: Ctx, objectName: string, ids: string[], fieldNames: string[]): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  const shape = requireShape(ctx, objectName);
  const reveal = policyFor(ctx, shape.object.name, "reveal");
  if (!reveal.allowed || !ids.length) return out;
  const policy = readPolicy(ctx, shape);
  const visible = viewOf(ctx, shape, policy).visible;
  const fields = resolveFields(visible, fieldNames.filter((n) => visible.object.fields.some((f) => f.name === n)), "fields").filter((f) => reveal.fieldRules[f.name]?.rule !== "hidden");
  if (!fields.length) return out;
  const where = baseWhere(ctx, shape, policy, undefined, "exclude");
  where.push(sql<SqlBool>`${sql.id("id")} in (${sql.join(ids.map((id) => sql`${id}`))})`);
  const revealCondition = reveal.rowCondition ? viewOf(ctx, shape, reveal).rowCondition : undefined;
  if (revealCondition) where.push(conditionSql(ctx, shape, revealCondition, { validated: true }));
  const res = await sql<Record<string, unknown>>`select ${columnList(["id", ...fields.flatMap((f) => columnsOf(f))])} from ${sql.id(shape.table)} ${whereSql(where)}`.execute(ctx.db.kysely);
  const decoders = fields.map((f) => [f.name, fieldDecoder(f, ctx.db.dialect)] as const);
  for (const row of res.rows) out.set(String(row.id), Object.fromEntries(decoders.map(([name, decode]) => [name, decode(row)])));
  return out;
}
