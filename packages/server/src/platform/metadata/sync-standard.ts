/**
 * Start-up sync: the standard objects declared in code are written into metadata (new objects, new
 * standard fields; custom fields and admin edits are left alone), then every table is brought in
 * line with metadata, then the cache is loaded.
 */
import { sql } from "kysely";
import type { FieldDef, ObjectDef } from "@revline/core";
import type { Db } from "../context";
import { withTransaction } from "../db";
import { bumpMetadataVersion, loadMetadata, metadataLookup } from "./store";
import { syncSchema, type SchemaChange } from "./schema-sync";

export function objectRow(def: ObjectDef, now: string) {
  const { fields: _fields, ...rest } = def;
  return { name: def.name, definition: JSON.stringify(rest), is_standard: def.isStandard ? 1 : 0, module: def.module ?? null, created_at: now, updated_at: now };
}

export function fieldRow(object: string, field: FieldDef, position: number, now: string) {
  return { object, name: field.name, definition: JSON.stringify(field), is_standard: field.isStandard ? 1 : 0, position, created_at: now, updated_at: now };
}

const asBool = (db: Db, row: { is_standard: number }) => ({ ...row, is_standard: db.dialect === "postgres" ? row.is_standard === 1 : row.is_standard });

/** Writes standard objects into metadata, syncs every table, loads the cache. Returns the DDL applied. */
export async function syncMetadata(db: Db, standardObjects: readonly ObjectDef[], now = new Date()): Promise<SchemaChange[]> {
  const at = now.toISOString();
  const applied = await withTransaction(db, async (trx) => {
    // Several app nodes may start at once on PostgreSQL: one syncs, the others wait and find nothing to do.
    if (trx.dialect === "postgres") await sql`select pg_advisory_xact_lock(74202)`.execute(trx.kysely);
    let changed = false;
    const existing = new Set(((await trx.kysely.selectFrom("meta_object").select("name").execute()) as { name: string }[]).map((r) => r.name));
    for (const def of standardObjects) {
      const std = { ...def, isStandard: true };
      if (!existing.has(def.name)) {
        await trx.kysely.insertInto("meta_object").values(asBool(trx, objectRow(std, at))).execute();
        changed = true;
      }
      const fieldRows = (await trx.kysely.selectFrom("meta_field").select(["name", "position"]).where("object", "=", def.name).execute()) as {
        name: string;
        position: number;
      }[];
      const have = new Set(fieldRows.map((r) => r.name));
      let position = fieldRows.reduce((m, r) => Math.max(m, Number(r.position)), -1);
      for (const field of def.fields) {
        if (have.has(field.name)) continue;
        await trx.kysely.insertInto("meta_field").values(asBool(trx, fieldRow(def.name, { ...field, isStandard: true }, ++position, at))).execute();
        changed = true;
      }
    }
    await loadMetadata(trx);
    const lookup = metadataLookup(trx);
    const names = ((await trx.kysely.selectFrom("meta_object").select("name").orderBy("name").execute()) as { name: string }[]).map((r) => r.name);
    const changes = await syncSchema(trx, names.map((n) => lookup(n)!), now);
    if (changed || changes.length) await bumpMetadataVersion(trx);
    return changes;
  });
  await loadMetadata(db);
  return applied;
}
