/**
 * System-table migrations: hand-written, numbered, each one `up` that runs on both dialects.
 * Object tables are not migrated here: schema sync derives them from metadata.
 */
import { sql } from "kysely";
import type { Db } from "../context";
import { withTransaction } from "./transaction";
import { MIGRATIONS } from "./migrations";

export type Migration = {
  /** "001-metadata": the number orders them; the name is for people. */
  id: string;
  up: (db: Db) => Promise<void>;
};

/** Applies every migration not applied yet, each in its own transaction. Returns the ids applied. */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  await withTransaction(db, async (trx) => {
    // Nodes starting together on PostgreSQL would race on "create table if not exists".
    if (trx.dialect === "postgres") await sql`select pg_advisory_xact_lock(74201)`.execute(trx.kysely);
    await sql`create table if not exists revline_migration (id text primary key, applied_at text not null)`.execute(trx.kysely);
  });
  const rows = await db.kysely.selectFrom("revline_migration").select("id").execute();
  const done = new Set(rows.map((r: { id: string }) => r.id));
  const ids = migrations.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new Error(`duplicate migration id in ${ids.join(", ")}`);
  const applied: string[] = [];
  for (const m of [...migrations].sort((a, b) => a.id.localeCompare(b.id))) {
    if (done.has(m.id)) continue;
    await withTransaction(db, async (trx) => {
      if (trx.dialect === "postgres") await sql`select pg_advisory_xact_lock(74201)`.execute(trx.kysely);
      const again = await trx.kysely.selectFrom("revline_migration").select("id").where("id", "=", m.id).executeTakeFirst();
      if (again) return; // another node got there first
      await m.up(trx);
      await trx.kysely.insertInto("revline_migration").values({ id: m.id, applied_at: new Date().toISOString() }).execute();
      applied.push(m.id);
    });
  }
  return applied;
}
