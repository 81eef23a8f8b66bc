/**
 * JSON Schema (2020-12, as OpenAPI 3.1 uses it) for records of an object, derived from its live
 * metadata: one schema for a record as the API returns it, one for create input (unknown
 * properties rejected, as the API does) and one for a partial update.
 */
import { SYSTEM_FIELDS, type FieldDef, type ObjectDef } from "@revline/core";

export type JsonSchema = Record<string, unknown>;

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** Component names per object: the record, its create input and its patch. */
export const recordSchemaName = (object: string) => `${object}`;
export const inputSchemaName = (object: string) => `${object}.input`;
export const patchSchemaName = (object: string) => `${object}.patch`;

const DEFAULT_TEXT_MAX = 255;

function describe(field: FieldDef): JsonSchema {
  const out: JsonSchema = { title: field.label.en, description: `${field.label.en} (${field.label.zh})` };
  if (field.description) out.description = `${field.description.en} (${field.description.zh})`;
  return out;
}

function withNull(schema: JsonSchema): JsonSchema {
  if ("$ref" in schema || "anyOf" in schema) {
    const options: JsonSchema[] = Array.isArray(schema.anyOf) ? (schema.anyOf as JsonSchema[]) : [schema];
    const { anyOf: _anyOf, ...rest } = schema;
    return "$ref" in schema ? { anyOf: [...options, { type: "null" }] } : { ...rest, anyOf: [...options, { type: "null" }] };
  }
  const type = schema.type;
  if (typeof type === "string") schema = { ...schema, type: [type, "null"] };
  else if (Array.isArray(type) && !type.includes("null")) schema = { ...schema, type: [...(type as unknown[]), "null"] };
  const values: unknown = schema.enum;
  if (Array.isArray(values)) schema = { ...schema, enum: [...(values as unknown[]), null] };
  return schema;
}

/** The value of one field; `input` is what a client may send (e.g. a bare number for currency). */
export function fieldValueSchema(field: FieldDef, mode: "output" | "input"): JsonSchema {
  // Masked for the caller: the value arrives as masked text (张**, 138****5678, "10K-50K").
  if (field.access === "masked" && mode === "output") return { type: "string", description: "masked for you; POST .../reveal with the reveal right" };
  const v = field.validation ?? {};
  switch (field.type) {
    case "text":
    case "long_text":
    case "email":
    case "phone":
    case "url": {
      const s: JsonSchema = { type: "string" };
      if (field.type === "email") s.format = "email";
      if (field.type === "url") s.format = "uri";
      const max = v.maxLength ?? (field.type === "text" ? DEFAULT_TEXT_MAX : undefined);
      if (max !== undefined) s.maxLength = max;
      if (v.minLength !== undefined) s.minLength = v.minLength;
      if (v.pattern) s.pattern = v.pattern;
      return s;
    }
    case "integer": {
      const s: JsonSchema = { type: "integer" };
      if (v.min !== undefined) s.minimum = v.min;
      if (v.max !== undefined) s.maximum = v.max;
      return s;
    }
    case "decimal":
    case "percent": {
      const scale = field.scale ?? 2;
      const s: JsonSchema =
        mode === "output"
          ? { type: "number" }
          : { type: ["number", "string"], pattern: "^-?\\d+(\\.\\d+)?$", description: "a number or a decimal string (exact)" };
      s.description = `${field.type === "percent" ? "percent (12.5 means 12.5 %), " : ""}at most ${scale} digits after the point`;
      if (v.min !== undefined) s.minimum = v.min;
      if (v.max !== undefined) s.maximum = v.max;
      return s;
    }
    case "currency":
      return mode === "output"
        ? ref("Money")
        : {
            anyOf: [ref("MoneyInput"), { type: "number" }, { type: "string", pattern: "^-?\\d+(\\.\\d+)?$" }],
            description: `money; a bare number or decimal string is in ${field.currency ?? "USD"}`,
          };
    case "boolean":
      return { type: "boolean" };
    case "date":
      return { type: "string", format: "date" };
    case "datetime":
      return { type: "string", format: "date-time" };
    case "picklist":
      return { type: "string", enum: (field.options ?? []).map((o) => o.value) };
    case "multi_picklist":
      return { type: "array", uniqueItems: true, items: { type: "string", enum: (field.options ?? []).map((o) => o.value) } };
    case "relation":
      return { type: "string", description: `id of a ${field.relation?.object ?? "related"} record` };
  }
}

function propertySchema(field: FieldDef, mode: "output" | "input", nullable: boolean): JsonSchema {
  const value = fieldValueSchema(field, mode);
  const merged: JsonSchema = "$ref" in value || "anyOf" in value ? { ...value } : { ...value };
  const d = describe(field);
  // A $ref sibling keeps its own title/description in 3.1; say what the field is and, where the
  // value schema has its own note, keep both.
  merged.title = d.title;
  merged.description = typeof value.description === "string" ? `${d.description as string}: ${value.description}` : d.description;
  if (field.defaultValue !== undefined && mode === "input") merged.default = field.defaultValue;
  if (field.isSystem) merged.readOnly = true;
  const canBeNull = nullable && field.type !== "boolean" && field.type !== "multi_picklist";
  return canBeNull ? withNull(merged) : merged;
}

/** Fields the platform fills (computed by a module): returned, never accepted as input. */
export type ComputedFields = (object: string) => readonly string[];

/** The record as returned: system fields, the object's fields, related records under _related. */
export function recordSchema(object: ObjectDef, known: Set<string>, computed: readonly string[] = []): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of SYSTEM_FIELDS) properties[f.name] = propertySchema(f, "output", f.name === "deleted_at");
  for (const f of object.fields) {
    properties[f.name] = propertySchema(f, "output", true);
    if (computed.includes(f.name)) properties[f.name] = { ...properties[f.name], readOnly: true, $comment: "computed" };
  }
  const related: Record<string, JsonSchema> = {};
  for (const f of object.fields) {
    const target = f.type === "relation" ? f.relation?.object : undefined;
    if (target && known.has(target)) related[f.name] = withNull(ref(recordSchemaName(target)));
  }
  properties._related = {
    type: "object",
    description: "Related records asked for with include, by relation field",
    properties: related,
    additionalProperties: false,
  };
  return {
    type: "object",
    title: object.label.en,
    description: `${object.label.en} (${object.label.zh}). Fields returned depend on the fields parameter; id and version always come back.`,
    properties,
    required: ["id", "version"],
  };
}

/** What POST accepts (required fields required) or PATCH accepts (everything optional). */
export function inputSchema(object: ObjectDef, mode: "create" | "patch", computed: readonly string[] = []): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const f of object.fields) {
    if (computed.includes(f.name)) continue;
    const isRequired = f.required === true && f.defaultValue === undefined;
    properties[f.name] = propertySchema(f, "input", !f.required);
    if (mode === "create" && isRequired) required.push(f.name);
  }
  const s: JsonSchema = {
    type: "object",
    title: `${object.label.en} ${mode === "create" ? "input" : "patch"}`,
    properties,
    additionalProperties: false,
  };
  if (required.length > 0) s.required = required;
  return s;
}
