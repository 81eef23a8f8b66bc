/**
 * Pure conversion between the condition language (core Condition) and react-querybuilder's
 * RuleGroupType, so the builder edits real conditions. Groups map to all/any (+ not), rules to
 * leaves. Rules the user has not finished (no field, or no value where the operator needs one)
 * are left out of the condition; single-child groups collapse to their child.
 */
import type { Condition, ConditionValue, Leaf, Operator } from "@revline/core";
import type { RuleGroupType, RuleType } from "react-querybuilder";

export const NO_VALUE_OPERATORS: readonly Operator[] = ["is_empty", "is_not_empty", "today", "this_week", "this_month", "this_quarter", "this_year"];
export const LIST_OPERATORS: readonly Operator[] = ["in", "nin", "has_any", "has_all"];

const isGroup = (x: RuleType | RuleGroupType | string): x is RuleGroupType => typeof x === "object" && "rules" in x;

function ruleFromLeaf(leaf: Leaf): RuleType {
  let value: unknown = leaf.value;
  if (leaf.op === "between" && value && typeof value === "object" && !Array.isArray(value)) {
    const r = value as { from?: unknown; to?: unknown };
    value = [r.from ?? null, r.to ?? null];
  }
  return { field: leaf.field, operator: leaf.op, value: NO_VALUE_OPERATORS.includes(leaf.op) ? null : value };
}

function groupOf(cond: Condition, not = false): RuleGroupType {
  if ("all" in cond || "any" in cond) {
    const list = "all" in cond ? cond.all : cond.any;
    return { combinator: "all" in cond ? "and" : "or", not, rules: list.map(ruleOrGroup) };
  }
  if ("not" in cond) return not ? { combinator: "and", not: true, rules: [groupOf(cond.not, true)] } : groupOf(cond.not, true);
  return { combinator: "and", not, rules: [ruleFromLeaf(cond)] };
}

function ruleOrGroup(cond: Condition): RuleType | RuleGroupType {
  return "field" in cond ? ruleFromLeaf(cond) : groupOf(cond);
}

/** Condition (or none) -> a query for <QueryBuilder query=...>. */
export function queryFromCondition(cond: Condition | undefined): RuleGroupType {
  if (!cond) return { combinator: "and", rules: [] };
  return groupOf(cond);
}

const blank = (v: unknown) => v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);

function leafFromRule(rule: RuleType): Leaf | undefined {
  const op = rule.operator as Operator;
  if (!rule.field) return undefined;
  if (NO_VALUE_OPERATORS.includes(op)) return { field: rule.field, op };
  let value: unknown = rule.value;
  if (op === "between") {
    const pair: unknown[] = Array.isArray(value) ? (value as unknown[]) : typeof value === "string" ? value.split(",") : [];
    const [from, to] = pair;
    if (blank(from) && blank(to)) return undefined;
    value = { ...(blank(from) ? {} : { from }), ...(blank(to) ? {} : { to }) };
  } else if (LIST_OPERATORS.includes(op) && typeof value === "string") {
    value = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  }
  if (blank(value)) return undefined;
  if ((op === "in_last" || op === "in_next") && (typeof value !== "object" || blank((value as { amount?: unknown }).amount))) return undefined;
  return { field: rule.field, op, value: value as ConditionValue };
}

function conditionOfGroup(group: RuleGroupType): Condition | undefined {
  const parts = group.rules
    .map((r) => (typeof r === "string" ? undefined : isGroup(r) ? conditionOfGroup(r) : leafFromRule(r)))
    .filter((c): c is Condition => c !== undefined);
  if (parts.length === 0) return undefined;
  const inner: Condition = parts.length === 1 ? parts[0]! : group.combinator === "or" ? { any: parts } : { all: parts };
  return group.not ? { not: inner } : inner;
}

/** Query from the builder -> Condition, or undefined when nothing usable is left (no filter). */
export function conditionFromQuery(query: RuleGroupType): Condition | undefined {
  return conditionOfGroup(query);
}
