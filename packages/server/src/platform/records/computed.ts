/**
 * Computed fields: a module registers how a field is derived from the record's other values
 * (e.g. opportunity_line.total). Records fills them on every create/update; input to them is refused.
 */
export type ComputeFn = (values: Record<string, unknown>) => unknown;

const computed = new Map<string, Map<string, ComputeFn>>();

export function registerComputedField(object: string, field: string, fn: ComputeFn): void {
  const m = computed.get(object) ?? new Map<string, ComputeFn>();
  m.set(field, fn);
  computed.set(object, m);
}

export function computedFieldsOf(object: string): ReadonlyMap<string, ComputeFn> | undefined {
  return computed.get(object);
}
