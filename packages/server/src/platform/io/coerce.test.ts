import { describe, expect, it } from "vitest";
import type { FieldDef } from "@revline/core";
import { coerceCell } from "./coerce";
import { parseLenientDate, formatDate } from "./lenient-date";
import { parseLenientNumber } from "./lenient-number";
import { matchKey } from "./normalize";

const L = (en: string, zh = en) => ({ en, zh });
const field = (type: FieldDef["type"], extra: Partial<FieldDef> = {}): FieldDef => ({ name: "f", type, label: L("F"), ...extra });

describe("numbers", () => {
  it.each([
    ["1,234,567.89", "1234567.89", undefined],
    ["1.234.567,89", "1234567.89", undefined],
    ["12,5", "12.5", undefined],
    ["1,250", "1250", undefined],
    ["１２，３４５．６", "12345.6", undefined],
    ["¥1,000", "1000", "CNY"],
    ["￥1,000.50", "1000.5", "CNY"],
    ["$ 99.99", "99.99", "USD"],
    ["-$5", "-5", "USD"],
    ["(1,234)", "-1234", undefined],
    ["($1,234.50)", "-1234.5", "USD"],
    ["€3.000,00", "3000", "EUR"],
    ["£7", "7", "GBP"],
    ["USD 1,054", "1054", "USD"],
    ["1054 eur", "1054", "EUR"],
    ["1.5万", "15000", undefined],
    ["2亿元", "200000000", "CNY"],
    ["1 234 567", "1234567", undefined],
    [".5", "0.5", undefined],
    ["−7", "-7", undefined],
  ])("%s -> %s %s", (raw, value, currency) => {
    const r = parseLenientNumber(raw);
    expect(r.ok && r.number.value).toBe(value);
    expect(r.ok && r.number.currency).toBe(currency);
  });
  it.each(["abc", "1,23,4", "1.2.3", "12abc", "XYZ 5", "$5 EUR"])("rejects %s", (raw) => {
    expect(parseLenientNumber(raw).ok).toBe(false);
  });
  it("keeps numbers exact", () => {
    expect(parseLenientNumber(0.1).ok && (parseLenientNumber(0.1) as { number: { value: string } }).number.value).toBe("0.1");
  });
});

describe("dates", () => {
  const d = (raw: string | number | Date, order?: "dmy" | "mdy" | "ymd") => {
    const r = parseLenientDate(raw, order);
    return r.ok ? formatDate(r.parts) : `error: ${r.reason}`;
  };
  it.each([
    ["2024-01-05", "2024-01-05"],
    ["2024/1/5", "2024-01-05"],
    ["2024.1.5", "2024-01-05"],
    ["2024年1月5日", "2024-01-05"],
    ["２０２４年１月５日", "2024-01-05"],
    ["20240105", "2024-01-05"],
    ["45296", "2024-01-05"],
    ["25/12/2024", "2024-12-25"],
    ["12/25/2024", "2024-12-25"],
    ["07/07/24", "2024-07-07"],
    ["5 Jan 2024", "2024-01-05"],
    ["05-Jan-2024", "2024-01-05"],
    ["January 5, 2024", "2024-01-05"],
    ["2024-01-05T23:30:00Z", "2024-01-05"],
  ])("%s -> %s", (raw, want) => expect(d(raw)).toBe(want));
  it("reads Excel serials, including the 1900 leap-year bug", () => {
    expect(d(45296)).toBe("2024-01-05");
    expect(d(1)).toBe("1900-01-01");
    expect(d(61)).toBe("1900-03-01");
    expect(d(45296.75)).toBe("2024-01-05");
  });
  it("rejects ambiguous day/month unless an order is given", () => {
    expect(d("05/01/2024")).toMatch(/ambiguous/);
    expect(d("05/01/2024", "dmy")).toBe("2024-01-05");
    expect(d("05/01/2024", "mdy")).toBe("2024-05-01");
    expect(d("24/01/05", "ymd")).toBe("2024-01-05");
    expect(d("13/01/2024", "mdy")).toMatch(/not a valid date/);
  });
  it.each(["2024-02-30", "2023-13-01", "hello", "2024", "1/2"])("rejects %s", (raw) => expect(d(raw)).toMatch(/^error/));
  it("datetimes without a zone are UTC; offsets convert", () => {
    expect(coerceCell(field("datetime"), "2024-01-05 10:30")).toEqual({ ok: true, value: "2024-01-05T10:30:00.000Z" });
    expect(coerceCell(field("datetime"), "2024-01-05T10:30:00+08:00")).toEqual({ ok: true, value: "2024-01-05T02:30:00.000Z" });
    expect(coerceCell(field("datetime"), new Date(Date.UTC(2024, 0, 5, 9)))).toEqual({ ok: true, value: "2024-01-05T09:00:00.000Z" });
  });
});

