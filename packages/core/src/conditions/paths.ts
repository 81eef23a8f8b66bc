/** Field paths through relations: "account.owner.name" follows account, then owner, then reads name. */
import type { FieldDef, MetadataLookup, ObjectDef } from "../metadata/types";
import { allFields, findField } from "../metadata/types";

export const MAX_RELATION_HOPS = 3;

export type PathHop = { field: FieldDef; target: ObjectDef };
export type ResolvedPath = { hops: PathHop[]; field: FieldDef; object: ObjectDef };

export type PathResult = { ok: true; path: ResolvedPath } | { ok: false; reason: string };

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** Field names that look like `name` (typos, prefixes), best first, at most 5. */
export function closeNames(name: string, candidates: readonly string[]): string[] {
  const lower = name.toLowerCase();
  return candidates
    .map((c) => ({ c, d: c.includes(lower) || lower.includes(c) ? 1 : distance(lower, c) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(lower.length / 3)))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, 5)
    .map((x) => x.c);
}

function unknownField(object: ObjectDef, name: string): string {
  const names = allFields(object).map((f) => f.name);
  const close = closeNames(name, names);
  return close.length > 0
    ? `unknown field "${name}" on ${object.name}; did you mean ${close.join(", ")}?`
    : `unknown field "${name}" on ${object.name}; fields are ${names.join(", ")}`;
}

export function resolvePath(object: ObjectDef, meta: MetadataLookup, path: string): PathResult {
  const parts = path.split(".");
  if (parts.length - 1 > MAX_RELATION_HOPS) return { ok: false, reason: `"${path}" follows ${parts.length - 1} relations; at most ${MAX_RELATION_HOPS} are allowed` };
  const hops: PathHop[] = [];
  let current = object;
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i]!;
    const field = findField(current, name);
    if (!field) return { ok: false, reason: unknownField(current, name) };
    if (i === parts.length - 1) return { ok: true, path: { hops, field, object: current } };
    if (field.type !== "relation" || !field.relation) return { ok: false, reason: `"${name}" on ${current.name} is not a relation field; only relation fields can be followed with "."` };
    const target = meta(field.relation.object);
    if (!target) return { ok: false, reason: `"${name}" points to unknown object ${field.relation.object}` };
    hops.push({ field, target });
    current = target;
  }
  return { ok: false, reason: "empty field path" };
}
