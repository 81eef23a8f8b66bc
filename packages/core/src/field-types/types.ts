import type { Operator } from "../conditions/types";
import type { FieldDef, FieldType, Locale } from "../metadata/types";
import type { Money } from "../money/money";

/** The two databases Revline runs on. */
export type Dialect = "sqlite" | "postgres";

export type ParseResult<V> = { ok: true; value: V } | { ok: false; reason: string };

/** A database row (or the part of it a field occupies), keyed by column name. */
export type StorageRow = Record<string, unknown>;

/** API value form per field type (null = not set; multi_picklist uses [] instead of null). */
export type FieldValueMap = {
  text: string; long_text: string; email: string; phone: string; url: string;
  integer: number; decimal: number; percent: number; currency: Money; boolean: boolean;
  date: string; datetime: string; picklist: string; multi_picklist: string[]; relation: string;
};

export type FormatOptions = { /** IANA zone for datetime display; default UTC. */ timeZone?: string };

/** Everything the platform knows about one field type. Pure: no I/O. */
export type FieldTypeDef<V> = {
  type: FieldType;
  /** Strict API input -> canonical API value. A wrong JSON type is an error, never coerced. null -> empty value. */
  parseInput(field: FieldDef, raw: unknown): ParseResult<V | null>;
  /** Constraints of a parsed, non-empty value (validation, options). Returns a reason, or undefined when fine. */
  validate(field: FieldDef, value: V): string | undefined;
  /** API value -> storage columns (see metadata/storage.ts). */
  encode(field: FieldDef, value: V | null, dialect: Dialect): StorageRow;
  /** Storage columns of a row -> API value. Accepts pg strings for int8/numeric/date/timestamptz. */
  decode(field: FieldDef, row: StorageRow, dialect: Dialect): V | null;
  /** Display text; "" for an empty value. */
  format(field: FieldDef, value: V | null, locale: Locale, options?: FormatOptions): string;
  /** Condition operators this type supports. */
  operators: readonly Operator[];
};

export type AnyFieldTypeDef = { [K in FieldType]: FieldTypeDef<FieldValueMap[K]> }[FieldType];
