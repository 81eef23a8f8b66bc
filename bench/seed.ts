/**
 * The benchmark databases, cached in bench/.cache/<generator version>/ so a second run starts at once:
 * - template/revline.db: the product's own schema (created by the product's start-up: migrations + schema sync)
 *   with regions, 35 owners and 85 accounts; every import run starts from a copy of it.
 * - opportunities-<rows>/revline.db: the template plus <rows> opportunities, for the list and aggregate figures.
 * Rows are bulk-inserted in storage form (packages/core/src/metadata/storage.ts): seeding is set-up,
 * not a measured figure, so it may skip the records layer as long as every row is one it would write.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { createWorld, generateOpportunities, GENERATOR_VERSION, OPPORTUNITY_COLUMNS, opportunityStorageRow, type World } from "./generate";
import { log, progress } from "./measure";
import { initProductDatabase } from "./product";

export const CACHE_DIR = path.join(import.meta.dirname, ".cache", GENERATOR_VERSION);
const SEED_ACTOR = "system";

/** Opens a SQLite file with the pragmas the product uses (platform/db/open.ts). */
export function openSqlite(file: string, readonly = false): Database.Database {
  const db = new Database(file, { readonly });
  if (!readonly) {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
  }
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  return db;
}

/** The product keeps its SQLite database as revline.db in its data folder. */
export const dbFileOf = (dataDir: string) => path.join(dataDir, "revline.db");

/** A fresh data folder holding a copy of a closed database (its WAL was checkpointed on close). */
export function copyDataDir(from: string, to: string): void {
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  fs.copyFileSync(dbFileOf(from), dbFileOf(to));
}

function insertRows(db: Database.Database, table: string, columns: readonly string[], rows: unknown[][]): void {
  const stmt = db.prepare(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) values (${columns.map(() => "?").join(", ")})`);
  db.transaction(() => {
    for (const row of rows) stmt.run(row);
  })();
}

/** Columns that exist in the product's table: a seed must never invent one. */
function checkColumns(db: Database.Database, table: string, columns: readonly string[]): void {
  const have = new Set((db.prepare(`select name from pragma_table_info(?)`).all(table) as { name: string }[]).map((r) => r.name));
  const missing = columns.filter((c) => !have.has(c));
  if (have.size === 0) throw new Error(`The product's schema sync did not create table ${table}.`);
  if (missing.length) throw new Error(`Table ${table} lacks column(s) ${missing.join(", ")}: the generator and the storage contract disagree.`);
}

function seedWorld(db: Database.Database, world: World): void {
  const at = "2022-01-01T00:00:00.000Z";
  const sys = [at, SEED_ACTOR, at, SEED_ACTOR, 1, null];
  const sysCols = ["id", "created_at", "created_by", "updated_at", "updated_by", "version", "deleted_at"];
  const regionCols = [...sysCols, "name", "code"];
  const userCols = [...sysCols, "name", "email", "region_id", "is_active", "locale"];
  const accountCols = [...sysCols, "name", "industry", "owner_id", "region_id"];
  checkColumns(db, "obj_region", regionCols);
  checkColumns(db, "obj_user", userCols);
  checkColumns(db, "obj_account", accountCols);
  insertRows(db, "obj_region", regionCols, world.regions.map((r) => [r.id, ...sys, r.name, r.code]));
  insertRows(db, "obj_user", userCols, world.owners.map((o) => [o.id, ...sys, o.name, o.email, o.region.id, 1, "en"]));
  insertRows(db, "obj_account", accountCols, world.accounts.map((a) => [a.id, ...sys, a.name, a.industry, a.owner.id, a.region.id]));
}

/** The product's schema plus regions, owners and accounts, in a data folder. Built once per generator version. */
export async function ensureTemplate(world: World): Promise<string> {
  const dir = path.join(CACHE_DIR, "template");
  if (fs.existsSync(dbFileOf(dir))) return dir;
  const building = `${dir}.building-${process.pid}`;
  fs.rmSync(building, { recursive: true, force: true });
  log("Creating the template database with the product's start-up (migrations, schema sync, administrator)...");
  await initProductDatabase(building);
  const db = openSqlite(dbFileOf(building));
  seedWorld(db, world);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  // Another run may have finished the same template meanwhile: theirs is as good as ours.
  if (fs.existsSync(dbFileOf(dir))) fs.rmSync(building, { recursive: true, force: true });
  else fs.renameSync(building, dir);
  return dir;
}

/** The template plus `rows` opportunities, in a data folder. Built once per generator version and size. */
export async function ensureOpportunities(rows: number): Promise<{ dir: string; world: World }> {
  const world = createWorld();
  const template = await ensureTemplate(world);
  const dir = path.join(CACHE_DIR, `opportunities-${rows}`);
  if (fs.existsSync(dbFileOf(dir))) return { dir, world };
  const building = `${dir}.building-${process.pid}`;
  copyDataDir(template, building);
  const db = openSqlite(dbFileOf(building));
  checkColumns(db, "obj_opportunity", OPPORTUNITY_COLUMNS);
  // Set-up only: nothing reads this database until it is renamed into place.
  db.pragma("synchronous = OFF");
  const stmt = db.prepare(`insert into obj_opportunity (${OPPORTUNITY_COLUMNS.join(", ")}) values (${OPPORTUNITY_COLUMNS.map(() => "?").join(", ")})`);
  const flush = db.transaction((items: unknown[][]) => {
    for (const item of items) stmt.run(item);
  });
  const bar = progress(`seeding ${rows.toLocaleString("en-US")} opportunities`, rows);
  const batch: unknown[][] = [];
  let done = 0;
  for (const o of generateOpportunities(world, rows)) {
    batch.push(opportunityStorageRow(o, SEED_ACTOR));
    if (batch.length === 10_000) {
      flush(batch);
      done += batch.length;
      batch.length = 0;
      bar.update(done);
    }
  }
  flush(batch);
  bar.update(rows);
  bar.done();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  if (fs.existsSync(dbFileOf(dir))) fs.rmSync(building, { recursive: true, force: true });
  else {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(building, dir);
  }
  return { dir, world };
}
