import { columnOf } from "../metadata/storage";
import { cell, checkRange, fail, intFromDb, NUMBER_OPERATORS, ok } from "./common";
import type { FieldTypeDef } from "./types";

export const integerField: FieldTypeDef<number> = {
  type: "integer",
  parseInput(_field, raw) {
    if (raw === null || raw === undefined) return ok(null);
    if (typeof raw !== "number" || !Number.isFinite(raw)) return fail("expected a number");
    if (!Number.isInteger(raw)) return fail("expected a whole number");
    if (!Number.isSafeInteger(raw)) return fail(`out of range (at most ${Number.MAX_SAFE_INTEGER} in absolute value)`);
    return ok(raw);
  },
  validate: (field, value) => checkRange(field, value),
  encode: (field, value) => ({ [columnOf(field)]: value }),
  decode(field, row) {
    const v = intFromDb(cell(field, row));
    return v === undefined ? null : Number(v);
  },
  format: (_field, value, locale) => (value === null ? "" : new Intl.NumberFormat(locale).format(value)),
  operators: NUMBER_OPERATORS,
};
