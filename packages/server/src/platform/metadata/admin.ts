/** Runtime changes to metadata by an admin: custom objects and fields, each applied with its DDL in one transaction. */
import { forbidden, invalid, notFound, conflict, type FieldDef, type ObjectDef, type Label, type ErrorDetail } from "@revline/core";
import type { Ctx } from "../context";
import { withTransaction } from "../db";
import { bumpMetadataVersion, loadMetadata } from "./store";
import { applyChange, planDropField, syncSchema } from "./schema-sync";
import { checkFieldDef, checkLabels, checkObjectName } from "./validate-def";
import { fieldRow, objectRow } from "./sync-standard";

export type NewObjectInput = {
  name: string;
  label: Label;
  labelPlural: Label;
  icon?: string;
  nameField?: string;
  externalKeyField?: string;
  fields?: FieldDef[];
};

export type FieldPatch = Partial<Pick<FieldDef, "label" | "description" | "options" | "validation" | "required" | "defaultValue" | "maskKind">>;
const PATCHABLE = new Set(["label", "description", "options", "validation", "required", "defaultValue", "maskKind"]);
const OBJECT_KEYS = new Set(["name", "label", "labelPlural", "icon", "nameField", "externalKeyField", "fields"]);

function requireAdmin(ctx: Ctx): void {
  if (!ctx.actor.isAdmin) throw forbidden("Only an administrator can change objects and fields.");
}

const boolFor = (ctx: Ctx, v: number) => (ctx.db.dialect === "postgres" ? v === 1 : v);

function requireObject(ctx: Ctx, name: string): ObjectDef {
  const object = ctx.meta(name);
  if (!object) throw notFound(`Object "${name}" does not exist.`);
  return object;
}

/** Unique indexes over existing duplicates fail in the database; say which field instead. */
async function mapDdlError<T>(field: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const msg = String((e as Error).message ?? e);
    if (/unique|duplicate/i.test(msg)) throw conflict(`Existing records have duplicate values in "${field}"; it cannot be made unique.`, [{ field, reason: "existing duplicate values" }]);
    throw e;
  }
}

export async function createObject(ctx: Ctx, input: NewObjectInput): Promise<ObjectDef> {
  requireAdmin(ctx);
  const errors: ErrorDetail[] = [];
  for (const k of Object.keys(input ?? {})) if (!OBJECT_KEYS.has(k)) errors.push({ field: k, reason: "unknown property" });
  errors.push(...checkObjectName(input?.name, ctx.meta), ...checkLabels(input ?? ({} as NewObjectInput)));
  const fields: FieldDef[] = [];
  const given = Array.isArray(input?.fields) ? input.fields : input?.fields === undefined ? [] : null;
  if (given === null) errors.push({ field: "fields", reason: "must be an array of field definitions" });
  for (const [i, f] of (given ?? []).entries()) {
    const errs = checkFieldDef(f, fields, ctx.meta, input.name, `fields[${i}]`);
    if (f?.computed) errs.push({ field: `fields[${i}].computed`, reason: "only fields declared by a module can be computed" });
    errors.push(...errs);
    if (!errs.length) fields.push({ ...f, isStandard: false });
  }
  let nameField = input?.nameField;
  if (nameField === undefined) {
    if (!fields.some((f) => f.name === "name")) fields.unshift({ name: "name", type: "text", label: { en: "Name", zh: "名称" }, isStandard: false });
    nameField = "name";
  } else if (!fields.some((f) => f.name === nameField && ["text", "email", "phone", "url"].includes(f.type))) {
    errors.push({ field: "nameField", reason: `must name one of the object's text fields` });
  }
  if (input?.externalKeyField !== undefined && !fields.some((f) => f.name === input.externalKeyField && f.unique))
    errors.push({ field: "externalKeyField", reason: "must name a unique field of the object" });
  if (errors.length) throw invalid(`The object definition is not valid: ${errors.map((e) => `${e.field} ${e.reason}`).join("; ")}`, errors);

  const def: ObjectDef = {
    name: input.name,
    label: input.label,
    labelPlural: input.labelPlural,
    ...(input.icon ? { icon: input.icon } : {}),
    nameField,
    ...(input.externalKeyField ? { externalKeyField: input.externalKeyField } : {}),
    fields,
    isStandard: false,
  };
  const at = ctx.clock().toISOString();
  await withTransaction(ctx.db, async (trx) => {
    const row = objectRow(def, at);
    await trx.kysely.insertInto("meta_object").values({ ...row, is_standard: boolFor(ctx, 0) }).execute();
    for (const [i, f] of fields.entries()) await trx.kysely.insertInto("meta_field").values({ ...fieldRow(def.name, f, i, at), is_standard: boolFor(ctx, 0) }).execute();
    await syncSchema(trx, [def], ctx.clock());
    await bumpMetadataVersion(trx);
  });
  await loadMetadata(ctx.db);
  return requireObject(ctx, def.name);
}

