/**
 * A fresh database per test file: SQLite in a temp folder, or (REVLINE_TEST_DIALECT=postgres) a new
 * PostgreSQL database revline_test_<random> made through REVLINE_TEST_PG_URL and dropped on close.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { ObjectDef } from "@revline/core";
import type { Ctx, Db, Dialect, Actor } from "../src/platform/context";
import { systemActor } from "../src/platform/context";
import { closeDb, migrate, openDb } from "../src/platform/db";
import { metadataLookup, syncMetadata } from "../src/platform/metadata";
import { loadAccess } from "../src/platform/access";
import { identityObjects } from "../src/platform/identity";
import { registerSalesModule, salesObjects } from "../src/modules/sales";

export const testDialect = (): Dialect => (process.env.REVLINE_TEST_DIALECT === "postgres" ? "postgres" : "sqlite");
export const testPgUrl = () => process.env.REVLINE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export type TestDb = { db: Db; dialect: Dialect; close(): Promise<void> };

export async function createTestDb(): Promise<TestDb> {
  const dialect = testDialect();
  if (dialect === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "revline-test-"));
    const db = openDb({ dataDir: dir });
    return {
      db,
      dialect,
      async close() {
        await closeDb(db);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const admin = testPgUrl();
  const name = `revline_test_${crypto.randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const db = openDb({ url: url.toString(), poolSize: 4 });
  return {
    db,
    dialect,
    async close() {
      await closeDb(db);
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The standard objects of every module, as app start-up syncs them. */
export const standardObjects = (): ObjectDef[] => [...identityObjects, ...salesObjects];

/** Migrates system tables, syncs standard metadata (creating the object tables), registers module hooks. */
export async function setupPlatform(db: Db): Promise<void> {
  registerSalesModule();
  await migrate(db);
  await syncMetadata(db, standardObjects());
  await loadAccess(db);
}

/** A ctx for service-level tests (system actor unless one is given, real clock unless one is given). */
export function testCtx(db: Db, opts: { actor?: Actor; clock?: () => Date } = {}): Ctx {
  return {
    db,
    actor: opts.actor ?? systemActor,
    meta: metadataLookup(db),
    clock: opts.clock ?? (() => new Date()),
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
}
