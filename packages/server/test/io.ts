/**
 * Test support for the import/export tests (platform/io): a fresh database of the dialect under test from
 * test/db.ts (migrated, standard objects synced, module hooks registered), a system Ctx on it,
 * a scratch folder, and the environment a child `revline` process needs to open the same database.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Ctx, Db } from "../src/platform/context";
import { pgPool, sqliteHandle } from "../src/platform/db";
import { listRecords } from "../src/platform/records";
import { readRejections, type Rejection } from "../src/platform/io";
import { createTestDb, setupPlatform, testCtx } from "./db";

export type IoTestDb = { ctx: Ctx; db: Db; dir: string; env: Record<string, string>; close: () => Promise<void> };

export async function openIoTestDb(): Promise<IoTestDb> {
  const tdb = await createTestDb();
  await setupPlatform(tdb.db);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "revline-io-"));
  const sqlite = sqliteHandle(tdb.db);
  const env: Record<string, string> = sqlite
    ? { REVLINE_DATA_DIR: path.dirname(sqlite.name) }
    : { DATABASE_URL: String((pgPool(tdb.db)!.options as { connectionString?: string }).connectionString) };
  return {
    ctx: testCtx(tdb.db),
    db: tdb.db,
    dir,
    env,
    close: async () => {
      await tdb.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a file into the test's scratch folder; returns its path. */
export function writeTestFile(t: Pick<IoTestDb, "dir">, name: string, content: string | Buffer): string {
  const p = path.join(t.dir, name);
  fs.writeFileSync(p, content);
  return p;
}

/** Every line of an import's rejected-row report, in order. */
export async function rejectionsOf(t: Pick<IoTestDb, "db">, importId: string): Promise<Rejection[]> {
  const out: Rejection[] = [];
  for await (const r of readRejections(t.db, importId)) out.push(r);
  return out;
}

/** Every live record of an object, read through the records layer. */
export async function allRecords(ctx: Ctx, object: string, fields?: string[]): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const page = await listRecords(ctx, object, { limit: 1000, cursor, fields });
    out.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}