describe("coerceCell", () => {
  const stage = field("picklist", { options: [{ value: "won", label: L("Won", "赢单") }, { value: "lost", label: L("Lost", "输单") }] });
  it.each([
    ["yes", true], ["No", false], ["TRUE", true], ["false", false], ["是", true], ["否", false], ["1", true], ["0", false], ["y", true], ["N", false], ["ｙｅｓ", true],
  ])("boolean %s", (raw, want) => expect(coerceCell(field("boolean"), raw)).toEqual({ ok: true, value: want }));
  it("rejects other booleans", () => expect(coerceCell(field("boolean"), "maybe").ok).toBe(false));
  it("picklists match value or label, any case", () => {
    expect(coerceCell(stage, "WON")).toEqual({ ok: true, value: "won" });
    expect(coerceCell(stage, "赢单")).toEqual({ ok: true, value: "won" });
    expect(coerceCell(stage, " lost ")).toEqual({ ok: true, value: "lost" });
    const bad = coerceCell(stage, "draw");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/not an option/);
  });
  it("multi-picklists split on , ; | 、", () => {
    const tags = field("multi_picklist", { options: [{ value: "a", label: L("Alpha", "甲") }, { value: "b", label: L("Beta", "乙") }] });
    expect(coerceCell(tags, "alpha；乙、a")).toEqual({ ok: true, value: ["a", "b"] });
    expect(coerceCell(tags, "")).toEqual({ ok: true, value: [] });
  });
  it("integers must be whole", () => {
    expect(coerceCell(field("integer"), "2,822")).toEqual({ ok: true, value: 2822 });
    expect(coerceCell(field("integer"), "2.5").ok).toBe(false);
    expect(coerceCell(field("integer"), 12)).toEqual({ ok: true, value: 12 });
  });
  it("currency: symbol, column currency, scale", () => {
    const amount = field("currency", { currency: "USD" });
    expect(coerceCell(amount, "¥1,000")).toEqual({ ok: true, value: { amount: "1000", currency: "CNY" } });
    expect(coerceCell(amount, "1100.04", { scale: 1000000, currency: "USD" })).toEqual({ ok: true, value: { amount: "1100040000", currency: "USD" } });
    expect(coerceCell(amount, "1,054")).toEqual({ ok: true, value: { amount: "1054", currency: "USD" } });
    expect(coerceCell(amount, "€5", { currency: "USD" }).ok).toBe(false);
  });
  it("currency without the field default (a <field>_currency column gives it): a bare amount stays bare", () => {
    const amount = field("currency", { currency: "USD" });
    expect(coerceCell(amount, "100", { defaultCurrency: false })).toEqual({ ok: true, value: "100" });
    expect(coerceCell(amount, "€100", { defaultCurrency: false })).toEqual({ ok: true, value: { amount: "100", currency: "EUR" } });
  });
  it("percent accepts a % sign, decimals do not", () => {
    expect(coerceCell(field("percent"), "12.5%")).toEqual({ ok: true, value: "12.5" });
    expect(coerceCell(field("decimal"), "12.5%").ok).toBe(false);
  });
  it("text is trimmed, phones are width-folded, numbers stay whole", () => {
    expect(coerceCell(field("text"), "  Acme ")).toEqual({ ok: true, value: "Acme" });
    expect(coerceCell(field("phone"), "１３８００１３８０００")).toEqual({ ok: true, value: "13800138000" });
    expect(coerceCell(field("phone"), 13800138000)).toEqual({ ok: true, value: "13800138000" });
    expect(coerceCell(field("text"), "   ")).toEqual({ ok: true, value: null });
  });
});

describe("matchKey", () => {
  it("ignores case, width and whitespace", () => {
    expect(matchKey("GTXPro")).toBe(matchKey("GTX Pro"));
    expect(matchKey("ＧＴＸ　Ｐｒｏ")).toBe(matchKey("gtx pro"));
    expect(matchKey("北京 字节")).toBe(matchKey("北京字节"));
  });
});

describe("plain numbers take the fast path with the same results", () => {
  it.each([
    ["1.500", "1.5"],
    ["007", "7"],
    ["-0", "0"],
    ["10.0", "10"],
    ["123", "123"],
    ["-4.25", "-4.25"],
  ])("%s -> %s", (raw, want) => {
    const r = parseLenientNumber(raw);
    expect(r.ok && r.number.value).toBe(want);
  });
});
