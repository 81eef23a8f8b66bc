/**
 * Per-object facts the records code needs on every call (columns, field lookups, unique and relation
 * fields), computed once per ObjectDef version so that no request repeats metadata work.
 */
import { SYSTEM_FIELDS, columnOf, columnsOf, invalid, notFound, tableName, type FieldDef, type ObjectDef } from "@revline/core";
import type { Ctx } from "../context";

export type Shape = {
  object: ObjectDef;
  table: string;
  /** System fields first, then the object's fields. */
  all: FieldDef[];
  byName: Map<string, FieldDef>;
  userFields: FieldDef[];
  uniqueFields: FieldDef[];
  relationFields: FieldDef[];
  requiredFields: FieldDef[];
  /** Every column, system columns first. */
  allColumns: string[];
};

const shapes = new WeakMap<ObjectDef, Shape>();

export function shapeOf(object: ObjectDef): Shape {
  let s = shapes.get(object);
  if (!s) {
    const all = [...SYSTEM_FIELDS, ...object.fields];
    s = {
      object,
      table: tableName(object.name),
      all,
      byName: new Map(all.map((f) => [f.name, f])),
      userFields: [...object.fields],
      uniqueFields: object.fields.filter((f) => f.unique),
      relationFields: object.fields.filter((f) => f.type === "relation"),
      requiredFields: object.fields.filter((f) => f.required),
      allColumns: all.flatMap((f) => columnsOf(f)),
    };
    shapes.set(object, s);
  }
  return s;
}

export function requireShape(ctx: Pick<Ctx, "meta">, objectName: string): Shape {
  const object = typeof objectName === "string" ? ctx.meta(objectName) : undefined;
  if (!object) throw notFound(`Object "${String(objectName)}" does not exist.`);
  return shapeOf(object);
}

/** The fields named in a request, each checked to exist (unknown names are listed in one error). */
export function resolveFields(shape: Shape, names: readonly string[], param: string): FieldDef[] {
  const unknown = names.filter((n) => !shape.byName.has(n));
  if (unknown.length)
    throw invalid(
      `Unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")} in ${param} of "${shape.object.name}".`,
      unknown.map((n) => ({ field: n, reason: `unknown field in ${param}` })),
    );
  return names.map((n) => shape.byName.get(n)!);
}

export const mainColumn = columnOf;
