import type { Dialect } from "../context";

/** Column types for system tables, one spelling per dialect. */
export function sqlTypes(dialect: Dialect) {
  const pg = dialect === "postgres";
  return {
    text: "text",
    bigint: pg ? "bigint" : "integer",
    boolean: pg ? "boolean" : "integer",
    /** Timestamps in system tables are ISO strings on SQLite and timestamptz on PostgreSQL. */
    timestamp: pg ? "timestamptz" : "text",
    date: pg ? "date" : "text",
  } as const;
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
