/**
 * Opening the database: SQLite (embedded, the default) or PostgreSQL (when a postgres:// url is given),
 * both behind one Kysely instance. Values come back as strings for int8/numeric/date/timestamps on
 * PostgreSQL so that nothing loses precision; the records layer decodes them into API form.
 */
import fs from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { Db } from "../context";

export type DbConfig = {
  /** postgres://... selects PostgreSQL; anything else (or nothing) selects SQLite. */
  url?: string;
  /** SQLite: folder holding revline.db (created when missing). Default ./data */
  dataDir?: string;
  /** SQLite: an explicit file (":memory:" allowed); overrides dataDir. */
  sqliteFile?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
};

const sqliteHandles = new WeakMap<Db, BetterSqlite3.Database>();
const pgPools = new WeakMap<Db, pg.Pool>();

/** The raw better-sqlite3 handle of a SQLite Db (for registering functions); undefined on PostgreSQL. */
export function sqliteHandle(db: Db): BetterSqlite3.Database | undefined {
  return sqliteHandles.get(rootDb(db));
}

/** The pg pool of a PostgreSQL Db; undefined on SQLite. */
export function pgPool(db: Db): pg.Pool | undefined {
  return pgPools.get(rootDb(db));
}

const roots = new WeakMap<Db, Db>();
/** The Db a transaction Db was opened from (or the Db itself). Caches key on this. */
export function rootDb(db: Db): Db {
  return roots.get(db) ?? db;
}
export function linkRoot(child: Db, parent: Db): void {
  roots.set(child, rootDb(parent));
}

export const isPostgresUrl = (url: string | undefined): url is string => !!url && /^postgres(ql)?:\/\//.test(url);

const PG_STRING_TYPES = new Set([
  20, // int8
  1700, // numeric
  1082, // date
  1114, // timestamp
  1184, // timestamptz
]);

export function openDb(config: DbConfig = {}): Db {
  if (isPostgresUrl(config.url)) {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize ?? 10,
      // One clock for everyone: timestamps are read and written in UTC.
      options: "-c TimeZone=UTC",
      types: {
        getTypeParser: ((oid: number, format?: "text" | "binary") =>
          PG_STRING_TYPES.has(oid) ? (v: string) => v : (pg.types.getTypeParser(oid, format) as (v: string) => unknown)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle pooled connection can be cut by the server (restart, failover, admin terminate); pg then
    // emits 'error' on the pool, which would crash the process if nobody listened. The pool drops that
    // client and the next query opens a fresh one, so logging is all there is to do.
    pool.on("error", (err) => {
      process.emitWarning(`PostgreSQL connection lost: ${err.message}`, { code: "REVLINE_PG_IDLE" });
    });
    const db: Db = { kysely: new Kysely({ dialect: new PostgresDialect({ pool }) }), dialect: "postgres" };
    pgPools.set(db, pool);
    return db;
  }
  const file = config.sqliteFile ?? path.join(config.dataDir ?? "data", "revline.db");
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const raw = new BetterSqlite3(file);
  raw.pragma("journal_mode = WAL");
  raw.pragma("foreign_keys = ON");
  raw.pragma("busy_timeout = 5000");
  raw.pragma("synchronous = NORMAL");
  // Keep the query planner's statistics fresh (SQLite's advice for long-lived connections): with no
  // sqlite_stat1 the planner can pick a single-column index and sort a million rows in a temp table.
  // analysis_limit bounds the work, so opening a large database stays fast.
  raw.pragma("analysis_limit = 1000");
  raw.pragma("optimize = 0x10002");
  const db: Db = { kysely: new Kysely({ dialect: new SqliteDialect({ database: cachingDatabase(raw) }) }), dialect: "sqlite" };
  sqliteHandles.set(db, raw);
  for (const hook of sqliteOpenHooks) hook(db);
  return db;
}

const MAX_CACHED_STATEMENTS = 1000;

/**
 * The handle Kysely's SQLite driver sees: the same database, but prepare() hands back a statement
 * prepared earlier for the same SQL text. The driver prepares every query afresh otherwise, which
 * costs as much as running a 50-row list page. Kysely serialises queries on the one connection, so a
 * cached statement is never in use twice; a busy one (an open iterate()) is prepared anew anyway.
 */
function cachingDatabase(raw: BetterSqlite3.Database): { prepare(sql: string): BetterSqlite3.Statement; close(): void } {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(text: string) {
      const hit = cache.get(text);
      if (hit && !hit.busy) return hit;
      if (hit) return raw.prepare(text);
      if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear();
      const stmt = raw.prepare(text);
      cache.set(text, stmt);
      return stmt;
    },
    close() {
      cache.clear();
      raw.close();
    },
  };
}

/**
 * Hooks run on every SQLite Db right after it opens (e.g. SQL functions the condition compiler
 * needs). Registered by higher layers at import time so that db imports nothing above it.
 */
const sqliteOpenHooks: ((db: Db) => void)[] = [];
export function onSqliteOpen(hook: (db: Db) => void): void {
  sqliteOpenHooks.push(hook);
}

/**
 * Refreshes planner statistics after a large change (an import). SQLite analyses only the tables whose
 * size changed a lot; PostgreSQL's autovacuum does this by itself.
 */
export function optimizeDb(db: Db): void {
  const raw = sqliteHandles.get(rootDb(db));
  if (raw) raw.pragma("optimize");
}

export async function closeDb(db: Db): Promise<void> {
  await rootDb(db).kysely.destroy();
}