export async function addField(ctx: Ctx, objectName: string, input: FieldDef): Promise<FieldDef> {
  requireAdmin(ctx);
  const object = requireObject(ctx, objectName);
  const errors = checkFieldDef(input, object.fields, ctx.meta, object.name);
  // Computed values come from code registered by a module; an admin-made field has none to run.
  if (input.computed) errors.push({ field: "computed", reason: "only fields declared by a module can be computed" });
  if (errors.length) throw invalid(`The field definition is not valid: ${errors.map((e) => `${e.field} ${e.reason}`).join("; ")}`, errors);
  const field: FieldDef = { ...input, isStandard: false };
  const at = ctx.clock().toISOString();
  await mapDdlError(field.name, () =>
    withTransaction(ctx.db, async (trx) => {
      const max = (await trx.kysely.selectFrom("meta_field").select((eb) => eb.fn.max("position").as("p")).where("object", "=", object.name).executeTakeFirst());
      const position = max?.p === null || max?.p === undefined ? 0 : Number(max.p) + 1;
      await trx.kysely.insertInto("meta_field").values({ ...fieldRow(object.name, field, position, at), is_standard: boolFor(ctx, 0) }).execute();
      await syncSchema(trx, [{ ...object, fields: [...object.fields, field] }], ctx.clock());
      await bumpMetadataVersion(trx);
    }),
  );
  await loadMetadata(ctx.db);
  return requireObject(ctx, object.name).fields.find((f) => f.name === field.name)!;
}

export async function updateField(ctx: Ctx, objectName: string, fieldName: string, patch: FieldPatch): Promise<FieldDef> {
  requireAdmin(ctx);
  const object = requireObject(ctx, objectName);
  const current = object.fields.find((f) => f.name === fieldName);
  if (!current) throw notFound(`Field "${fieldName}" does not exist on "${objectName}".`);
  const errors: ErrorDetail[] = [];
  for (const k of Object.keys(patch ?? {}))
    if (!PATCHABLE.has(k)) errors.push({ field: k, reason: k === "type" ? "a field's type cannot be changed" : "cannot be changed" });
  if (errors.length) throw invalid(`Only ${[...PATCHABLE].join(", ")} can be changed.`, errors);
  const next: FieldDef = { ...current, ...patch };
  for (const k of Object.keys(patch) as (keyof FieldPatch)[]) if (patch[k] === null) delete next[k];
  const { isStandard, ...toCheck } = next;
  const errs = checkFieldDef(toCheck, object.fields.filter((f) => f.name !== fieldName), ctx.meta, object.name);
  if (errs.length) throw invalid(`The field definition is not valid: ${errs.map((e) => `${e.field} ${e.reason}`).join("; ")}`, errs);
  const at = ctx.clock().toISOString();
  await withTransaction(ctx.db, async (trx) => {
    await trx.kysely
      .updateTable("meta_field")
      .set({ definition: JSON.stringify({ ...next, isStandard: !!isStandard }), updated_at: at })
      .where("object", "=", object.name)
      .where("name", "=", fieldName)
      .execute();
    await bumpMetadataVersion(trx);
  });
  await loadMetadata(ctx.db);
  return requireObject(ctx, object.name).fields.find((f) => f.name === fieldName)!;
}

export async function deleteField(ctx: Ctx, objectName: string, fieldName: string): Promise<void> {
  requireAdmin(ctx);
  const object = requireObject(ctx, objectName);
  const field = object.fields.find((f) => f.name === fieldName);
  if (!field) throw notFound(`Field "${fieldName}" does not exist on "${objectName}".`);
  if (field.isStandard) throw invalid(`"${fieldName}" is a standard field and cannot be deleted.`, [{ field: fieldName, reason: "standard fields cannot be deleted" }]);
  if (object.nameField === fieldName || object.externalKeyField === fieldName)
    throw invalid(`"${fieldName}" is the object's name or key field and cannot be deleted.`, [{ field: fieldName, reason: "name or key field" }]);
  await withTransaction(ctx.db, async (trx) => {
    await trx.kysely.deleteFrom("meta_field").where("object", "=", object.name).where("name", "=", fieldName).execute();
    for (const change of planDropField(object, field)) await applyChange(trx, change, ctx.clock());
    await bumpMetadataVersion(trx);
  });
  await loadMetadata(ctx.db);
}
