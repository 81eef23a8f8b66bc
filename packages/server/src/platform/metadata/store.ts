/**
 * The live metadata: loaded from meta_object/meta_field into an in-memory cache per database, read
 * synchronously by everyone (MetadataLookup). A version number in meta_state lets other app nodes
 * notice a change with one cheap query (refreshMetadata) and reload.
 */
import { sql } from "kysely";
import type { FieldDef, MetadataLookup, ObjectDef } from "@revline/core";
import type { Ctx, Db } from "../context";
import { rootDb } from "../db";

type Cache = { version: number; objects: Map<string, ObjectDef>; list: ObjectDef[] };
const caches = new WeakMap<Db, Cache>();

type ObjectRow = { name: string; definition: string };
type FieldRow = { object: string; name: string; definition: string; position: number };

export async function readMetadataVersion(db: Db): Promise<number> {
  const row = await db.kysely.selectFrom("meta_state").select("version").where("id", "=", 1).executeTakeFirst();
  return Number((row)?.version ?? 0);
}

/** (Re)loads every object definition into the cache of this database. */
export async function loadMetadata(db: Db): Promise<void> {
  const version = await readMetadataVersion(db);
  const objectRows = (await db.kysely.selectFrom("meta_object").select(["name", "definition"]).orderBy("name").execute()) as ObjectRow[];
  const fieldRows = (await db.kysely
    .selectFrom("meta_field")
    .select(["object", "name", "definition", "position"])
    .orderBy("object")
    .orderBy("position")
    .execute()) as FieldRow[];
  const fieldsByObject = new Map<string, FieldDef[]>();
  for (const r of fieldRows) {
    const list = fieldsByObject.get(r.object) ?? [];
    list.push(JSON.parse(r.definition) as FieldDef);
    fieldsByObject.set(r.object, list);
  }
  const objects = new Map<string, ObjectDef>();
  for (const r of objectRows) {
    // `synced` (standard objects) is sync's record of the code definitions, not part of the object.
    const { synced: _synced, ...stored } = JSON.parse(r.definition) as Omit<ObjectDef, "fields"> & { synced?: unknown };
    const def = { ...stored, fields: fieldsByObject.get(r.name) ?? [] };
    objects.set(r.name, deepFreeze(def));
  }
  caches.set(rootDb(db), { version, objects, list: [...objects.values()] });
}

/** Reloads when another node changed metadata since our last load; one small query otherwise. */
export async function refreshMetadata(db: Db): Promise<boolean> {
  const cache = caches.get(rootDb(db));
  const version = await readMetadataVersion(db);
  if (cache && cache.version === version) return false;
  await loadMetadata(db);
  return true;
}

export async function bumpMetadataVersion(db: Db): Promise<void> {
  await sql`update meta_state set version = version + 1 where id = 1`.execute(db.kysely);
}

function cacheOf(db: Db): Cache {
  const cache = caches.get(rootDb(db));
  if (!cache) throw new Error("metadata not loaded: call syncMetadata(db, objects) or loadMetadata(db) first");
  return cache;
}

/** A live, synchronous lookup (it always reads the current cache, also after reloads). */
export function metadataLookup(db: Db): MetadataLookup {
  const root = rootDb(db);
  return (name) => cacheOf(root).objects.get(name);
}

export function getObject(ctx: Pick<Ctx, "meta">, name: string): ObjectDef | undefined {
  return ctx.meta(name);
}

export function listObjects(ctx: Pick<Ctx, "db">): ObjectDef[] {
  return cacheOf(ctx.db).list;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
