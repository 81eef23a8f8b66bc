/** Checks of object and field definitions an admin submits; every problem names its field. */
import { IDENTIFIER_PATTERN, SYSTEM_FIELDS, columnsOf, type ErrorDetail, type FieldDef, type FieldType, type MetadataLookup, type ObjectDef } from "@revline/core";
import { DEFAULT_CURRENCY, FIELD_TYPE_NAMES, isCurrencyCode } from "@revline/core";
import { parseInput } from "./field-codec";

const FIELD_TYPES: readonly FieldType[] = FIELD_TYPE_NAMES;
const MASK_KINDS = ["person_name", "phone", "email", "amount_range", "text"];
const FIELD_KEYS = new Set(["name", "type", "label", "description", "required", "unique", "defaultValue", "options", "relation", "scale", "currency", "currencies", "validation", "maskKind", "isSystem", "isStandard", "computed"]);
const UNIQUE_TYPES = new Set<FieldType>(["text", "email", "phone", "url", "integer", "date"]);

/** Words that would confuse SQL, the API or the platform's own columns. */
export const RESERVED_NAMES = new Set([
  ...SYSTEM_FIELDS.map((f) => f.name),
  "select", "from", "where", "order", "group", "by", "table", "index", "user", "limit", "offset", "and", "or", "not", "null",
  "true", "false", "default", "primary", "key", "references", "check", "constraint", "unique", "column", "all", "any",
  "case", "when", "then", "else", "end", "join", "on", "as", "in", "is", "like", "between", "exists", "union", "having",
  "distinct", "insert", "update", "delete", "create", "drop", "alter", "grant", "to", "desc", "asc", "rowid", "oid",
  "related", "cursor", "filter", "sort", "fields", "include", "object", "record", "records",
]);
/** Object names that clash with platform routes or tables. */
const RESERVED_OBJECTS = new Set(["meta", "object", "objects", "record", "records", "audit", "outbox", "schema", "migration", "import", "imports", "token", "tokens", "session", "sessions", "auth", "health", "openapi", "docs"]);

const isLabel = (v: unknown): boolean => {
  const l = v as { en?: unknown; zh?: unknown } | undefined;
  return !!l && typeof l === "object" && typeof l.en === "string" && l.en.trim() !== "" && typeof l.zh === "string" && l.zh.trim() !== "";
};

export function checkObjectName(name: unknown, lookup: MetadataLookup): ErrorDetail[] {
  if (typeof name !== "string" || !IDENTIFIER_PATTERN.test(name) || name.length > 50)
    return [{ field: "name", reason: "must be snake_case: a lowercase letter, then lowercase letters, digits or _ (at most 50)" }];
  if (RESERVED_NAMES.has(name) || RESERVED_OBJECTS.has(name)) return [{ field: "name", reason: `"${name}" is reserved` }];
  if (lookup(name)) return [{ field: "name", reason: `an object named "${name}" already exists` }];
  return [];
}

