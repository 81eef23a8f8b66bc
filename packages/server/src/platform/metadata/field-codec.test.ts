import { describe, expect, it } from "vitest";
import { encodeField, type FieldDef } from "@revline/core";
import { encodeValue } from "./field-codec";

const L = { en: "x", zh: "x" };
describe("encodeValue fast paths agree with core's encoder", () => {
  const money: FieldDef = { name: "m", type: "currency", label: L };
  const dec: FieldDef = { name: "d", type: "decimal", scale: 3, label: L };
  const pct: FieldDef = { name: "p", type: "percent", label: L };
  it.each([
    [money, { amount: "1054.00", currency: "USD" }],
    [money, { amount: "-0.05", currency: "USD" }],
    [money, { amount: "1000", currency: "JPY" }],
    [money, { amount: "1.234", currency: "KWD" }],
    [money, { amount: "8999999999999.99", currency: "USD" }],
    [dec, 12.345],
    [dec, -0.001],
    [dec, 7],
    [dec, 1e-3],
    [pct, 99.99],
    [pct, 0],
  ])("%o %o", (field, value) => {
    const core = encodeField(field, value, "sqlite");
    expect(encodeValue(field, value, "sqlite")).toEqual(Object.values(core));
  });
});
