/** The values that changed between two API-form snapshots (edits send only these). */
export function changedValues(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) {
    const a = JSON.stringify(before[k] ?? null);
    const b = JSON.stringify(v ?? null);
    if (a !== b) out[k] = v === undefined ? null : v;
  }
  return out;
}
