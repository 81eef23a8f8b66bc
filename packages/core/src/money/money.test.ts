import { describe, expect, it } from "vitest";
import { addMoney, compareMoney, currencyScale, fromMinor, multiplyMoney, normalizeAmount, percentOf, subtractMoney, sumMoney, toMinor, type RoundingMode } from "./index";

describe("currencyScale", () => {
  it.each([
    ["USD", 2], ["CNY", 2], ["EUR", 2], ["JPY", 0], ["KRW", 0], ["KWD", 3], ["BHD", 3], ["CLF", 4], ["XYZ", 2],
  ])("%s -> %i", (code, scale) => expect(currencyScale(code)).toBe(scale));
});

describe("toMinor", () => {
  it.each<[string | number, string, RoundingMode | undefined, bigint]>([
    ["1054", "USD", undefined, 105400n],
    ["1054.5", "USD", undefined, 105450n],
    [1054.05, "USD", undefined, 105405n],
    [0.1, "USD", undefined, 10n],
    ["-0.01", "CNY", undefined, -1n],
    ["500", "JPY", undefined, 500n],
    ["1.234", "KWD", undefined, 1234n],
    ["92233720368547.75", "USD", undefined, 9223372036854775n],
    ["10.005", "USD", "half_up", 1001n],
    ["10.005", "USD", "half_even", 1000n],
    ["10.015", "USD", "half_even", 1002n],
    ["10.009", "USD", "down", 1000n],
    ["-10.005", "USD", "half_up", -1001n],
    ["-10.001", "USD", "floor", -1001n],
    ["99.5", "JPY", "half_up", 100n],
  ])("%s %s %s -> %s", (amount, cur, mode, minor) => expect(toMinor(amount, cur, mode)).toBe(minor));

  it.each([
    ["10.005", "USD"], ["1.5", "JPY"], ["abc", "USD"], ["1e3", "USD"], ["1,000", "USD"], ["", "USD"], ["1", "usd"],
  ])("rejects %j %s", (amount, cur) => expect(() => toMinor(amount, cur)).toThrow());
  it("rejects NaN", () => expect(() => toMinor(Number.NaN, "USD")).toThrow());
});

describe("fromMinor", () => {
  it.each<[bigint | number | string, string, string]>([
    [105400n, "USD", "1054.00"],
    [105405, "USD", "1054.05"],
    ["-1", "CNY", "-0.01"],
    [0, "USD", "0.00"],
    [500, "JPY", "500"],
    [1234, "KWD", "1.234"],
    ["9223372036854775807", "USD", "92233720368547758.07"],
  ])("%s %s -> %s", (minor, cur, amount) => expect(fromMinor(minor, cur)).toBe(amount));
  it("rejects a fraction", () => expect(() => fromMinor("1.5", "USD")).toThrow());
});

describe("arithmetic", () => {
  const usd = (amount: string) => ({ amount, currency: "USD" });
  it("adds and subtracts exactly", () => {
    expect(addMoney(usd("0.10"), usd("0.20"))).toEqual(usd("0.30"));
    expect(subtractMoney(usd("1.00"), usd("0.99"))).toEqual(usd("0.01"));
    expect(sumMoney([usd("0.10"), usd("0.20"), usd("0.30")], "USD")).toEqual(usd("0.60"));
    expect(sumMoney([], "JPY")).toEqual({ amount: "0", currency: "JPY" });
  });
  it("refuses to mix currencies", () => expect(() => addMoney(usd("1.00"), { amount: "1", currency: "JPY" })).toThrow(/USD with JPY/));
  it.each<[string, string, RoundingMode | undefined, string]>([
    ["19.99", "3", undefined, "59.97"],
    ["10.00", "0.333", undefined, "3.33"], // 3.33
    ["10.05", "0.5", undefined, "5.03"], // 5.025 -> half up
    ["10.05", "0.5", "half_even", "5.02"], // 5.025 -> even
    ["-10.05", "0.5", undefined, "-5.03"], // half up is away from zero
    ["2.50", "1.5", "down", "3.75"],
  ])("%s * %s (%s) = %s", (a, f, mode, out) => expect(multiplyMoney(usd(a), f, mode)).toEqual(usd(out)));
  it.each<[string, string, string]>([
    ["100.00", "12.5", "12.50"],
    ["99.99", "15", "15.00"], // 14.9985 -> 15.00
    ["33.33", "10", "3.33"], // 3.333
    ["0.05", "50", "0.03"], // 0.025 -> 0.03
  ])("%s%% of %s", (a, pct, out) => expect(percentOf(usd(a), pct)).toEqual(usd(out)));
  it("percent in JPY rounds to whole yen", () => expect(percentOf({ amount: "1005", currency: "JPY" }, "10")).toEqual({ amount: "101", currency: "JPY" }));
  it("normalizes and compares", () => {
    expect(normalizeAmount("1054.5", "USD")).toBe("1054.50");
    expect(compareMoney(usd("1.10"), usd("1.1"))).toBe(0);
    expect(compareMoney(usd("-1"), usd("0"))).toBe(-1);
  });
});
