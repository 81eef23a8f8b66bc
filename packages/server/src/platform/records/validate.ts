/** Validating write input: strict field names and types, required, unique, relation targets. */
import { columnOf, isEmptyValue, type ErrorDetail, type FieldDef } from "@revline/core";
import type { Ctx } from "../context";
import { sql, type SqlBool } from "kysely";
import { policyFor, type Policy } from "../access";
import { encodeMain, parseInput } from "../metadata";
import { execSql } from "../db";
import { computedFieldsOf } from "./computed";
import { conditionSql } from "./filter";
import { viewOf } from "./policy-view";
import { shapeOf, type Shape } from "./shape";

export type Values = Record<string, unknown>;
const ID_CHUNK = 500;

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * Parses one input row into canonical values. On create, defaults fill absent fields and every
 * required field must have a value; on update only the given fields are checked.
 */
export function parseRecordInput(shape: Shape, policy: Policy, input: unknown, mode: "create" | "update", row?: number): { values: Values; errors: ErrorDetail[] } {
  const errors: ErrorDetail[] = [];
  const at = (e: ErrorDetail): ErrorDetail => (row === undefined ? e : { ...e, row });
  const values: Values = {};
  if (!isPlainObject(input)) return { values, errors: [at({ field: "*", reason: "expected an object of field values" })] };
  const computed = computedFieldsOf(shape.object.name);
  for (const [key, raw] of Object.entries(input)) {
    const field = shape.byName.get(key);
    const rule = policy.fieldRules[key]?.rule;
    if (!field || rule === "hidden") {
      errors.push(at({ field: key, reason: "unknown field", code: "unknown_field" }));
      continue;
    }
    // A masked value cannot be seen, so it cannot be edited either: read-only to this actor.
    if (field.isSystem || computed?.has(key) || rule === "read_only" || rule === "masked") {
      errors.push(at({ field: key, reason: field.isSystem ? "is a system field and cannot be written" : "is read-only", code: "read_only" }));
      continue;
    }
    if (raw === undefined) continue;
    const r = parseInput(field, raw);
    if (!r.ok) errors.push(at({ field: key, reason: r.reason, code: "invalid_value" }));
    else values[key] = r.value;
  }
  if (mode === "create") errors.push(...completeForCreate(shape, values, input, row));
  else
    for (const f of shape.requiredFields)
      if (f.name in values && isEmptyValue(values[f.name]) && !errors.some((e) => e.field === f.name)) errors.push(at({ field: f.name, reason: "is required", code: "required" }));
  return { values, errors };
}

/**
 * Turns parsed values of a new record into a complete one: defaults for absent fields, then every
 * required field must have a value. `values` is completed in place.
 */
export function completeForCreate(shape: Shape, values: Values, input: Record<string, unknown>, row?: number): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const computed = computedFieldsOf(shape.object.name);
  for (const f of shape.userFields) {
    if (f.name in values || f.name in input || computed?.has(f.name) || f.defaultValue === undefined) continue;
    const r = parseInput(f, f.defaultValue);
    if (r.ok) values[f.name] = r.value;
  }
  for (const f of shape.requiredFields)
    if (!(input[f.name] !== undefined && !(f.name in values)) && isEmptyValue(values[f.name]))
      errors.push({ field: f.name, reason: "is required", code: "required", ...(row !== undefined ? { row } : {}) });
  return errors;
}

/** Fills computed fields from the record's full values. */
export function applyComputed(shape: Shape, full: Values): void {
  const computed = computedFieldsOf(shape.object.name);
  if (!computed) return;
  for (const [name, fn] of computed) if (shape.byName.has(name)) full[name] = fn(full);
}

export type RowForChecks = { id: string; values: Values; row?: number };

/**
 * Unique fields: no other record (deleted ones included: the index covers them) and no other row
 * of the same batch may hold the value. Returns one error per offending row and field.
 */
