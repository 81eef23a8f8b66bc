/**
 * Metadata as one actor may use it: the objects they may read, each without its hidden fields, with
 * masked and read-only fields marked, and what they may do with it. The web UI builds its lists,
 * forms and buttons from this, so it never asks for a field the actor cannot see, sorts by a masked
 * one, or offers an edit the server would refuse. Nothing here widens what records enforce.
 */
import type { FieldDef, ObjectDef, ObjectPermissions } from "@revline/core";
import type { Ctx } from "../context";
import { ACTIONS, policyFor } from "../access";
import { viewOf } from "./policy-view";
import { shapeOf } from "./shape";

/** The object as `ctx.actor` sees it, or undefined when they may not read it. */
export function presentObject(ctx: Ctx, object: ObjectDef): ObjectDef | undefined {
  const read = policyFor(ctx, object.name, "read");
  if (!read.allowed) return undefined;
  const permissions = Object.fromEntries(ACTIONS.map((a) => [a, a === "read" || policyFor(ctx, object.name, a).allowed])) as ObjectPermissions;
  const view = viewOf(ctx, shapeOf(object), read);
  const update = permissions.update ? policyFor(ctx, object.name, "update").fieldRules : undefined;
  const fields: FieldDef[] = view.visible.object.fields.map((f) => {
    if (view.masked.has(f.name)) return { ...f, access: "masked" };
    const rule = update?.[f.name]?.rule;
    return rule ? { ...f, access: "read_only" } : f;
  });
  return { ...object, fields, permissions };
}
