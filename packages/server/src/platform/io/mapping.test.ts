import { describe, expect, it } from "vitest";
import type { ObjectDef } from "@revline/core";
import { planImport } from "./mapping";

// A currency field as the sales module declares opportunity.amount.
const deal: ObjectDef = {
  name: "deal",
  label: { en: "Deal", zh: "交易" },
  labelPlural: { en: "Deals", zh: "交易" },
  nameField: "name",
  fields: [
    { name: "name", type: "text", label: { en: "Name", zh: "名称" } },
    { name: "amount", type: "currency", currency: "USD", label: { en: "Amount", zh: "金额" } },
  ],
};

describe("automatic mapping of currency columns", () => {
  it.each([
    [["name", "amount", "amount_currency"], "amount_currency"],
    [["Name", "Amount", "Amount currency"], "Amount currency"],
    // The labelled export (header=label) writes these; they must come back on import.
    [["Name", "Amount", "Amount (currency)"], "Amount (currency)"],
    [["名称", "金额", "金额 (币种)"], "金额 (币种)"],
    [["名称", "金额", "金额（币种）"], "金额（币种）"],
  ])("%j maps %s to the amount's currency", (columns, currencyHeader) => {
    const plan = planImport(deal, columns);
    expect(plan.mapping[currencyHeader]).toBe("amount_currency");
    expect(plan.mapping[columns[1]!]).toBe("amount");
    expect(plan.unmapped).toEqual([]);
  });

  it("leaves a column that only looks similar unmapped", () => {
    const plan = planImport(deal, ["name", "amount", "currency notes"]);
    expect(plan.unmapped).toEqual(["currency notes"]);
  });
});
