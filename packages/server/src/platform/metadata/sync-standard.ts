/**
 * Start-up sync: the standard objects declared in code are written into metadata, then every table
 * is brought in line with metadata, then the cache is loaded. On an existing database too:
 * - new standard objects and fields are added (columns follow);
 * - a standard object's labels and icon follow the code;
 * - a standard field's labels, description, options, validation, required, default, mask kind and
 *   currency follow the code, except where an admin changed one: the object row keeps the code's
 *   definition as last synced (`synced`), and a property whose stored value differs from it is the
 *   admin's and stays. Options merge one by one (admin-added options stay).
 * - nothing is dropped: a standard option or field removed from the code leaves stored values as
 *   they are (an option leaves the list, so it cannot be picked again). Custom fields and custom
 *   objects are never touched. Type, relation, scale and unique are not synced (they need DDL).
 */
import { sql } from "kysely";
import type { FieldDef, ObjectDef, PicklistOption } from "@revline/core";
import type { Db } from "../context";
import { withTransaction } from "../db";
import { bumpMetadataVersion, loadMetadata, metadataLookup } from "./store";
import { syncSchema, type SchemaChange } from "./schema-sync";

/** The code definitions of a standard object's fields as last written by sync, stored in its object row. */
export type SyncedDefs = Record<string, FieldDef>;

export function objectRow(def: ObjectDef, now: string, synced?: SyncedDefs) {
  const { fields: _fields, ...rest } = def;
  const definition = synced ? { ...rest, synced } : rest;
  return { name: def.name, definition: JSON.stringify(definition), is_standard: def.isStandard ? 1 : 0, module: def.module ?? null, created_at: now, updated_at: now };
}

/** Field properties that follow the code on existing databases (no DDL needed). */
const SYNCED_KEYS = ["label", "description", "options", "validation", "required", "defaultValue", "maskKind", "currency", "currencies", "computed"] as const;
const OBJECT_KEYS = ["label", "labelPlural", "icon", "nameField", "externalKeyField", "module"] as const;

/** JSON with sorted keys: definitions written at different times compare by content, not key order. */
function canon(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canon).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v ?? null);
}
const same = (a: unknown, b: unknown) => canon(a) === canon(b);

/** Option-level three-way merge: code changes apply unless the admin changed that option. */
function mergeOptions(stored: PicklistOption[] = [], base: PicklistOption[] = [], code: PicklistOption[] = []): PicklistOption[] {
  const byValue = (list: PicklistOption[]) => new Map(list.map((o) => [o.value, o]));
  const s = byValue(stored);
  const b = byValue(base);
  const c = byValue(code);
  const out: PicklistOption[] = [];
  for (const o of stored) {
    const inBase = b.get(o.value);
    const inCode = c.get(o.value);
    if (inBase && !inCode) continue; // removed from the code: leaves the list (stored values stay)
    if (!inBase || !inCode) out.push(o); // the admin's own option
    else out.push(same(o, inBase) ? inCode : o);
  }
  for (const o of code) if (!s.has(o.value) && !b.has(o.value)) out.push(o); // new in the code
  return out;
}

/**
 * The stored definition brought up to the code's: for each synced property, the code's value where
 * the stored one is still what sync last wrote (`base`; none recorded: the stored one counts as it).
 */
export function mergeStandardField(stored: FieldDef, base: FieldDef | undefined, code: FieldDef): FieldDef {
  const next: Record<string, unknown> = { ...stored };
  const from = base ?? stored;
  for (const k of SYNCED_KEYS) {
    if (k === "options" && (stored.options || code.options)) {
      // Without a record of the last sync an extra stored option may be an admin's: it stays.
      const merged = !base
        ? [...(code.options ?? []), ...(stored.options ?? []).filter((o) => !code.options?.some((c) => c.value === o.value))]
        : same(stored.options, from.options)
          ? code.options
          : mergeOptions(stored.options, from.options, code.options);
      if (merged && merged.length) next.options = merged;
      else delete next.options;
      continue;
    }
    if (!same(stored[k], from[k])) continue; // changed by an admin: theirs
    if (code[k] === undefined) delete next[k];
    else next[k] = code[k];
  }
  return next as FieldDef;
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
    const objectRows = (await trx.kysely.selectFrom("meta_object").select(["name", "definition"]).execute()) as { name: string; definition: string }[];
    const existing = new Map(objectRows.map((r) => [r.name, JSON.parse(r.definition) as Record<string, unknown>]));
    for (const def of standardObjects) {
      const std = { ...def, isStandard: true };
      const synced: SyncedDefs = Object.fromEntries(def.fields.map((f) => [f.name, { ...f, isStandard: true }]));
      const stored = existing.get(def.name);
      const base = (stored?.synced ?? {}) as SyncedDefs;
      if (!stored) {
        await trx.kysely.insertInto("meta_object").values(asBool(trx, objectRow(std, at, synced))).execute();
        changed = true;
      } else if (stored.isStandard === true) {
        const { synced: _s, ...storedDef } = stored;
        const { fields: _f, ...codeDef } = std;
        const nextDef: Record<string, unknown> = { ...storedDef };
        for (const k of OBJECT_KEYS) if (codeDef[k] === undefined) delete nextDef[k];
        else nextDef[k] = codeDef[k];
        if (!same(nextDef, storedDef) || !same(base, synced)) {
          await trx.kysely.updateTable("meta_object").set({ definition: JSON.stringify({ ...nextDef, synced }), updated_at: at }).where("name", "=", def.name).execute();
          changed = changed || !same(nextDef, storedDef);
        }
      }
      const fieldRows = (await trx.kysely.selectFrom("meta_field").select(["name", "position", "definition"]).where("object", "=", def.name).execute()) as {
        name: string;
        position: number;
        definition: string;
      }[];
      const have = new Map(fieldRows.map((r) => [r.name, JSON.parse(r.definition) as FieldDef]));
      let position = fieldRows.reduce((m, r) => Math.max(m, Number(r.position)), -1);
      for (const field of def.fields) {
        const current = have.get(field.name);
        if (!current) {
          await trx.kysely.insertInto("meta_field").values(asBool(trx, fieldRow(def.name, { ...field, isStandard: true }, ++position, at))).execute();
          changed = true;
          continue;
        }
        // A custom field an admin made before the code declared one of that name stays theirs.
        if (!current.isStandard || current.type !== field.type) continue;
        const next = mergeStandardField(current, base[field.name], { ...field, isStandard: true });
        if (same(next, current)) continue;
        await trx.kysely.updateTable("meta_field").set({ definition: JSON.stringify(next), updated_at: at }).where("object", "=", def.name).where("name", "=", field.name).execute();
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
