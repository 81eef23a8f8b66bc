import { columnOf } from "../metadata/storage";
import { BOOLEAN_OPERATORS, cell, fail, ok } from "./common";
import type { FieldTypeDef } from "./types";

export function boolFromDb(v: unknown): boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean") return v;
  if (typeof v === "number" || typeof v === "bigint") return Number(v) !== 0;
  if (typeof v === "string") return ["t", "true", "1"].includes(v.toLowerCase());
  throw new TypeError(`expected a boolean from the database, got ${typeof v}`);
}

export const booleanField: FieldTypeDef<boolean> = {
  type: "boolean",
  parseInput(_field, raw) {
    if (raw === null || raw === undefined) return ok(null);
    return typeof raw === "boolean" ? ok(raw) : fail("expected true or false");
  },
  validate: () => undefined,
  // SQLite has no boolean type: 0/1 in an integer column.
  encode: (field, value, dialect) => ({ [columnOf(field)]: value === null ? null : dialect === "sqlite" ? (value ? 1 : 0) : value }),
  decode: (field, row) => boolFromDb(cell(field, row)),
  format: (_field, value, locale) => (value === null ? "" : locale === "zh-CN" ? (value ? "是" : "否") : value ? "Yes" : "No"),
  operators: BOOLEAN_OPERATORS,
};
