/**
 * An object as one policy lets an actor see it. Hidden fields are gone from the `visible` view (so a
 * request naming one fails exactly like a request naming a field that does not exist); masked fields
 * are also gone from the `queryable` view used for filters, sorts, groupBy and metrics (filtering or
 * sorting on a masked value would reveal it bit by bit). Views are memoised per policy and ObjectDef,
 * so a request pays a map lookup.
 */
import { validateCondition, type Condition, type MaskKind, type MetadataLookup, type ObjectDef } from "@revline/core";
import type { Ctx } from "../context";
import { policyFor, type Policy } from "../access";
import { shapeOf, type Shape } from "./shape";

export type PolicyView = {
  visible: Shape;
  queryable: Shape;
  /** Masked field -> how it is masked (the rule's mask, else the field's maskKind, else text). */
  masked: Map<string, MaskKind>;
  /** The policy's row condition when it is valid for the object now; FALSE-like when it is not. */
  rowCondition?: Condition;
};

const views = new WeakMap<Policy, WeakMap<ObjectDef, PolicyView>>();
/** No row matches: a stored row condition that no longer fits the metadata fails closed. */
const NO_ROWS: Condition = { any: [] };

export function viewOf(ctx: Pick<Ctx, "meta" | "log">, shape: Shape, policy: Policy): PolicyView {
  let byObject = views.get(policy);
  if (!byObject) views.set(policy, (byObject = new WeakMap()));
  let view = byObject.get(shape.object);
  if (view) return view;
  const rules = policy.fieldRules;
  const masked = new Map<string, MaskKind>();
  const hidden = new Set<string>();
  for (const f of shape.userFields) {
    const r = rules[f.name];
    if (r?.rule === "hidden") hidden.add(f.name);
    else if (r?.rule === "masked") masked.set(f.name, r.mask ?? f.maskKind ?? "text");
  }
  const narrowed = (drop: (name: string) => boolean): Shape =>
    hidden.size || masked.size ? shapeOf({ ...shape.object, fields: shape.object.fields.filter((f) => !drop(f.name)) }) : shape;
  const visible = hidden.size ? narrowed((n) => hidden.has(n)) : shape;
  const queryable = hidden.size || masked.size ? narrowed((n) => hidden.has(n) || masked.has(n)) : shape;
  view = { visible, queryable, masked };
  if (policy.rowCondition) {
    try {
      view.rowCondition = validateCondition(policy.rowCondition, shape.object, ctx.meta);
    } catch (e) {
      ctx.log.warn({ err: e, object: shape.object.name }, "a row condition of the actor's roles no longer fits the object; it matches no row");
      view.rowCondition = NO_ROWS;
    }
  }
  byObject.set(shape.object, view);
  return view;
}

/** A view with only the system fields: an object the actor may not read at all. */
const closed = new WeakMap<ObjectDef, ObjectDef>();
function closedObject(object: ObjectDef): ObjectDef {
  let c = closed.get(object);
  if (!c) closed.set(object, (c = { ...object, fields: [] }));
  return c;
}

/**
 * The metadata as the actor may query it: every object reduced to its queryable fields (hidden and
 * masked ones gone, and for an object they cannot read, every field but the system ones). A filter
 * path like account.owner.email is then refused like an unknown field when user.email is hidden.
 */
export function queryableMeta(ctx: Ctx): MetadataLookup {
  return (name) => {
    const object = ctx.meta(name);
    if (!object) return undefined;
    const policy = policyFor(ctx, name, "read");
    if (!policy.allowed) return closedObject(object);
    return viewOf(ctx, shapeOf(object), policy).queryable.object;
  };
}
