/**
 * The one condition language (ARCHITECTURE.md "Conditions"): list filters, permission rules,
 * automation triggers, assignment and contract rules. Compiled to SQL by the server
 * (platform/records) and evaluated in memory here, with identical results.
 */
export type ActorVariable = { $actor: string }; // e.g. { "$actor": "id" } | "region" | "team" | "teams" (subtree ids)
export type ScalarValue = string | number | boolean | null;
export type ConditionValue = ScalarValue | ScalarValue[] | ActorVariable | RelativeDate | { from?: ScalarValue; to?: ScalarValue };

export type RelativeDateUnit = "day" | "week" | "month" | "quarter" | "year";
/** For in_last / in_next: { "amount": 30, "unit": "day" }. */
export type RelativeDate = { amount: number; unit: RelativeDateUnit };

export type Operator =
  | "eq" | "ne"
  | "lt" | "lte" | "gt" | "gte"
  | "between" // value { from, to }, inclusive; either end optional
  | "in" | "nin" // value: array
  | "contains" | "not_contains" | "starts_with" | "ends_with" // text, case-insensitive
  | "is_empty" | "is_not_empty" // no value
  | "in_last" | "in_next" // date/datetime, value RelativeDate, relative to the evaluation clock
  | "today" | "this_week" | "this_month" | "this_quarter" | "this_year" // date/datetime, no value
  | "has_any" | "has_all"; // multi_picklist, value: array

export type Leaf = { field: string; op: Operator; value?: ConditionValue };
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Leaf;
