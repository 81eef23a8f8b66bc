import { describe, expect, it } from "vitest";
import type { FieldDef } from "@revline/core";
import { byGroup, fillMonths, outcomeStages, summariseRegions, winRate } from "./dashboard-data";

const usd = (amount: string) => ({ amount, currency: "USD" });

describe("outcomeStages", () => {
  it.each([
    [["Prospecting", "Engaging", "Won", "Lost"], "Won", "Lost", ["Prospecting", "Engaging"]],
    [["new", "closed_won", "Closed Lost"], "closed_won", "Closed Lost", ["new"]],
    [["a", "b"], undefined, undefined, ["a", "b"]],
  ])("%j", (values, won, lost, open) => {
    const stage = { name: "stage", type: "picklist", label: { en: "", zh: "" }, options: values.map((v) => ({ value: v, label: { en: v, zh: v } })) } as FieldDef;
    expect(outcomeStages(stage)).toEqual({ won, lost, open });
  });
});

describe("winRate", () => {
  it.each([
    [3, 1, 0.75],
    [0, 0, null],
    [0, 5, 0],
  ])("won %i lost %i -> %s", (won, lost, rate) => expect(winRate(won, lost)).toBe(rate));
});

describe("byGroup", () => {
  it("adds up rows that the server split per currency", () => {
    const rows = [
      { group: { stage: "Won" }, values: { count: 2, "sum:amount": usd("100.50") } },
      { group: { stage: "Won" }, values: { count: 1, "sum:amount": { amount: "10", currency: "EUR" } } },
      { group: { stage: null }, values: { count: 4, "sum:amount": null } },
    ];
    expect(byGroup(rows, "stage")).toEqual([
      { key: "Won", count: 3, sum: 110.5, currency: "EUR" },
      { key: "", count: 4, sum: 0, currency: "USD" },
    ]);
  });
});

describe("fillMonths", () => {
  it("fills the gaps between the first and last month with zeros, across a year end", () => {
    const got = fillMonths([
      { key: "2016-11", count: 1, sum: 5, currency: "USD" },
      { key: "2017-02", count: 2, sum: 7, currency: "USD" },
    ]);
    expect(got.map((b) => [b.key, b.count])).toEqual([["2016-11", 1], ["2016-12", 0], ["2017-01", 0], ["2017-02", 2]]);
  });
});

describe("summariseRegions", () => {
  it("uses the deal's region, else its owner's", () => {
    const owners = new Map([["u1", "east"], ["u2", "west"]]);
    const won = [
      { group: { region: "east", owner: "u2" }, values: { count: 1, "sum:amount": usd("100.00") } },
      { group: { region: null, owner: "u1" }, values: { count: 2, "sum:amount": usd("50.00") } },
      { group: { region: null, owner: "u2" }, values: { count: 1, "sum:amount": usd("20.00") } },
    ];
    const lost = [{ group: { region: null, owner: "u1" }, values: { count: 1 } }];
    // east: won 1 + 2 = 3 deals, 150.00; lost 1 -> 75 %. west: won 1, 20.00, no lost -> 100 %.
    expect(summariseRegions(won, lost, owners)).toEqual([
      { key: "east", won: 3, lost: 1, wonSum: 150, rate: 0.75 },
      { key: "west", won: 1, lost: 0, wonSum: 20, rate: 1 },
    ]);
  });
});
