/**
 * Compiles a validated Condition to a Kysely boolean expression with the same meaning as
 * core's evaluateCondition (docs/conditions.md). Both run core's resolveLeaf, so operands, null
 * handling, relative dates and currency scaling come from one place; this file only spells them
 * in SQL. Values are always parameters; identifiers come only from metadata (validated names).
 *
 * Every leaf compiles to an expression that is TRUE or FALSE, never NULL, so NOT agrees with memory.
 */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import {
  columnOf, currenciesByScale, currencyScale, defaultCurrencyOf, MAX_CURRENCY_SCALE, SQLITE_LOWER, resolveLeaf, resolvePath, singleScaleOf, tableName,
  type Condition, type FieldDef, type Leaf, type MetadataLookup, type ObjectDef, type Operand, type ResolvedLeaf,
} from "@revline/core";
import type { Ctx, Dialect } from "../context";

export type CompileOptions = {
  object: ObjectDef;
  meta: MetadataLookup;
  dialect: Dialect;
  actor?: { attrs: Record<string, unknown> };
  now: Date;
  /** Table alias of the object in the surrounding query; unqualified columns when absent. */
  alias?: string;
  /** Nesting depth of the surrounding query (relation hops alias their subqueries rl_p<depth+1>, ...). */
  depth?: number;
  /**
   * Extra WHERE of each relation hop's subquery: a caller's filter through account.name must only
   * look at accounts the actor may read (else it would test values of rows outside their policy).
   */
  hopScope?: (target: ObjectDef, alias: string, depth: number) => RawBuilder<SqlBool> | undefined;
};

/**
 * registerSqliteFunctions(db) must run on every SQLite connection before condition SQL: it adds
 * rl_lower (Unicode case folding). It lives in core so platform/db can call it; re-exported here.
 */
export { registerSqliteFunctions, SQLITE_LOWER } from "@revline/core";

const TRUE = sql<SqlBool>`1 = 1`;
const FALSE = sql<SqlBool>`1 = 0`;

type Scope = { alias?: string; depth: number };

/**
 * The WHERE expression for `cond` on `opts.object` (usable in .where()). `cond` must have passed
 * core's validateCondition against the same metadata.
 */
export function compileCondition(cond: Condition, opts: CompileOptions): RawBuilder<SqlBool> {
  return compileNode(cond, opts, opts.object, { alias: opts.alias, depth: opts.depth ?? 0 });
}

/** compileCondition with the actor, clock, metadata and dialect taken from ctx. */
export function compileConditionForCtx(
  ctx: Ctx,
  object: ObjectDef,
  cond: Condition,
  alias?: string,
  more: Pick<CompileOptions, "depth" | "hopScope"> = {},
): RawBuilder<SqlBool> {
  return compileCondition(cond, { object, meta: ctx.meta, dialect: ctx.db.dialect, actor: ctx.actor, now: ctx.clock(), alias, ...more });
}

function compileNode(cond: Condition, opts: CompileOptions, object: ObjectDef, scope: Scope): RawBuilder<SqlBool> {
  if ("all" in cond) return cond.all.length === 0 ? TRUE : sql<SqlBool>`(${sql.join(cond.all.map((c) => compileNode(c, opts, object, scope)), sql` AND `)})`;
  if ("any" in cond) return cond.any.length === 0 ? FALSE : sql<SqlBool>`(${sql.join(cond.any.map((c) => compileNode(c, opts, object, scope)), sql` OR `)})`;
  if ("not" in cond) return sql<SqlBool>`(NOT ${compileNode(cond.not, opts, object, scope)})`;
  return compileLeaf(cond, opts, object, scope);
}

const ref = (scope: Scope, column: string) => sql.ref(scope.alias ? `${scope.alias}.${column}` : column);

function compileLeaf(leaf: Leaf, opts: CompileOptions, object: ObjectDef, scope: Scope): RawBuilder<SqlBool> {
  const resolved = resolvePath(object, opts.meta, leaf.field);
  if (!resolved.ok) throw new Error(resolved.reason); // validateCondition runs first; this is a programming error
  const { hops, field } = resolved.path;
  const inner = (s: Scope) => compileResolved(field, resolveLeaf(field, leaf.op, leaf.value, opts), opts.dialect, s);
  // account.owner.name -> account_id IN (SELECT id FROM obj_account WHERE deleted_at IS NULL AND owner_id IN (...))
  const build = (i: number, s: Scope): RawBuilder<SqlBool> => {
    if (i === hops.length) return inner(s);
    const hop = hops[i]!;
    const alias = `rl_p${s.depth + 1}`;
    const next: Scope = { alias, depth: s.depth + 1 };
    const col = ref(s, columnOf(hop.field));
    const scoped = opts.hopScope?.(hop.target, alias, next.depth);
    const rest = scoped ? sql<SqlBool>`${scoped} AND ${build(i + 1, next)}` : build(i + 1, next);
    return sql<SqlBool>`(${col} IS NOT NULL AND ${col} IN (SELECT ${sql.ref(`${alias}.id`)} FROM ${sql.table(tableName(hop.target.name))} AS ${sql.id(alias)} WHERE ${sql.ref(`${alias}.deleted_at`)} IS NULL AND ${rest}))`;
  };
  return build(0, scope);
}

function param(v: Operand, dialect: Dialect): unknown {
  if (typeof v === "boolean") return dialect === "sqlite" ? (v ? 1 : 0) : v;
  if (typeof v === "bigint") return dialect === "sqlite" ? v : v.toString();
  return v;
}

