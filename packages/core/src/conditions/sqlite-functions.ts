/**
 * SQL functions condition SQL needs on SQLite, whose built-in lower() folds ASCII only. Defined
 * here (pure) so that platform/db can register them when it opens a connection, and the folding
 * is the very function evaluateCondition uses.
 */
import { foldCase } from "./resolve";

/** The part of a better-sqlite3 Database used here (keeps core free of Node packages). */
export type SqliteFunctionHost = {
  function(name: string, options: { deterministic?: boolean }, fn: (s: unknown) => unknown): unknown;
};

export const SQLITE_LOWER = "rl_lower";

/** Call once per SQLite connection, right after opening it. */
export function registerSqliteFunctions(db: SqliteFunctionHost): void {
  db.function(SQLITE_LOWER, { deterministic: true }, (s) => (typeof s === "string" ? foldCase(s) : s === null || s === undefined ? null : foldCase(JSON.stringify(s))));
}
