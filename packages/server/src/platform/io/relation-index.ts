/**
 * Resolving relation cells to record ids. Each target object's index is loaded once per import,
 * through the records layer (so the import's actor only finds what it may read), a page of 1,000
 * at a time. Names and external keys are compared by matchKey (NFKC, case, whitespace), so
 * `GTXPro` finds `GTX Pro`. A name shared by several records is ambiguous and resolves to nothing.
 */
import type { ObjectDef } from "@revline/core";
import type { Ctx } from "../context";
import { listRecords } from "../records";
import type { RelationMatch } from "./mapping";
import { matchKey } from "./normalize";

const AMBIGUOUS = Symbol("ambiguous");
type Entry = string | typeof AMBIGUOUS;

export type RelationIndex = {
  object: ObjectDef;
  byName: Map<string, Entry>;
  byKey: Map<string, Entry>;
  ids: Set<string>;
};

export type Resolution = { ok: true; id: string } | { ok: false; reason: string };

function put(map: Map<string, Entry>, key: string, id: string) {
  const had = map.get(key);
  map.set(key, had === undefined || had === id ? id : AMBIGUOUS);
}

export async function loadRelationIndex(ctx: Ctx, object: ObjectDef): Promise<RelationIndex> {
  const keyField = object.externalKeyField && object.externalKeyField !== object.nameField ? object.externalKeyField : undefined;
  const index: RelationIndex = { object, byName: new Map(), byKey: new Map(), ids: new Set() };
  const fields = [object.nameField, ...(keyField ? [keyField] : [])];
  let cursor: string | null = null;
  do {
    const page = await listRecords(ctx, object.name, { fields, limit: 1000, cursor });
    for (const r of page.records) addToIndex(index, r);
    cursor = page.nextCursor;
  } while (cursor);
  return index;
}

/** Adds one record (id, name, key) to an index. */
export function addToIndex(index: RelationIndex, record: Record<string, unknown>): void {
  resolutions.delete(index);
  const { object } = index;
  const id = String(record.id);
  index.ids.add(id);
  const name = record[object.nameField];
  if (typeof name === "string" && name !== "") put(index.byName, matchKey(name), id);
  const keyField = object.externalKeyField;
  const key = keyField ? record[keyField] : undefined;
  if (keyField && keyField !== object.nameField && (typeof key === "string" || typeof key === "number") && key !== "") put(index.byKey, matchKey(String(key)), id);
}

/**
 * Resolutions already made, per index: a file repeats the same few account, owner and region
 * names on every row. Dropped when the index changes; cleared when it grows past a bound so that
 * memory stays flat on a file of all-different values.
 */
const resolutions = new WeakMap<RelationIndex, Map<string, Resolution>>();
const MAX_CACHED = 50_000;

export function resolveRelation(index: RelationIndex, text: string, match: RelationMatch = "auto"): Resolution {
  let cache = resolutions.get(index);
  if (!cache) resolutions.set(index, (cache = new Map<string, Resolution>()));
  const cacheKey = `${match}\u0000${text}`;
  const had = cache.get(cacheKey);
  if (had) return had;
  const r = resolveUncached(index, text, match);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(cacheKey, r);
  return r;
}

function resolveUncached(index: RelationIndex, text: string, match: RelationMatch): Resolution {
  const k = matchKey(text);
  const label = index.object.name;
  const look = (map: Map<string, Entry>, what: string): Resolution | undefined => {
    const hit = map.get(k);
    if (hit === AMBIGUOUS) return { ok: false, reason: `several ${label} records have the ${what} "${text}"` };
    return hit === undefined ? undefined : { ok: true, id: hit };
  };
  if (match === "id" || match === "auto") {
    if (index.ids.has(text.trim())) return { ok: true, id: text.trim() };
    if (match === "id") return { ok: false, reason: `no ${label} with id "${text}"` };
  }
  if (match === "key" || match === "auto") {
    const r = look(index.byKey, index.object.externalKeyField ?? "key");
    if (r) return r;
    if (match === "key") return { ok: false, reason: `no ${label} with ${index.object.externalKeyField ?? "key"} "${text}"` };
  }
  return look(index.byName, index.object.nameField) ?? { ok: false, reason: `no ${label} named "${text}"` };
}

/** True when the text would resolve (used for rows of the same file that are not written yet). */
export const knowsText = (keys: Set<string>, text: string) => keys.has(matchKey(text));
