/**
 * Column mapping: which file column feeds which field. Headers match a field by its name or its
 * en/zh label, loosely (case, width, whitespace, `_`/`-` ignored); a mapping file overrides that:
 *
 *   { "columns": { "Header": "field" | { "field": "amount", "scale": 1000000, "currency": "USD",
 *                                        "match": "name" | "key" | "id" } | null },
 *     "set": { "quantity": 1, "name": "{product}[ · {account}] #{opportunity_id}" },
 *     "key": "external_id", "dateOrder": "dmy", "onUnresolved": "empty", "autoMap": true }
 *
 * `null` ignores a column. Headers the file does not list are matched automatically unless
 * `autoMap` is false. `set` fills a field for every row from a constant or a template: `{Header}`
 * is a cell's text, and a `[...]` part is dropped when any cell it uses is empty.
 * A header `<field>_currency` next to a currency field gives that field's currency per row.
 * A column named `id` / `ID` (or mapped to "id") holds record ids, as exports write them: a row with
 * an id updates that record (and is rejected when there is none the importer may change).
 * Unknown or read-only target fields are errors; columns feeding nothing are reported.
 */
import { invalid, SYSTEM_FIELDS, type ErrorDetail, type FieldDef, type ObjectDef } from "@revline/core";
import type { ColumnOptions } from "./coerce";
import type { DateOrder } from "./lenient-date";
import { headerKey } from "./normalize";

export type RelationMatch = "auto" | "name" | "key" | "id";
export type ColumnSpec = ColumnOptions & { field: string; match?: RelationMatch };
export type MappingFile = {
  columns?: Record<string, string | ColumnSpec | null>;
  set?: Record<string, string | number | boolean>;
  /** null: no key, insert every row. */
  key?: string | null;
  dateOrder?: DateOrder;
  onUnresolved?: "reject" | "empty";
  autoMap?: boolean;
};

export type ColumnPlan = {
  index: number;
  header: string;
  field: FieldDef;
  options: ColumnOptions & { match: RelationMatch };
  /** "currency": the column holds the currency code of `field`; "id": the record id to update. */
  part: "value" | "currency" | "id";
};
export type TemplatePart = { text: string } | { column: number } | { optional: TemplatePart[] };
export type SetPlan = { field: FieldDef; template: TemplatePart[] };
export type ImportPlan = {
  columns: ColumnPlan[];
  sets: SetPlan[];
  /** Headers that feed no field. */
  unmapped: string[];
  /** Suggested or effective mapping, header -> field (null when unmapped). */
  mapping: Record<string, string | null>;
};

const DATE_ORDERS = new Set(["dmy", "mdy", "ymd"]);
const ID_FIELD = SYSTEM_FIELDS.find((f) => f.name === "id")!;

/** Checks a parsed mapping file's shape; throws Invalid naming what is wrong. */
export function checkMappingFile(raw: unknown): MappingFile {
  const errors: ErrorDetail[] = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw invalid("a mapping must be a JSON object", [{ field: "mapping", reason: "not an object" }]);
  const m = raw as Record<string, unknown>;
  for (const k of Object.keys(m)) if (!["columns", "set", "key", "dateOrder", "onUnresolved", "autoMap"].includes(k)) errors.push({ field: k, reason: "unknown mapping option" });
  if (m.columns !== undefined && (typeof m.columns !== "object" || m.columns === null || Array.isArray(m.columns))) errors.push({ field: "columns", reason: "must be an object" });
  for (const [header, spec] of Object.entries((m.columns as Record<string, unknown>) ?? {})) {
    if (spec === null || typeof spec === "string") continue;
    if (typeof spec !== "object" || typeof (spec as ColumnSpec).field !== "string") errors.push({ field: `columns.${header}`, reason: "must be a field name, null, or {field, ...}" });
  }
  if (m.set !== undefined && (typeof m.set !== "object" || m.set === null || Array.isArray(m.set))) errors.push({ field: "set", reason: "must be an object" });
  if (m.key !== undefined && m.key !== null && typeof m.key !== "string") errors.push({ field: "key", reason: "must be a field name or null" });
  if (m.dateOrder !== undefined && !DATE_ORDERS.has(m.dateOrder as string)) errors.push({ field: "dateOrder", reason: "must be dmy, mdy or ymd" });
  if (m.onUnresolved !== undefined && m.onUnresolved !== "reject" && m.onUnresolved !== "empty") errors.push({ field: "onUnresolved", reason: "must be reject or empty" });
  if (errors.length) throw invalid("the mapping is not valid", errors);
  return m;
}

function fieldIndex(object: ObjectDef): Map<string, FieldDef> {
  const index = new Map<string, FieldDef>();
  // Labels first, names last: a field's own name beats another field's label.
  for (const f of object.fields) index.set(headerKey(f.label.zh), f);
  for (const f of object.fields) index.set(headerKey(f.label.en), f);
  for (const f of object.fields) index.set(headerKey(f.name), f);
  return index;
}

function findHeader(columns: string[], header: string): number {
  const exact = columns.indexOf(header);
  if (exact >= 0) return exact;
  const key = headerKey(header);
  return columns.findIndex((c) => headerKey(c) === key);
}

