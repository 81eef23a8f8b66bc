/** The list's `sort=` parameter: comma-separated fields, "-" for descending. */
export type SortItem = { field: string; desc: boolean };

export function parseSort(s: string | null | undefined): SortItem[] {
  if (!s) return [];
  return s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => (x.startsWith("-") ? { field: x.slice(1), desc: true } : { field: x, desc: false }));
}

export function formatSort(items: SortItem[]): string {
  return items.map((s) => (s.desc ? `-${s.field}` : s.field)).join(",");
}
