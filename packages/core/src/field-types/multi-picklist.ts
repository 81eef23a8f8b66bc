import type { FieldDef } from "../metadata/types";
import { columnOf } from "../metadata/storage";
import { cell, fail, MULTI_OPERATORS, ok, textOf } from "./common";
import { optionLabel, unknownOptions } from "./picklist";
import type { FieldTypeDef } from "./types";

/** Distinct values in option order (unknown values last, as given), so storage text is canonical. */
export function sortByOptions(field: FieldDef, values: readonly string[]): string[] {
  const order = new Map((field.options ?? []).map((o, i) => [o.value, i]));
  const distinct = [...new Set(values)];
  return distinct
    .map((v, i) => ({ v, k: order.get(v) ?? order.size + i }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.v);
}

/** Empty is [] in the API and NULL in storage. */
export const multiPicklistField: FieldTypeDef<string[]> = {
  type: "multi_picklist",
  parseInput(field, raw) {
    if (raw === null || raw === undefined) return ok([]);
    if (!Array.isArray(raw) || raw.some((x) => typeof x !== "string")) return fail("expected an array of option values (strings)");
    return ok(sortByOptions(field, raw as string[]));
  },
  validate: (field, value) => unknownOptions(field, value),
  encode: (field, value) => ({ [columnOf(field)]: value === null || value.length === 0 ? null : JSON.stringify(value) }),
  decode(field, row) {
    const v = cell(field, row);
    if (v === null || v === undefined || v === "") return [];
    const arr: unknown = typeof v === "string" ? JSON.parse(v) : v;
    return Array.isArray(arr) ? arr.map(textOf) : [];
  },
  format: (field, value, locale) => (value ?? []).map((v) => optionLabel(field, v, locale)).join(locale === "zh-CN" ? "、" : ", "),
  operators: MULTI_OPERATORS,
};
