/**
 * In-memory evaluation with exactly the semantics the SQL compiler implements (docs/conditions.md).
 * Used by automation, approvals and access checks on a single record.
 */
import type { MetadataLookup, ObjectDef } from "../metadata/types";
import { resolvePath } from "./paths";
import { matchLeaf, resolveLeaf } from "./resolve";
import type { Condition, Leaf } from "./types";

export type RecordValues = Record<string, unknown>;

export type EvalEnv = {
  object: ObjectDef;
  meta: MetadataLookup;
  actor?: { attrs: Record<string, unknown> };
  now: Date;
  /** The related record in API value form, or undefined when it does not exist (deleted ones count as absent). */
  related: (objectName: string, id: string) => RecordValues | undefined;
};

export function evaluateCondition(cond: Condition, record: RecordValues, env: EvalEnv): boolean {
  if ("all" in cond) return cond.all.every((c) => evaluateCondition(c, record, env));
  if ("any" in cond) return cond.any.some((c) => evaluateCondition(c, record, env));
  if ("not" in cond) return !evaluateCondition(cond.not, record, env);
  return evaluateLeaf(cond, record, env);
}

function evaluateLeaf(leaf: Leaf, record: RecordValues, env: EvalEnv): boolean {
  const resolved = resolvePath(env.object, env.meta, leaf.field);
  if (!resolved.ok) throw new Error(resolved.reason);
  const { hops, field } = resolved.path;
  let current: RecordValues | undefined = record;
  // A path leaf holds only when every related record on the way exists and is not deleted.
  for (const hop of hops) {
    const id: unknown = current[hop.field.name];
    if (typeof id !== "string" || id === "") return false;
    current = env.related(hop.target.name, id);
    if (!current || (current.deleted_at !== null && current.deleted_at !== undefined)) return false;
  }
  return matchLeaf(field, resolveLeaf(field, leaf.op, leaf.value, env), current[field.name]);
}
