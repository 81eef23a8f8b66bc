/** Live metadata in the browser: one cached query of GET /api/objects, invalidated after admin changes. */
import type { FieldDef, ObjectDef } from "@revline/core";
import { SYSTEM_FIELDS } from "@revline/core";
import { useQuery, type QueryClient } from "@tanstack/react-query";
import { fetchObjects } from "../api/records";

export const OBJECTS_KEY = ["metadata", "objects"] as const;

export function useObjects() {
  return useQuery({ queryKey: OBJECTS_KEY, queryFn: fetchObjects, staleTime: 5 * 60_000 });
}

export type MetaLookup = (name: string) => ObjectDef | undefined;

/** A lookup function over the cached metadata, plus the list itself. */
export function useMeta(): { objects: ObjectDef[]; lookup: MetaLookup; isLoading: boolean; error: unknown } {
  const q = useObjects();
  const objects = q.data ?? [];
  const lookup: MetaLookup = (name) => objects.find((o) => o.name === name);
  return { objects, lookup, isLoading: q.isLoading, error: q.error };
}

export function invalidateMetadata(qc: QueryClient): Promise<void> {
  return qc.invalidateQueries({ queryKey: OBJECTS_KEY });
}

/** Business fields (the server may or may not include system fields in `fields`). */
export function businessFields(o: ObjectDef): FieldDef[] {
  return o.fields.filter((f) => !f.isSystem && !SYSTEM_FIELDS.some((s) => s.name === f.name));
}

/** Every field with system fields first, without duplicates. */
export function everyField(o: ObjectDef): FieldDef[] {
  return [...SYSTEM_FIELDS, ...businessFields(o)];
}

export function fieldOf(o: ObjectDef, name: string): FieldDef | undefined {
  return everyField(o).find((f) => f.name === name);
}

/** Sensible default list columns: the name first, then short business fields. */
export function defaultColumns(o: ObjectDef): string[] {
  const rest = businessFields(o)
    .filter((f) => f.name !== o.nameField && f.type !== "long_text" && f.name !== "external_id" && f.name !== "description")
    .slice(0, 7)
    .map((f) => f.name);
  return [o.nameField, ...rest];
}

/** Objects whose relation fields point at `target`, e.g. account <- contact.account, opportunity.account. */
export function relatedListsOf(objects: ObjectDef[], target: string): { object: ObjectDef; field: FieldDef }[] {
  const out: { object: ObjectDef; field: FieldDef }[] = [];
  for (const o of objects) {
    for (const f of businessFields(o)) {
      if (f.type === "relation" && f.relation?.object === target) out.push({ object: o, field: f });
    }
  }
  return out;
}

// Selling objects first; identity and custom objects after, in a stable order.
const NAV_ORDER = ["account", "contact", "lead", "opportunity", "product", "opportunity_line", "user", "team", "region"];
export function sortForNavigation(objects: ObjectDef[]): ObjectDef[] {
  const rank = (o: ObjectDef) => {
    const i = NAV_ORDER.indexOf(o.name);
    return i === -1 ? NAV_ORDER.length : i;
  };
  return [...objects].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}
