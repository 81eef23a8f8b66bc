import type { FieldDef } from "../metadata/types";
import { columnOf } from "../metadata/storage";
import { CHOICE_OPERATORS, cell, fail, labelOf, ok, textOf } from "./common";
import type { FieldTypeDef } from "./types";

export function unknownOptions(field: FieldDef, values: readonly string[]): string | undefined {
  const options = field.options ?? [];
  if (options.length === 0) return undefined;
  const bad = values.filter((v) => !options.some((o) => o.value === v));
  if (bad.length === 0) return undefined;
  const list = options.map((o) => o.value).join(", ");
  return bad.length === 1 ? `"${bad[0]}" is not one of the options: ${list}` : `${bad.map((b) => `"${b}"`).join(", ")} are not among the options: ${list}`;
}

export function optionLabel(field: FieldDef, value: string, locale: string): string {
  const o = field.options?.find((x) => x.value === value);
  return o ? labelOf(o.label, locale) : value;
}

export const picklistField: FieldTypeDef<string> = {
  type: "picklist",
  parseInput(_field, raw) {
    if (raw === null || raw === undefined) return ok(null);
    return typeof raw === "string" ? ok(raw) : fail("expected an option value (string)");
  },
  validate: (field, value) => unknownOptions(field, [value]),
  encode: (field, value) => ({ [columnOf(field)]: value }),
  decode(field, row) {
    const v = cell(field, row);
    return v === null || v === undefined ? null : textOf(v);
  },
  format: (field, value, locale) => (value === null ? "" : optionLabel(field, value, locale)),
  operators: CHOICE_OPERATORS,
};
