import { columnOf } from "../metadata/storage";
import { CHOICE_OPERATORS, cell, fail, ok, textOf } from "./common";
import type { FieldTypeDef } from "./types";

/** The target record's id. Existence and access are checked by the records layer, not here. */
export const relationField: FieldTypeDef<string> = {
  type: "relation",
  parseInput(_field, raw) {
    if (raw === null || raw === undefined) return ok(null);
    if (typeof raw !== "string") return fail("expected a record id (string)");
    const s = raw.trim();
    if (s === "") return ok(null);
    return s.length <= 64 ? ok(s) : fail("not a record id");
  },
  validate: () => undefined,
  encode: (field, value) => ({ [columnOf(field)]: value }),
  decode(field, row) {
    const v = cell(field, row);
    return v === null || v === undefined ? null : textOf(v);
  },
  format: (_field, value) => value ?? "",
  operators: CHOICE_OPERATORS,
};
