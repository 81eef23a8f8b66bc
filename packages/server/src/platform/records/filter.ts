/** Conditions (caller filters and policy row conditions) as SQL, via the condition compiler. */
import { sql, type RawBuilder, type SqlBool } from "kysely";
import { validateCondition, type Condition, type MetadataLookup, type ObjectDef } from "@revline/core";
import type BetterSqlite3 from "better-sqlite3";
import type { Ctx } from "../context";
import { onSqliteOpen, sqliteHandle } from "../db";
import { policyFor } from "../access";
import { compileConditionForCtx, registerSqliteFunctions } from "./condition-sql";
import { viewOf } from "./policy-view";
import { shapeOf, type Shape } from "./shape";

const registered = new WeakSet<BetterSqlite3.Database>();
function ensureSqliteFunctions(ctx: Ctx): void {
  const raw = sqliteHandle(ctx.db);
  if (!raw || registered.has(raw)) return;
  registerSqliteFunctions(raw);
  registered.add(raw);
}
// Every SQLite database opened after records is loaded gets the functions at once.
onSqliteOpen((db) => {
  const raw = sqliteHandle(db);
  if (raw && !registered.has(raw)) {
    registerSqliteFunctions(raw);
    registered.add(raw);
  }
});

export type ConditionCheck = {
  /** Validate against this view of the object (the fields the actor may query); default the object itself. */
  object?: ObjectDef;
  /** Related objects as the actor may query them; default the full metadata. */
  meta?: MetadataLookup;
  /** Already validated (a policy's row condition, checked once per policy and metadata version). */
  validated?: boolean;
};

const NO_ROW = sql<SqlBool>`1 = 0`;

/**
 * A caller's filter through a relation (opportunity: account.name = "...") looks only at related
 * rows the actor may read: the target's row condition joins the hop's subquery, and a target the
 * actor may not read matches nothing. Without it the filter is an oracle on rows outside the policy
 * (one guess per request). The row condition itself compiles unscoped: it is the policy.
 */
function hopScopeOf(ctx: Ctx) {
  return (target: ObjectDef, alias: string, depth: number): RawBuilder<SqlBool> | undefined => {
    const policy = policyFor(ctx, target.name, "read");
    if (!policy.allowed) return NO_ROW;
    if (!policy.rowCondition) return undefined;
    const rowCondition = viewOf(ctx, shapeOf(target), policy).rowCondition;
    return rowCondition ? compileConditionForCtx(ctx, target, rowCondition, alias, { depth }) : undefined;
  };
}

/**
 * Validates a condition against the object (Invalid naming the bad part) and compiles it. A caller's
 * condition (not `validated`) only sees related rows within the actor's policy (hopScopeOf).
 */
export function conditionSql(ctx: Ctx, shape: Shape, condition: Condition, check: ConditionCheck = {}): RawBuilder<SqlBool> {
  ensureSqliteFunctions(ctx);
  if (check.validated) return compileConditionForCtx(ctx, shape.object, condition);
  const valid = validateCondition(condition, check.object ?? shape.object, check.meta ?? ctx.meta);
  return compileConditionForCtx(ctx, shape.object, valid, undefined, { hopScope: hopScopeOf(ctx) });
}
