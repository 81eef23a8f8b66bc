/**
 * Aggregates: count/sum/avg/min/max grouped by up to two fields, dates bucketed by day, month,
 * quarter or year into the same strings on both databases ("2024-03-05", "2024-03", "2024-Q1", "2024").
 * Money never mixes currencies: any currency metric splits the groups by currency.
 */
import { sql, type RawBuilder } from "kysely";
import { Dec, columnOf, fromMinor, invalid, type FieldDef } from "@revline/core";
import type { Ctx, Dialect } from "../context";
import { decodeValue } from "../metadata";
import { baseWhere, readPolicy, whereSql } from "./read";
import { requireShape, resolveFields, type Shape } from "./shape";
import { viewOf } from "./policy-view";
import type { AggregateBucket, AggregateMetric, AggregateOptions, AggregateResult, AggregateRow } from "./types";

const BUCKETS: AggregateBucket[] = ["day", "month", "quarter", "year"];
const FNS = ["count", "sum", "avg", "min", "max"] as const;
const NUMERIC = new Set(["integer", "decimal", "percent", "currency"]);
const ORDERED = new Set([...NUMERIC, "date", "datetime", "text", "email", "phone", "url", "picklist"]);
/** Averages of whole numbers keep this many decimals (half-up). */
const INTEGER_AVG_SCALE = 4;

export function bucketSql(field: FieldDef, bucket: AggregateBucket, dialect: Dialect): RawBuilder<string> {
  const col = sql.id(columnOf(field));
  if (dialect === "sqlite") {
    if (bucket === "day") return sql`substr(${col}, 1, 10)`;
    if (bucket === "month") return sql`substr(${col}, 1, 7)`;
    if (bucket === "year") return sql`substr(${col}, 1, 4)`;
    return sql`(substr(${col}, 1, 4) || '-Q' || ((cast(substr(${col}, 6, 2) as integer) + 2) / 3))`;
  }
  const v = field.type === "datetime" ? sql`(${col} at time zone 'UTC')` : col;
  const fmt = { day: "YYYY-MM-DD", month: "YYYY-MM", year: "YYYY", quarter: 'YYYY"-Q"Q' }[bucket];
  return sql`to_char(${v}, ${sql.lit(fmt)})`;
}

type Group = { key: string; field: FieldDef; bucket?: AggregateBucket };
type Metric = { key: string; fn: AggregateMetric["fn"]; field?: FieldDef };

function checkGroups(shape: Shape, groupBy: AggregateOptions["groupBy"]): Group[] {
  const list = groupBy ?? [];
  if (!Array.isArray(list) || list.length > 2) throw invalid("groupBy takes at most two fields.", [{ field: "groupBy", reason: "at most two fields" }]);
  const fields = resolveFields(shape, list.map((g) => g?.field), "groupBy");
  return fields.map((field, i) => {
    const bucket = list[i]!.bucket;
    if (["multi_picklist", "long_text", "currency"].includes(field.type))
      throw invalid(`Cannot group by "${field.name}" (${field.type}).`, [{ field: field.name, reason: `a ${field.type} field cannot be grouped` }]);
    if (bucket !== undefined) {
      if (!BUCKETS.includes(bucket)) throw invalid(`bucket must be one of ${BUCKETS.join(", ")}.`, [{ field: field.name, reason: "unknown bucket" }]);
      if (field.type !== "date" && field.type !== "datetime") throw invalid(`Only date fields take a bucket ("${field.name}" is ${field.type}).`, [{ field: field.name, reason: "bucket on a non-date field" }]);
    }
    return { key: bucket ? `${field.name}:${bucket}` : field.name, field, ...(bucket ? { bucket } : {}) };
  });
}

function checkMetrics(shape: Shape, metrics: AggregateMetric[]): Metric[] {
  if (!Array.isArray(metrics) || !metrics.length) throw invalid("metrics needs at least one metric, e.g. count.", [{ field: "metrics", reason: "at least one metric" }]);
  const out: Metric[] = [];
  for (const m of metrics) {
    if (!m || !FNS.includes(m.fn)) throw invalid(`A metric's fn must be one of ${FNS.join(", ")}.`, [{ field: "metrics", reason: `unknown fn ${String(m?.fn)}` }]);
    if (m.field === undefined || m.field === null) {
      if (m.fn !== "count") throw invalid(`${m.fn} needs a field.`, [{ field: "metrics", reason: `${m.fn} without a field` }]);
      out.push({ key: "count", fn: "count" });
      continue;
    }
    const field = resolveFields(shape, [m.field], "metrics")[0]!;
    const ok = m.fn === "count" || ((m.fn === "sum" || m.fn === "avg") && NUMERIC.has(field.type)) || ((m.fn === "min" || m.fn === "max") && ORDERED.has(field.type));
    if (!ok) throw invalid(`Cannot ${m.fn} "${field.name}" (${field.type}).`, [{ field: field.name, reason: `${m.fn} is not available for ${field.type}` }]);
    out.push({ key: `${m.fn}:${field.name}`, fn: m.fn, field });
  }
  return out;
}

