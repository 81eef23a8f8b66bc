import { describe, expect, it } from "vitest";
import { formatSort, parseSort } from "./sort-param";
import { changedValues } from "./record-values";

describe("sort parameter", () => {
  it.each([
    ["-amount,name", [{ field: "amount", desc: true }, { field: "name", desc: false }]],
    ["", []],
    [" close_date , -stage ", [{ field: "close_date", desc: false }, { field: "stage", desc: true }]],
  ])("%j round-trips", (s, items) => {
    expect(parseSort(s)).toEqual(items);
    expect(formatSort(items)).toBe(s.replace(/\s/g, ""));
  });
});

describe("changedValues", () => {
  it("sends only what changed, with cleared values as null", () => {
    const before = { name: "A", amount: { amount: "10.00", currency: "USD" }, stage: "Won", next_step: "call" };
    const after = { name: "A", amount: { amount: "12.00", currency: "USD" }, stage: "Won", next_step: undefined };
    expect(changedValues(before, after)).toEqual({ amount: { amount: "12.00", currency: "USD" }, next_step: null });
  });
});
