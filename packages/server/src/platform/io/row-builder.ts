/**
 * One file row -> one record input (API value form), plus what was wrong with it.
 * Empty cells are left out of the record: an insert then gets the field's default and an update
 * leaves the stored value alone (an import never blanks data because a column was empty).
 * An id column's cell goes to `record.id`: such a row updates that record rather than upserting by key.
 */
import type { FieldDef, ObjectDef } from "@revline/core";
import { cellText, coerceCell, isEmptyCell, type Cell, type CoerceOptions } from "./coerce";
import type { Rejection } from "./import-job.repo";
import type { DateOrder } from "./lenient-date";
import { fillTemplate, type ImportPlan } from "./mapping";
import { KNOWN_CURRENCIES } from "./lenient-number";
import { matchKey } from "./normalize";
import { resolveRelation, type RelationIndex } from "./relation-index";

export type RowRules = {
  object: ObjectDef;
  plan: ImportPlan;
  indexes: Map<string, RelationIndex>;
  /** matchKeys of the names and keys of this file's own rows (for relations to the same object). */
  ownKeys: Set<string>;
  /** The upsert key field, if any. */
  keyField?: string;
  dateOrder?: DateOrder;
  onUnresolved: "reject" | "empty";
};

/** A relation to the same object whose target is a row of this file, set after the first pass. */
export type Deferred = { row: number; field: string; column: string; text: string; key: unknown; name: unknown };

export type BuiltRow = {
  row: number;
  record: Record<string, unknown>;
  /** Problems that reject the row. */
  errors: Rejection[];
  /** Problems reported while the row still goes in (a relation kept empty). */
  warnings: Rejection[];
  deferred: Deferred[];
  cells: Cell[];
};

const reportValue = (cell: Cell) => {
  const t = cellText(cell);
  return t.length > 1000 ? `${t.slice(0, 1000)}…` : t;
};

/** A leading ' before = + - @ is how exports keep spreadsheets from running text as a formula: drop it. */
const unquote = (cell: Cell): Cell => (typeof cell === "string" && cell.charCodeAt(0) === 39 && /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

export function buildRow(rules: RowRules, row: number, cells: Cell[]): BuiltRow {
  const out: BuiltRow = { row, record: {}, errors: [], warnings: [], deferred: [], cells };
  const { record } = out;
  const currencyOf = new Map<string, { code: string; header: string }>();
  const selfRelations: { field: FieldDef; header: string; text: string }[] = [];
  const perRowCurrency = currencyColumnsOf(rules.plan);
  const optionsByColumn = columnOptionsOf(rules);

  for (let c = 0; c < rules.plan.columns.length; c++) {
    const col = rules.plan.columns[c]!;
    const cell = unquote(cells[col.index]);
    if (isEmptyCell(cell)) continue;
    const { field } = col;
    if (col.part === "id") {
      // The record to update; the batch checks that it exists and may be changed.
      record.id = cellText(cell).trim();
      continue;
    }
    if (col.part === "currency") {
      const code = cellText(cell).normalize("NFKC").trim().toUpperCase();
      if (!KNOWN_CURRENCIES.has(code) && !/^[A-Z]{3}$/.test(code)) out.errors.push({ row, column: col.header, value: reportValue(cell), reason: "not a currency code" });
      else currencyOf.set(field.name, { code, header: col.header });
      continue;
    }
    if (field.type === "relation") {
      const text = cellText(cell).trim();
      const target = field.relation!.object;
      const index = rules.indexes.get(target)!;
      const hit = resolveRelation(index, text, col.options.match);
      if (hit.ok) record[field.name] = hit.id;
      else if (target === rules.object.name && rules.ownKeys.has(matchKey(text))) selfRelations.push({ field, header: col.header, text });
      else {
        const problem = { row, column: col.header, value: text, reason: hit.reason };
        if (rules.onUnresolved === "reject") out.errors.push(problem);
        else out.warnings.push({ ...problem, reason: `${hit.reason} (left empty)` });
      }
      continue;
    }
    const r = coerceCell(field, cell, optionsByColumn[c]);
    if (r.ok) record[field.name] = r.value;
    else out.errors.push({ row, column: col.header, value: reportValue(cell), reason: r.reason });
  }

  // Amounts of fields with a currency column were read without the field's default currency:
  // the row's code applies, or the default when that cell is empty.
  for (const field of perRowCurrency.values()) {
    const v = record[field.name];
    if (v === undefined || v === null) continue;
    const given = currencyOf.get(field.name);
    if (typeof v === "object") {
      const money = v as { amount: string; currency: string };
      if (given && money.currency !== given.code) {
        out.errors.push({ row, column: given.header, value: given.code, reason: `the amount says ${money.currency}, this column says ${given.code}` });
      }
    } else if (given) record[field.name] = { amount: v, currency: given.code };
    else if (field.currency) record[field.name] = { amount: v, currency: field.currency };
  }

  const text = (i: number) => (i < 0 ? "" : cellText(unquote(cells[i])).trim());
  for (const set of rules.plan.sets) {
    const value = fillTemplate(set.template, text);
    if (value === "") continue;
    const r = coerceCell(set.field, value, { dateOrder: rules.dateOrder });
    if (r.ok) record[set.field.name] = r.value;
    else out.errors.push({ row, column: null, value, reason: `${set.field.name}: ${r.reason}` });
  }

  for (const s of selfRelations) {
    const key = rules.keyField ? record[rules.keyField] : undefined;
    out.deferred.push({ row, field: s.field.name, column: s.header, text: s.text, key, name: record[rules.object.nameField] });
  }
  return out;
}

const columnOptions = new WeakMap<RowRules, { plan: ImportPlan; dateOrder?: DateOrder; options: CoerceOptions[] }>();
/** The coercion options of each plan column, built once per import rather than spread per cell. */
function columnOptionsOf(rules: RowRules): CoerceOptions[] {
  const had = columnOptions.get(rules);
  if (had && had.plan === rules.plan && had.dateOrder === rules.dateOrder) return had.options;
  const perRowCurrency = currencyColumnsOf(rules.plan);
  const options = rules.plan.columns.map((col) => ({
    ...col.options,
    dateOrder: rules.dateOrder,
    defaultCurrency: !(col.field.type === "currency" && perRowCurrency.has(col.field.name)),
  }));
  columnOptions.set(rules, { plan: rules.plan, dateOrder: rules.dateOrder, options });
  return options;
}

const currencyColumns = new WeakMap<ImportPlan, Map<string, FieldDef>>();
/** The currency fields whose currency a `<field>_currency` column of the plan gives per row. */
function currencyColumnsOf(plan: ImportPlan): Map<string, FieldDef> {
  let fields = currencyColumns.get(plan);
  if (!fields) {
    fields = new Map(plan.columns.filter((c) => c.part === "currency").map((c) => [c.field.name, c.field]));
    currencyColumns.set(plan, fields);
  }
  return fields;
}

/** The matchKeys by which other rows of the same file may refer to this row. */
export function ownKeysOf(rules: Pick<RowRules, "object" | "plan" | "keyField">, cells: Cell[]): string[] {
  const keys: string[] = [];
  const { object } = rules;
  for (const col of rules.plan.columns) {
    if (col.part !== "value") continue;
    if (col.field.name === object.nameField || col.field.name === rules.keyField || col.field.name === object.externalKeyField) {
      const t = cellText(cells[col.index]).trim();
      if (t !== "") keys.push(matchKey(t));
    }
  }
  return keys;
}