/** The comparable SQL value of a field: currency amounts rescaled to MAX_CURRENCY_SCALE digits by their own currency. */
function valueExpr(field: FieldDef, scope: Scope): RawBuilder<unknown> {
  return field.type === "currency" ? scaledAmountSql(field, scope.alias) : sql`${ref(scope, columnOf(field))}`;
}

/**
 * A currency field's amount at MAX_CURRENCY_SCALE digits whatever its row's currency (JPY 0, USD 2,
 * KWD 3 decimals), so that amounts of mixed currencies compare by value: filters and sorts share it.
 * A field whose accepted currencies all have one scale needs no CASE (a constant factor).
 */
export function scaledAmountSql(field: FieldDef, alias?: string): RawBuilder<unknown> {
  const scope: Scope = { alias, depth: 0 };
  const col = ref(scope, columnOf(field));
  const factor = (scale: number) => sql.lit(10 ** (MAX_CURRENCY_SCALE - scale));
  const single = singleScaleOf(field);
  if (single !== undefined) return sql`(${col} * ${factor(single)})`;
  const cur = ref(scope, `${field.name}_currency`);
  const whens = [...currenciesByScale()]
    .filter(([scale]) => scale !== 2)
    .map(([scale, codes]) => sql`WHEN ${cur} IN (${sql.join(codes.map((c) => sql.lit(c)))}) THEN ${factor(scale)}`);
  return sql`(${col} * CASE WHEN ${cur} IS NULL THEN ${factor(currencyScale(defaultCurrencyOf(field)))} ${sql.join(whens, sql` `)} ELSE ${factor(2)} END)`;
}

function lower(x: unknown, dialect: Dialect): RawBuilder<string> {
  // ICU lower-casing follows the Unicode default mapping, as JS toLowerCase does; pg's lower() under a C locale would fold ASCII only.
  return dialect === "sqlite" ? sql<string>`${sql.raw(SQLITE_LOWER)}(${x})` : sql<string>`lower((${x})::text COLLATE "und-x-icu")`;
}

function compileResolved(field: FieldDef, leaf: ResolvedLeaf, dialect: Dialect, scope: Scope): RawBuilder<SqlBool> {
  const col = ref(scope, columnOf(field));
  const notNull = sql<SqlBool>`${col} IS NOT NULL`;
  const p = (v: Operand) => sql`${param(v, dialect)}`;
  switch (leaf.kind) {
    case "const":
      return leaf.value ? TRUE : FALSE;
    case "empty": {
      const textual = ["text", "long_text", "email", "phone", "url", "picklist", "relation"].includes(field.type);
      const empty =
        field.type === "multi_picklist" ? sql<SqlBool>`(${col} IS NULL OR ${col} = '[]')` : textual ? sql<SqlBool>`(${col} IS NULL OR ${col} = '')` : sql<SqlBool>`${col} IS NULL`;
      return leaf.negate ? sql<SqlBool>`(NOT ${empty})` : empty;
    }
    case "cmp": {
      const v = valueExpr(field, scope);
      const op = sql.raw({ eq: "=", ne: "<>", lt: "<", lte: "<=", gt: ">", gte: ">=" }[leaf.op]);
      return leaf.op === "ne" ? sql<SqlBool>`(${col} IS NULL OR ${v} <> ${p(leaf.value)})` : sql<SqlBool>`(${notNull} AND ${v} ${op} ${p(leaf.value)})`;
    }
    case "range": {
      const v = valueExpr(field, scope);
      const parts = [notNull];
      if (leaf.from !== undefined) parts.push(sql<SqlBool>`${v} >= ${p(leaf.from)}`);
      if (leaf.to !== undefined) parts.push(leaf.toExclusive ? sql<SqlBool>`${v} < ${p(leaf.to)}` : sql<SqlBool>`${v} <= ${p(leaf.to)}`);
      return sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
    }
    case "set": {
      const v = valueExpr(field, scope);
      const list = sql.join(leaf.values.map(p));
      return leaf.negate ? sql<SqlBool>`(${col} IS NULL OR ${v} NOT IN (${list}))` : sql<SqlBool>`(${notNull} AND ${v} IN (${list}))`;
    }
    case "text": {
      const s = lower(col, dialect);
      const needle = lower(sql`${leaf.value}`, dialect);
      let test: RawBuilder<SqlBool>;
      if (leaf.op === "contains" || leaf.op === "not_contains") test = dialect === "sqlite" ? sql<SqlBool>`instr(${s}, ${needle}) > 0` : sql<SqlBool>`strpos(${s}, ${needle}) > 0`;
      else if (leaf.op === "starts_with") test = dialect === "sqlite" ? sql<SqlBool>`substr(${s}, 1, length(${needle})) = ${needle}` : sql<SqlBool>`left(${s}, length(${needle})) = ${needle}`;
      else test = dialect === "sqlite" ? sql<SqlBool>`substr(${s}, -length(${needle})) = ${needle}` : sql<SqlBool>`right(${s}, length(${needle})) = ${needle}`;
      return leaf.op === "not_contains" ? sql<SqlBool>`(${col} IS NULL OR NOT (${test}))` : sql<SqlBool>`(${notNull} AND ${test})`;
    }
    case "multi": {
      if (dialect === "postgres") {
        const fn = sql.raw(leaf.all ? "?&" : "?|");
        return sql<SqlBool>`(${notNull} AND (${col})::jsonb ${fn} ${leaf.values}::text[])`;
      }
      const list = sql.join(leaf.values.map((v) => sql`${v}`));
      return leaf.all
        ? sql<SqlBool>`((SELECT count(DISTINCT value) FROM json_each(${col}) WHERE value IN (${list})) = ${leaf.values.length})`
        : sql<SqlBool>`EXISTS (SELECT 1 FROM json_each(${col}) WHERE value IN (${list}))`;
    }
  }
}
