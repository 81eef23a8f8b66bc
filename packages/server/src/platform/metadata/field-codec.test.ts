import { describe, expect, it } from "vitest";
import { decodeField, encodeField, type FieldDef } from "@revline/core";
import { decodeValue, encodeValue } from "./field-codec";

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

describe("decodeValue fast paths agree with core's decoder", () => {
  const money: FieldDef = { name: "m", type: "currency", label: L };
  const dec: FieldDef = { name: "d", type: "decimal", scale: 3, label: L };
  const dt: FieldDef = { name: "t", type: "datetime", label: L };
  const cases: [FieldDef, Record<string, unknown>][] = [
    [money, { m: 105400, m_currency: "USD" }],
    [money, { m: "105400", m_currency: "USD" }],
    [money, { m: -5, m_currency: "USD" }],
    [money, { m: 0, m_currency: "USD" }],
    [money, { m: 1000, m_currency: "JPY" }],
    [money, { m: "-1234", m_currency: "KWD" }],
    [money, { m: 7, m_currency: null }],
    [dec, { d: 12345 }],
    [dec, { d: "-1" }],
    [dec, { d: 0 }],
    [dt, { t: "2024-01-05T10:00:00.000Z" }],
    [dt, { t: "2024-01-05 10:00:00+00" }],
    [dt, { t: "2024-01-05 10:00:00.12+00" }],
    [dt, { t: "2024-01-05 10:00:00.123456+00" }],
    [{ name: "b", type: "boolean", label: L }, { b: 1 }],
    [{ name: "b", type: "boolean", label: L }, { b: false }],
    [{ name: "b", type: "boolean", label: L }, { b: null }],
    [{ name: "x", type: "date", label: L }, { x: "2024-02-29" }],
    [{ name: "i", type: "integer", label: L }, { i: "9007199254740991" }],
    [{ name: "s", type: "multi_picklist", label: L, options: [] }, { s: '["a","b"]' }],
    [{ name: "r", type: "relation", relation: { object: "account" }, label: L }, { r_id: "abc" }],
  ];
  it.each(cases)("%o %o", (field, row) => {
    expect(decodeValue(field, row, "postgres")).toEqual(decodeField(field, row, "postgres"));
    expect(decodeValue(field, row, "sqlite")).toEqual(decodeField(field, row, "sqlite"));
  });
});
