/**
 * How a field is stored: the storage contract shared by schema sync (DDL), the records layer
 * (encode/decode) and the condition compiler. One place, so that the three never disagree.
 *
 * table: obj_<object>
 * column(s) per field type:
 *   text, long_text, email, phone, url, picklist -> <name> text
 *   multi_picklist -> <name> text holding a JSON array of option values, sorted as the options are
 *   integer        -> <name> bigint
 *   decimal, percent -> <name> bigint holding value * 10^scale (exact; scale default 2)
 *   currency       -> <name> bigint (minor units at the currency's scale) + <name>_currency text (ISO 4217)
 *   boolean        -> <name> boolean (SQLite: integer 0/1)
 *   date           -> <name> date (SQLite: text YYYY-MM-DD)
 *   datetime       -> <name> timestamptz (SQLite: text ISO 8601 UTC with milliseconds, "...Z")
 *   relation       -> <name>_id text (the target record id)
 * system columns: id text primary key (UUIDv7), created_at/updated_at/deleted_at datetime,
 *   created_by/updated_by text (user id or "system"), version bigint.
 */
import type { FieldDef } from "./types";

export const tableName = (objectName: string) => `obj_${objectName}`;

/** The main column of a field (the one filters and sorts use). */
export function columnOf(field: FieldDef): string {
  if (field.type === "relation" && !field.isSystem) return `${field.name}_id`;
  return field.name;
}

/** Every column a field occupies, main column first. */
export function columnsOf(field: FieldDef): string[] {
  if (field.type === "currency") return [field.name, `${field.name}_currency`];
  return [columnOf(field)];
}

export const DEFAULT_DECIMAL_SCALE = 2;
export function scaleOf(field: FieldDef): number {
  return field.scale ?? DEFAULT_DECIMAL_SCALE;
}

/** Field names must be safe SQL identifiers and API keys. */
export const IDENTIFIER_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
