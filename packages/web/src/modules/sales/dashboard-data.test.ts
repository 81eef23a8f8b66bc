import { describe, expect, it } from "vitest";
import type { FieldDef } from "@revline/core";
import { byGroup, excludedCurrencies, fillMonths, outcomeStages, reportingCurrency, summariseRegions, sumsByCurrency, winRate, type Bucket } from "./dashboard-data";

const usd = (amount: string) => ({ amount, currency: "USD" });
const cny = (amount: string) => ({ amount, currency: "CNY" });
const month = (key: string, count: number, sum = 0): Bucket => ({ key, count, sum, moneyCount: count, currency: "USD" });

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
  it("counts every deal but sums only the reporting currency", () => {
    const rows = [
      { group: { stage: "Won", amount_currency: "USD" }, values: { count: 2, "sum:amount": usd("100.50") } },
      { group: { stage: "Won", amount_currency: "EUR" }, values: { count: 1, "sum:amount": { amount: "10", currency: "EUR" } } },
      { group: { stage: "Won", amount_currency: null }, values: { count: 1, "sum:amount": null } },
      { group: { stage: null, amount_currency: null }, values: { count: 4, "sum:amount": null } },
    ];
    // Won: 2 + 1 + 1 = 4 deals; USD sum 100.50 from 2 deals (the EUR 10 is left out, not added).
    expect(byGroup(rows, "stage", "USD")).toEqual([
      { key: "Won", count: 4, sum: 100.5, moneyCount: 2, currency: "USD" },
      { key: "", count: 4, sum: 0, moneyCount: 0, currency: "USD" },
    ]);
  });
});

describe("currencies", () => {
  // The newcomer's case: a 120,000 CNY deal beside USD deals must never read as $165K.
  const rows = [
    { group: { stage: "Won", amount_currency: "USD" }, values: { count: 2, "sum:amount": usd("45000.00") } },
    { group: { stage: "Won", amount_currency: "CNY" }, values: { count: 1, "sum:amount": cny("120000.00") } },
    { group: { stage: "Lost", amount_currency: "USD" }, values: { count: 3, "sum:amount": usd("30000.00") } },
    { group: { stage: "Lost", amount_currency: null }, values: { count: 7, "sum:amount": null } },
  ];

  it("reports in the currency with the most deals", () => {
    // USD 2 + 3 = 5 deals, CNY 1; the 7 without an amount have no currency.
    expect(reportingCurrency(rows)).toBe("USD");
    expect(reportingCurrency([rows[1]!])).toBe("CNY");
    expect(reportingCurrency([])).toBe("USD");
  });

  it("sums per currency, most deals first", () => {
    expect(sumsByCurrency(rows)).toEqual([
      { currency: "USD", count: 5, sum: 75000 },
      { currency: "CNY", count: 1, sum: 120000 },
    ]);
    expect(excludedCurrencies(rows, "USD")).toEqual([{ currency: "CNY", count: 1, sum: 120000 }]);
    expect(excludedCurrencies(rows.slice(2), "USD")).toEqual([]);
  });

  it("keeps won revenue in USD only", () => {
    const won = byGroup(rows, "stage", "USD").find((b) => b.key === "Won");
    // 45,000 USD from 2 deals; the CNY deal is counted (3 won) but not summed. Average 22,500.
    expect(won).toEqual({ key: "Won", count: 3, sum: 45000, moneyCount: 2, currency: "USD" });
    expect(won!.sum / won!.moneyCount).toBe(22500);
  });
});

describe("fillMonths", () => {
  it("fills the gaps between the first and last month with zeros, across a year end", () => {
    const got = fillMonths([month("2016-11", 1, 5), month("2017-02", 2, 7)]);
    expect(got.map((b) => [b.key, b.count])).toEqual([["2016-11", 1], ["2016-12", 0], ["2017-01", 0], ["2017-02", 2]]);
  });

  it("shows at most the last 24 months, starting at the first of them with data", () => {
    // 2017-01 .. 2017-12 data and a lone 2024-03 deal: the window 2022-04 .. 2024-03 holds data only in 2024-03.
    const got = fillMonths([...Array.from({ length: 12 }, (_, i) => month(`2017-${String(i + 1).padStart(2, "0")}`, 1, 10)), month("2024-03", 1, 99)]);
    expect(got.map((b) => b.key)).toEqual(["2024-03"]);
  });

  it("cuts a long run to its last 24 months", () => {
    // 2020-01 .. 2022-12 is 36 months; the last 24 are 2021-01 .. 2022-12.
    const all = Array.from({ length: 36 }, (_, i) => month(`${2020 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`, i + 1));
    const got = fillMonths(all);
    expect(got).toHaveLength(24);
    expect(got[0]!.key).toBe("2021-01");
    expect(got[0]!.count).toBe(13);
    expect(got[23]!.key).toBe("2022-12");
  });

  it("keeps a gap inside the window as zero", () => {
    // 2023-01 and 2024-12 are 24 months apart inclusive: all shown, the 22 between as zero.
    const got = fillMonths([month("2023-01", 1), month("2024-12", 2)]);
    expect(got).toHaveLength(24);
    expect(got.filter((b) => b.count === 0)).toHaveLength(22);
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

  it("counts a deal in another currency but leaves its amount out", () => {
    const won = [
      { group: { region: "east", owner: "u1", amount_currency: "USD" }, values: { count: 1, "sum:amount": usd("100.00") } },
      { group: { region: "east", owner: "u1", amount_currency: "CNY" }, values: { count: 1, "sum:amount": cny("120000.00") } },
    ];
    // east: 2 won, 0 lost -> 100 %; won revenue 100 USD, not 120,100.
    expect(summariseRegions(won, [], new Map(), "USD")).toEqual([{ key: "east", won: 2, lost: 0, wonSum: 100, rate: 1 }]);
  });
});