function compileTemplate(field: string, text: string, columns: string[], errors: ErrorDetail[]): TemplatePart[] {
  const parse = (s: string): TemplatePart[] => {
    const parts: TemplatePart[] = [];
    const re = /\[([^\]]*)\]|\{([^}]+)\}|([^[{]+)/g;
    for (let m = re.exec(s); m; m = re.exec(s)) {
      if (m[1] !== undefined) parts.push({ optional: parse(m[1]) });
      else if (m[2] !== undefined) {
        const i = findHeader(columns, m[2]);
        if (i < 0) errors.push({ field: `set.${field}`, reason: `no column "${m[2]}" in the file` });
        parts.push({ column: i });
      } else parts.push({ text: m[3]! });
    }
    return parts;
  };
  return parse(text);
}

/** Resolves a file's header against an object (and an optional mapping file) into an import plan. */
export function planImport(object: ObjectDef, columns: string[], file: MappingFile = {}): ImportPlan {
  const errors: ErrorDetail[] = [];
  const byKey = fieldIndex(object);
  const writable = (name: string, where: string): FieldDef | undefined => {
    const field = object.fields.find((f) => f.name === name);
    if (!field) errors.push({ field: where, reason: `${object.name} has no field "${name}"` });
    else if (field.isSystem) errors.push({ field: where, reason: `"${name}" is read-only` });
    return field && !field.isSystem ? field : undefined;
  };
  const plans: ColumnPlan[] = [];
  const explicit = new Map<number, string | ColumnSpec | null>();
  for (const [header, spec] of Object.entries(file.columns ?? {})) {
    const i = findHeader(columns, header);
    if (i < 0) errors.push({ field: `columns.${header}`, reason: `no column "${header}" in the file (columns: ${columns.join(", ")})` });
    else explicit.set(i, spec);
  }
  const used = new Set<string>();
  const add = (i: number, field: FieldDef, spec: Partial<ColumnSpec>, part: ColumnPlan["part"]) => {
    const id = `${field.name}:${part}`;
    if (used.has(id)) {
      errors.push({ field: columns[i]!, reason: `field "${field.name}" is already fed by another column` });
      return;
    }
    used.add(id);
    plans.push({ index: i, header: columns[i]!, field, options: { scale: spec.scale, currency: spec.currency, match: spec.match ?? "auto" }, part });
  };
  // Explicit columns first so that they win over automatic matches.
  for (const [i, spec] of explicit) {
    if (spec === null) continue;
    const s: ColumnSpec = typeof spec === "string" ? { field: spec } : spec;
    if (s.field === "id") {
      add(i, ID_FIELD, s, "id");
      continue;
    }
    const currencyPart = /^(.+)_currency$/.exec(s.field);
    const base = currencyPart ? object.fields.find((f) => f.name === currencyPart[1] && f.type === "currency") : undefined;
    if (base) add(i, base, s, "currency");
    else {
      const field = writable(s.field, `columns.${columns[i]}`);
      if (field) add(i, field, s, "value");
    }
  }
  const unmapped: string[] = [];
  columns.forEach((header, i) => {
    if (explicit.has(i)) {
      if (explicit.get(i) === null) unmapped.push(header);
      return;
    }
    const key = headerKey(header);
    if (key === "id" && file.autoMap !== false && !used.has("id:id")) return add(i, ID_FIELD, {}, "id");
    const field = file.autoMap === false ? undefined : byKey.get(key);
    if (field && !used.has(`${field.name}:value`)) return add(i, field, {}, "value");
    // "amount_currency", "Amount currency", and the labelled export's "Amount (currency)" / "金额 (币种)".
    const cur = file.autoMap === false ? undefined : /^(.+?)[\s_-]*(?:[(（]\s*(?:currency|币种)\s*[)）]|currency|币种)$/i.exec(header);
    const base = cur ? byKey.get(headerKey(cur[1]!)) : undefined;
    if (base?.type === "currency" && !used.has(`${base.name}:currency`)) return add(i, base, {}, "currency");
    unmapped.push(header);
  });
  const sets: SetPlan[] = [];
  for (const [name, value] of Object.entries(file.set ?? {})) {
    const field = writable(name, `set.${name}`);
    if (!field) continue;
    if (used.has(`${name}:value`)) errors.push({ field: `set.${name}`, reason: `field "${name}" is also fed by a column` });
    sets.push({ field, template: compileTemplate(name, String(value), columns, errors) });
  }
  if (errors.length) throw invalid(`the column mapping for ${object.name} is not valid`, errors);
  const mapping: Record<string, string | null> = {};
  for (const h of columns) mapping[h] = null;
  for (const p of plans) mapping[p.header] = p.part === "currency" ? `${p.field.name}_currency` : p.field.name; // "id" for the id column
  return { columns: plans, sets, unmapped, mapping };
}

/** Fills a template from a row's cells. */
export function fillTemplate(parts: TemplatePart[], cellText: (column: number) => string): string {
  return fill(parts, cellText).trim();
}

function columnsUsed(parts: TemplatePart[]): number[] {
  return parts.flatMap((q) => ("column" in q ? [q.column] : "optional" in q ? columnsUsed(q.optional) : []));
}

function fill(parts: TemplatePart[], cellText: (column: number) => string): string {
  let out = "";
  for (const p of parts) {
    if ("text" in p) out += p.text;
    else if ("column" in p) out += cellText(p.column);
    else if (columnsUsed(p.optional).every((c) => cellText(c).trim() !== "")) out += fill(p.optional, cellText);
  }
  return out;
}
