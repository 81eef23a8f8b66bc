/** Conditions (caller filters and policy row conditions) as SQL, via the condition compiler. */
import type { RawBuilder, SqlBool } from "kysely";
import { validateCondition, type Condition, type MetadataLookup, type ObjectDef } from "@revline/core";
import type BetterSqlite3 from "better-sqlite3";
import type { Ctx } from "../context";
import { onSqliteOpen, sqliteHandle } from "../db";
import { compileConditionForCtx, registerSqliteFunctions } from "./condition-sql";
import type { Shape } from "./shape";

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

/** Validates a condition against the object (Invalid naming the bad part) and compiles it. */
export function conditionSql(ctx: Ctx, shape: Shape, condition: Condition, check: ConditionCheck = {}): RawBuilder<SqlBool> {
  ensureSqliteFunctions(ctx);
  const valid = check.validated ? condition : validateCondition(condition, check.object ?? shape.object, check.meta ?? ctx.meta);
  return compileConditionForCtx(ctx, shape.object, valid);
}
