/**
 * A Ctx for command-line work when the caller does not bring one: opens the database named by
 * DATABASE_URL (PostgreSQL) or REVLINE_DATA_DIR (SQLite, default ./data), applies system
 * migrations and loads the metadata stored there. It acts as the explicit systemActor.
 * The `revline` program passes its own opener (which also syncs standard objects and registers
 * module hooks); this one serves tests and tools that run the commands on their own.
 */
import type { Ctx } from "../context";
import { systemActor } from "../context";
import { closeDb, migrate, openDb } from "../db";
import { loadMetadata, metadataLookup } from "../metadata";

export type CliContext = { ctx: Ctx; close: () => Promise<void> };
export type OpenCliContext = () => Promise<CliContext>;

export type ContextConfig = { databaseUrl?: string; dataDir?: string };

export async function openContext(config: ContextConfig = {}): Promise<CliContext> {
  const db = openDb({ url: config.databaseUrl ?? process.env.DATABASE_URL, dataDir: config.dataDir ?? process.env.REVLINE_DATA_DIR ?? "data" });
  await migrate(db);
  await loadMetadata(db);
  const log = {
    info: () => undefined,
    warn: (obj: unknown, msg?: string) => console.warn(msg ?? "", obj),
    error: (obj: unknown, msg?: string) => console.error(msg ?? "", obj),
  };
  const ctx: Ctx = { db, actor: systemActor, meta: metadataLookup(db), clock: () => new Date(), log };
  return { ctx, close: () => closeDb(db) };
}
