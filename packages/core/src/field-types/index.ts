/**
 * Field types: one file per type, gathered in a typed registry. Records, import, access and the
 * web all go through these helpers so a value means the same thing everywhere.
 */
import type { Operator } from "../conditions/types";
import type { FieldDef, FieldType, Locale } from "../metadata/types";
import { booleanField } from "./boolean";
import { currencyField } from "./currency";
import { dateField } from "./date";
import { datetimeField } from "./datetime";
import { decimalField } from "./decimal";
import { emailField } from "./email";
import { integerField } from "./integer";
import { longTextField } from "./long-text";
import { multiPicklistField } from "./multi-picklist";
import { percentField } from "./percent";
import { phoneField } from "./phone";
import { picklistField } from "./picklist";
import { relationField } from "./relation";
import { textField } from "./text";
import type { Dialect, FieldTypeDef, FieldValueMap, FormatOptions, ParseResult, StorageRow } from "./types";
import { urlField } from "./url";

export * from "./types";
export { maskValue, maskPersonName, maskPhone, maskEmail, maskText, maskAmountRange } from "./mask";
export { isIsoDate, dateFromDb } from "./date";
export { normalizeDatetime, datetimeFromDb } from "./datetime";
export { boolFromDb } from "./boolean";
export { defaultCurrencyOf, MAX_MINOR_UNITS, singleScaleOf } from "./currency";
export { sortByOptions } from "./multi-picklist";
export { optionLabel } from "./picklist";

export const FIELD_TYPES: { readonly [K in FieldType]: FieldTypeDef<FieldValueMap[K]> } = {
  text: textField,
  long_text: longTextField,
  email: emailField,
  phone: phoneField,
  url: urlField,
  integer: integerField,
  decimal: decimalField,
  percent: percentField,
  currency: currencyField,
  boolean: booleanField,
  date: dateField,
  datetime: datetimeField,
  picklist: picklistField,
  multi_picklist: multiPicklistField,
  relation: relationField,
};

export const FIELD_TYPE_NAMES = Object.keys(FIELD_TYPES) as FieldType[];

export function fieldTypeOf(field: FieldDef): FieldTypeDef<unknown> {
  const t = FIELD_TYPES[field.type] as FieldTypeDef<unknown> | undefined;
  if (!t) throw new TypeError(`unknown field type ${String(field.type)}`);
  return t;
}

/** Strict API input -> canonical value (or the reason it is wrong). */
export const parseFieldInput = (field: FieldDef, raw: unknown): ParseResult<unknown> => fieldTypeOf(field).parseInput(field, raw);

/** True for the "no value" forms: null, "" and []. `required` fields reject these. */
export function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
}

/** Constraint check of a parsed value; empty values pass (required is the caller's check). */
export function validateFieldValue(field: FieldDef, value: unknown): string | undefined {
  if (isEmptyValue(value)) return undefined;
  return fieldTypeOf(field).validate(field, value);
}

/** parseInput then validate: the usual path for API writes. */
export function parseAndValidate(field: FieldDef, raw: unknown): ParseResult<unknown> {
  const parsed = parseFieldInput(field, raw);
  if (!parsed.ok) return parsed;
  const reason = validateFieldValue(field, parsed.value);
  return reason === undefined ? parsed : { ok: false, reason };
}

export const encodeField = (field: FieldDef, value: unknown, dialect: Dialect): StorageRow =>
  fieldTypeOf(field).encode(field, isEmptyValue(value) && field.type !== "text" && field.type !== "long_text" ? null : value, dialect);

export const decodeField = (field: FieldDef, row: StorageRow, dialect: Dialect): unknown => fieldTypeOf(field).decode(field, row, dialect);

export const formatField = (field: FieldDef, value: unknown, locale: Locale, options?: FormatOptions): string =>
  fieldTypeOf(field).format(field, value ?? null, locale, options);

export const operatorsFor = (field: FieldDef): readonly Operator[] => fieldTypeOf(field).operators;