export async function checkUnique(ctx: Ctx, shape: Shape, rows: RowForChecks[]): Promise<ErrorDetail[]> {
  const errors: ErrorDetail[] = [];
  for (const field of shape.uniqueFields) {
    // Keys compare as strings: PostgreSQL returns int8 as text, SQLite as numbers.
    const byValue = new Map<string, { r: RowForChecks; param: unknown }>();
    for (const r of rows) {
      const v = r.values[field.name];
      if (v === undefined || isEmptyValue(v)) continue;
      const param = encodeMain(field, v, ctx.db.dialect);
      const first = byValue.get(String(param));
      if (first) errors.push({ field: field.name, reason: `duplicate value ${JSON.stringify(v)} (also in row ${first.r.row ?? 0})`, code: "duplicate", ...(r.row !== undefined ? { row: r.row } : {}) });
      else byValue.set(String(param), { r, param });
    }
    const keys = [...byValue.values()].map((x) => x.param);
    const col = columnOf(field);
    for (let i = 0; i < keys.length; i += ID_CHUNK) {
      const chunk = keys.slice(i, i + ID_CHUNK);
      const res = await execSql(ctx.db, `select "id", "${col}" as v from "${shape.table}" where "${col}" in (${chunk.map(() => "?").join(", ")})`, chunk);
      for (const hit of res.rows) {
        const mine = byValue.get(String(hit.v))?.r;
        if (mine && mine.id !== hit.id)
          errors.push({ field: field.name, reason: `another ${shape.object.label.en} already has ${field.name} ${JSON.stringify(mine.values[field.name])}`, code: "duplicate", ...(mine.row !== undefined ? { row: mine.row } : {}) });
      }
    }
  }
  return errors;
}

/**
 * Relation values must point at existing, not deleted records of the target object that the actor
 * may read: an id outside their policy is "no such record", exactly like an id that does not exist.
 */
export async function checkRelations(ctx: Ctx, shape: Shape, rows: RowForChecks[]): Promise<ErrorDetail[]> {
  const errors: ErrorDetail[] = [];
  for (const field of shape.relationFields) {
    const targetDef = ctx.meta(field.relation!.object);
    const ids = new Set<string>();
    for (const r of rows) {
      const v = r.values[field.name];
      if (typeof v === "string" && v !== "") ids.add(v);
    }
    if (!ids.size) continue;
    const found = new Set<string>();
    const readable = targetDef ? policyFor(ctx, targetDef.name, "read") : undefined;
    if (targetDef && readable?.allowed) {
      const target = shapeOf(targetDef);
      const list = [...ids];
      const rowCondition = readable.rowCondition ? viewOf(ctx, target, readable).rowCondition : undefined;
      for (let i = 0; i < list.length; i += ID_CHUNK) {
        const chunk = list.slice(i, i + ID_CHUNK);
        if (rowCondition) {
          const where = sql<SqlBool>`${sql.id("id")} in (${sql.join(chunk)}) and ${sql.id("deleted_at")} is null and ${conditionSql(ctx, target, rowCondition, { validated: true })}`;
          const res = await sql<{ id: string }>`select ${sql.id("id")} from ${sql.id(target.table)} where ${where}`.execute(ctx.db.kysely);
          for (const hit of res.rows) found.add(String(hit.id));
          continue;
        }
        const res = await execSql(ctx.db, `select "id" from "${target.table}" where "id" in (${chunk.map(() => "?").join(", ")}) and "deleted_at" is null`, chunk);
        for (const hit of res.rows) found.add(String(hit.id));
      }
    }
    for (const r of rows) {
      const v = r.values[field.name];
      if (typeof v === "string" && v !== "" && !found.has(v))
        errors.push({ field: field.name, reason: `no ${field.relation!.object} record with id ${v}`, code: "not_found", ...(r.row !== undefined ? { row: r.row } : {}) });
    }
  }
  return errors;
}

/** The unique field a database unique-violation message points at, if any. */
export function fieldOfUniqueError(shape: Shape, e: unknown): FieldDef | undefined {
  const err = e as { code?: string; constraint?: string; message?: string };
  const text = `${err.constraint ?? ""} ${err.message ?? ""}`;
  if (!/unique|duplicate/i.test(text)) return undefined;
  return shape.uniqueFields.find((f) => text.includes(`${shape.table}.${columnOf(f)}`) || text.includes(`${columnOf(f)}_uq`));
}