/** Validates one field definition against its object (whose other fields are `siblings`). */
export function checkFieldDef(field: FieldDef, siblings: FieldDef[], lookup: MetadataLookup, selfObject?: string, prefix = ""): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const at = (k: string) => (prefix ? `${prefix}.${k}` : k);
  const push = (k: string, reason: string) => errors.push({ field: at(k), reason });
  if (!field || typeof field !== "object") return [{ field: prefix || "field", reason: "expected a field definition object" }];
  for (const k of Object.keys(field)) if (!FIELD_KEYS.has(k)) push(k, "unknown property");
  if (typeof field.name !== "string" || !IDENTIFIER_PATTERN.test(field.name) || field.name.length > 54)
    push("name", "must be snake_case: a lowercase letter, then lowercase letters, digits or _ (at most 54)");
  else if (RESERVED_NAMES.has(field.name)) push("name", `"${field.name}" is reserved`);
  else if (siblings.some((s) => s.name === field.name)) push("name", `a field named "${field.name}" already exists`);
  else {
    const taken = new Set([...SYSTEM_FIELDS.map((f) => f.name), ...siblings.flatMap((s) => [s.name, ...columnsOf(s)])]);
    const mine = FIELD_TYPES.includes(field.type) ? columnsOf(field) : [field.name];
    const clash = mine.find((c) => taken.has(c));
    if (clash) push("name", `its column "${clash}" clashes with an existing field`);
  }
  if (!FIELD_TYPES.includes(field.type)) {
    push("type", `must be one of ${FIELD_TYPES.join(", ")}`);
    return errors;
  }
  if (!isLabel(field.label)) push("label", "needs non-empty en and zh labels");
  if (field.description !== undefined && !isLabel(field.description)) push("description", "needs en and zh text");
  if (field.isSystem) push("isSystem", "system fields cannot be added");
  for (const k of ["required", "unique"] as const)
    if (field[k] !== undefined && typeof field[k] !== "boolean") push(k, "must be true or false");
  if (field.unique && !UNIQUE_TYPES.has(field.type)) push("unique", `a ${field.type} field cannot be unique`);
  const isPick = field.type === "picklist" || field.type === "multi_picklist";
  if (isPick) {
    if (!Array.isArray(field.options) || field.options.length === 0) push("options", "a picklist needs at least one option");
    else {
      const seen = new Set<string>();
      field.options.forEach((o, i) => {
        if (!o || typeof o.value !== "string" || o.value === "" || o.value.length > 255) push(`options[${i}].value`, "must be a non-empty string");
        else if (seen.has(o.value)) push(`options[${i}].value`, `duplicate option "${o.value}"`);
        else seen.add(o.value);
        if (!isLabel(o?.label)) push(`options[${i}].label`, "needs non-empty en and zh labels");
      });
    }
  } else if (field.options !== undefined) push("options", "only picklist fields have options");
  if (field.type === "relation") {
    const target = field.relation?.object;
    if (typeof target !== "string") push("relation", "a relation needs { object: <target object name> }");
    else if (target !== selfObject && !lookup(target)) push("relation.object", `no object named "${target}"`);
  } else if (field.relation !== undefined) push("relation", "only relation fields have a relation target");
  if (field.scale !== undefined) {
    if (field.type !== "decimal" && field.type !== "percent") push("scale", "only decimal and percent fields have a scale");
    else if (!Number.isInteger(field.scale) || field.scale < 0 || field.scale > 8) push("scale", "must be a whole number from 0 to 8");
  }
  if (field.currency !== undefined && (field.type !== "currency" || !isCurrencyCode(field.currency))) push("currency", "must be an ISO 4217 code on a currency field");
  if (field.currencies !== undefined) {
    if (field.type !== "currency") push("currencies", "only currency fields accept a list of currencies");
    else if (!Array.isArray(field.currencies) || field.currencies.length === 0 || !field.currencies.every(isCurrencyCode))
      push("currencies", "must be a non-empty list of ISO 4217 codes");
    else if (new Set(field.currencies).size !== field.currencies.length) push("currencies", "lists a currency twice");
    else if (!field.currencies.includes(field.currency ?? DEFAULT_CURRENCY)) push("currencies", `must include the field's default currency ${field.currency ?? DEFAULT_CURRENCY}`);
  }
  if (field.maskKind !== undefined && !MASK_KINDS.includes(field.maskKind)) push("maskKind", `must be one of ${MASK_KINDS.join(", ")}`);
  const v = field.validation;
  if (v !== undefined) {
    if (typeof v !== "object" || v === null) push("validation", "must be an object");
    else {
      for (const k of Object.keys(v)) if (!["min", "max", "minLength", "maxLength", "pattern"].includes(k)) push(`validation.${k}`, "unknown rule");
      for (const k of ["min", "max"] as const) if (v[k] !== undefined && (typeof v[k] !== "number" || !Number.isFinite(v[k]))) push(`validation.${k}`, "must be a number");
      for (const k of ["minLength", "maxLength"] as const)
        if (v[k] !== undefined && (!Number.isInteger(v[k]) || (v[k]) < 0)) push(`validation.${k}`, "must be a whole number >= 0");
      if (v.pattern !== undefined) {
        try {
          new RegExp(v.pattern, "u");
        } catch {
          push("validation.pattern", "is not a valid regular expression");
        }
      }
      if (typeof v.min === "number" && typeof v.max === "number" && v.min > v.max) push("validation", "min is greater than max");
    }
  }
  if (field.defaultValue !== undefined && errors.length === 0) {
    const r = parseInput(field, field.defaultValue);
    if (!r.ok) push("defaultValue", r.reason);
  }
  return errors;
}

export function checkLabels(def: Pick<ObjectDef, "label" | "labelPlural">): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  if (!isLabel(def.label)) errors.push({ field: "label", reason: "needs non-empty en and zh labels" });
  if (!isLabel(def.labelPlural)) errors.push({ field: "labelPlural", reason: "needs non-empty en and zh labels" });
  return errors;
}
