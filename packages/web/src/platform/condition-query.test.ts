import { describe, expect, it } from "vitest";
import type { Condition } from "@revline/core";
import type { RuleGroupType } from "react-querybuilder";
import { conditionFromQuery, queryFromCondition } from "./condition-query";

describe("condition <-> query", () => {
  const roundTrips: [string, Condition][] = [
    ["architecture example", { all: [{ field: "stage", op: "in", value: ["Engaging", "Won"] }, { field: "amount", op: "gte", value: 100000 }, { field: "account.region", op: "eq", value: { $actor: "region" } }] }],
    ["single leaf", { field: "name", op: "contains", value: "acme" }],
    ["any with nested all", { any: [{ field: "stage", op: "eq", value: "Won" }, { all: [{ field: "amount", op: "gt", value: "10.50" }, { field: "close_date", op: "this_quarter" }] }] }],
    ["not leaf", { not: { field: "owner", op: "is_empty" } }],
    ["not group", { not: { any: [{ field: "a", op: "eq", value: 1 }, { field: "b", op: "eq", value: 2 }] } }],
    ["between", { field: "close_date", op: "between", value: { from: "2024-01-01", to: "2024-03-31" } }],
    ["between open end", { field: "probability", op: "between", value: { from: 10 } }],
    ["relative date", { field: "close_date", op: "in_last", value: { amount: 30, unit: "day" } }],
  ];
  it.each(roundTrips)("round-trips %s", (_n, cond) => expect(conditionFromQuery(queryFromCondition(cond))).toEqual(cond));

  it("maps groups and rules", () => {
    expect(queryFromCondition({ not: { field: "stage", op: "in", value: ["Won"] } })).toEqual({ combinator: "and", not: true, rules: [{ field: "stage", operator: "in", value: ["Won"] }] });
    expect(queryFromCondition(undefined)).toEqual({ combinator: "and", rules: [] });
  });

  it("drops unfinished rules and empty groups", () => {
    const q: RuleGroupType = {
      combinator: "or",
      rules: [
        { field: "name", operator: "eq", value: "" },
        { field: "stage", operator: "in", value: "Won, Lost" },
        { combinator: "and", rules: [] },
        { field: "close_date", operator: "between", value: ["", ""] },
      ],
    };
    expect(conditionFromQuery(q)).toEqual({ field: "stage", op: "in", value: ["Won", "Lost"] });
    expect(conditionFromQuery({ combinator: "and", rules: [{ field: "name", operator: "eq", value: null }] })).toBeUndefined();
  });
});