export async function aggregate(ctx: Ctx, objectName: string, opts: AggregateOptions): Promise<AggregateResult> {
  const shape = requireShape(ctx, objectName);
  const policy = readPolicy(ctx, shape);
  // Hidden and masked fields are unknown to groupBy and metrics: a sum or a group would reveal them.
  const queryable = viewOf(ctx, shape, policy).queryable;
  const groups = checkGroups(queryable, opts?.groupBy);
  const metrics = checkMetrics(queryable, opts?.metrics);
  const dialect = ctx.db.dialect;
  const currencyFields = [...new Map(metrics.filter((m) => m.field?.type === "currency" && m.fn !== "count").map((m) => [m.field!.name, m.field!])).values()];

  const selects: RawBuilder<unknown>[] = [];
  const groupExprs: RawBuilder<unknown>[] = [];
  groups.forEach((g, i) => {
    const e = g.bucket ? bucketSql(g.field, g.bucket, dialect) : sql.id(columnOf(g.field));
    groupExprs.push(e);
    selects.push(sql`${e} as ${sql.id(`g${i}`)}`);
  });
  currencyFields.forEach((f, i) => {
    const e = sql.id(`${f.name}_currency`);
    groupExprs.push(e);
    selects.push(sql`${e} as ${sql.id(`c${i}`)}`);
  });
  metrics.forEach((m, i) => {
    const col = m.field ? sql.id(columnOf(m.field)) : null;
    const alias = (s: string) => sql.id(`m${i}${s}`);
    if (m.fn === "count") selects.push(col ? sql`count(${col}) as ${alias("")}` : sql`count(*) as ${alias("")}`);
    else if (m.fn === "avg") selects.push(sql`sum(${col}) as ${alias("s")}`, sql`count(${col}) as ${alias("c")}`);
    else selects.push(sql`${sql.raw(m.fn)}(${col}) as ${alias("")}`);
  });
  const where = baseWhere(ctx, shape, policy, opts?.filter, opts?.deleted);
  const positions = groupExprs.map((_, i) => sql.raw(String(i + 1)));
  const groupSql = positions.length ? sql`group by ${sql.join(positions)}` : sql``;
  const orderSql = positions.length ? sql`order by ${sql.join(positions.map((p) => (dialect === "postgres" ? sql`${p} asc nulls first` : sql`${p} asc`)))}` : sql``;
  const res = await sql<Record<string, unknown>>`select ${sql.join(selects)} from ${sql.id(shape.table)} ${whereSql(where)} ${groupSql} ${orderSql}`.execute(ctx.db.kysely);

  const rows: AggregateRow[] = res.rows.map((r) => {
    const group: Record<string, unknown> = {};
    groups.forEach((g, i) => {
      const v = r[`g${i}`];
      group[g.key] = g.bucket ? (v ?? null) : decodeValue(g.field, { [columnOf(g.field)]: v }, dialect);
    });
    const currencyOf = (f: FieldDef) => r[`c${currencyFields.indexOf(f)}`] as string | null;
    // Groups split by currency say which: without it two rows of one group would look identical.
    for (const f of currencyFields) group[`${f.name}_currency`] = currencyOf(f);
    const values: Record<string, unknown> = {};
    metrics.forEach((m, i) => {
      values[m.key] = metricValue(m, r, `m${i}`, m.field?.type === "currency" ? currencyOf(currencyFields.find((f) => f.name === m.field!.name)!) : null, dialect);
    });
    return { group, values };
  });
  if (!rows.length && !groups.length) {
    const values: Record<string, unknown> = {};
    for (const m of metrics) values[m.key] = m.fn === "count" ? 0 : null;
    rows.push({ group: {}, values });
  }
  return { rows };
}

function metricValue(m: Metric, r: Record<string, unknown>, alias: string, currency: string | null, dialect: Dialect): unknown {
  if (m.fn === "count") return Number(r[alias] ?? 0);
  const f = m.field!;
  if (m.fn === "min" || m.fn === "max") {
    const row: Record<string, unknown> = { [columnOf(f)]: r[alias] };
    if (f.type === "currency") row[`${f.name}_currency`] = currency;
    return decodeValue(f, row, dialect);
  }
  const sum = m.fn === "sum" ? r[alias] : r[`${alias}s`];
  if (sum === null || sum === undefined) return null;
  let value = new Dec(typeof sum === "number" || typeof sum === "bigint" ? sum.toString() : (sum as string));
  if (m.fn === "avg") {
    const count = Number(r[`${alias}c`] ?? 0);
    if (!count) return null;
    value = value.div(count);
  }
  switch (f.type) {
    case "currency": {
      if (!currency) return null;
      // Minor units: the average rounds half-up to a whole minor unit, i.e. to the currency's scale.
      return { amount: fromMinor(BigInt(value.toDecimalPlaces(0, Dec.ROUND_HALF_UP).toFixed(0)), currency), currency };
    }
    case "decimal":
    case "percent": {
      const scale = f.scale ?? 2;
      return value.div(new Dec(10).pow(scale)).toDecimalPlaces(scale, Dec.ROUND_HALF_UP).toNumber();
    }
    default:
      return m.fn === "avg" ? value.toDecimalPlaces(INTEGER_AVG_SCALE, Dec.ROUND_HALF_UP).toNumber() : value.toNumber();
  }
}
