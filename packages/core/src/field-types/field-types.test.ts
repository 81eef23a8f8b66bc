import { describe, expect, it } from "vitest";
import type { FieldDef, FieldType } from "../metadata/types";
import { decodeField, encodeField, formatField, maskValue, operatorsFor, parseAndValidate, parseFieldInput, validateFieldValue, type Dialect } from "./index";

const f = (type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({ name: "x", type, label: { en: "X", zh: "X" }, ...extra });
const stage = f("picklist", {
  options: [
    { value: "Prospecting", label: { en: "Prospecting", zh: "初步接洽" } },
    { value: "Won", label: { en: "Won", zh: "赢单" } },
  ],
});
const tags = f("multi_picklist", { options: ["a", "b", "c"].map((v) => ({ value: v, label: { en: v.toUpperCase(), zh: `标签${v}` } })) });

describe("parseFieldInput", () => {
  const cases: [string, FieldDef, unknown, unknown][] = [
    ["text", f("text"), "hello", "hello"],
    ["text keeps spaces", f("text"), " a ", " a "],
    ["email trims", f("email"), " j@example.com ", "j@example.com"],
    ["email empty -> null", f("email"), "", null],
    ["phone", f("phone"), "+86 138-1234-5678", "+86 138-1234-5678"],
    ["url bare host", f("url"), "www.acme.com", "www.acme.com"],
    ["url", f("url"), "https://例子.中国/a?b=1", "https://例子.中国/a?b=1"],
    ["integer", f("integer"), 42, 42],
    ["integer negative", f("integer"), -7, -7],
    ["decimal number", f("decimal"), 10.5, 10.5],
    ["decimal string", f("decimal"), "10.25", 10.25],
    ["decimal scale 4", f("decimal", { scale: 4 }), "0.0001", 0.0001],
    ["percent", f("percent"), 12.5, 12.5],
    ["currency bare number -> default USD", f("currency"), 1054, { amount: "1054.00", currency: "USD" }],
    ["currency bare string CNY", f("currency", { currency: "CNY" }), "99.9", { amount: "99.90", currency: "CNY" }],
    ["currency object", f("currency"), { amount: "500", currency: "JPY" }, { amount: "500", currency: "JPY" }],
    ["currency object without code", f("currency", { currency: "EUR" }), { amount: 1.5 }, { amount: "1.50", currency: "EUR" }],
    ["currency null amount", f("currency"), { amount: null, currency: "USD" }, null],
    ["boolean", f("boolean"), false, false],
    ["date", f("date"), "2024-02-29", "2024-02-29"],
    ["datetime Z", f("datetime"), "2024-01-05T10:00:00Z", "2024-01-05T10:00:00.000Z"],
    ["datetime offset", f("datetime"), "2024-01-05T18:00:00+08:00", "2024-01-05T10:00:00.000Z"],
    ["datetime micros truncated", f("datetime"), "2024-01-05T10:00:00.123456Z", "2024-01-05T10:00:00.123Z"],
    ["picklist", stage, "Won", "Won"],
    ["multi sorted by options, distinct", tags, ["c", "a", "c"], ["a", "c"]],
    ["multi null -> []", tags, null, []],
    ["relation", f("relation", { relation: { object: "account" } }), "0190a1b2-0000-7000-8000-000000000001", "0190a1b2-0000-7000-8000-000000000001"],
    ["null text", f("text"), null, null],
    ["null integer", f("integer"), null, null],
    ["text with a paired surrogate (emoji)", f("text"), "deal 🚀", "deal 🚀"],
  ];
  it.each(cases)("%s", (_name, field, raw, expected) => {
    expect(parseFieldInput(field, raw)).toEqual({ ok: true, value: expected });
  });

  const errors: [string, FieldDef, unknown, string][] = [
    ["text number", f("text"), 5, "expected a string"],
    ["email", f("email"), "john@", "not a valid email"],
    ["phone letters", f("phone"), "call me", "not a valid phone"],
    ["url", f("url"), "not a url", "not a valid URL"],
    ["integer from string", f("integer"), "12", "expected a number"],
    ["integer fraction", f("integer"), 1.5, "expected a whole number"],
    ["integer unsafe", f("integer"), 2 ** 60, "out of range"],
    ["decimal abc", f("decimal"), "abc", "expected a number"],
    ["decimal boolean", f("decimal"), true, "expected a number"],
    ["decimal too many digits", f("decimal"), "1.234", "at most 2 decimal places"],
    ["currency digits", f("currency"), "10.005", "at most 2 decimal places for USD"],
    ["currency JPY fraction", f("currency"), { amount: "1.5", currency: "JPY" }, "at most 0 decimal places for JPY"],
    ["currency code", f("currency"), { amount: "1", currency: "usd" }, "ISO 4217"],
    ["currency extra key", f("currency"), { amount: "1", cur: "USD" }, "unexpected key cur"],
    ["currency abc", f("currency"), "abc", "expected an amount"],
    ["currency huge", f("currency"), "9000000000000.01", "out of range"],
    ["boolean string", f("boolean"), "true", "expected true or false"],
    ["boolean 1", f("boolean"), 1, "expected true or false"],
    ["date format", f("date"), "2024/01/05", "expected a date"],
    ["date impossible", f("date"), "2023-02-29", "expected a date"],
    ["datetime no zone", f("datetime"), "2024-01-05T10:00:00", "expected an ISO 8601"],
    ["picklist number", stage, 3, "expected an option value"],
    ["multi string", tags, "a", "expected an array"],
    ["relation number", f("relation", { relation: { object: "account" } }), 7, "expected a record id"],
    ["text with NUL", f("text"), "a\u0000b", "NUL character"],
    ["long text with NUL", f("long_text"), "x\u0000", "NUL character"],
    ["text with a lone high surrogate", f("text"), "x\ud800y", "unpaired surrogate"],
    ["text with a lone low surrogate", f("long_text"), "\udc00", "unpaired surrogate"],
  ];
  it.each(errors)("rejects %s", (_name, field, raw, reason) => {
    const r = parseFieldInput(field, raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});

describe("validateFieldValue", () => {
  const cases: [string, FieldDef, unknown, string | undefined][] = [
    ["text default max 255", f("text"), "a".repeat(256), "at most 255 characters"],
    ["text 255 ok", f("text"), "中".repeat(255), undefined],
    ["minLength", f("text", { validation: { minLength: 3 } }), "ab", "at least 3 characters"],
    ["pattern matches whole value", f("text", { validation: { pattern: "[A-Z]{2}\\d+" } }), "AB12x", "does not match"],
    ["pattern ok", f("text", { validation: { pattern: "[A-Z]{2}\\d+" } }), "AB12", undefined],
    ["integer min", f("integer", { validation: { min: 0 } }), -1, "must be at least 0"],
    ["percent max", f("percent", { validation: { max: 100 } }), 100.5, "must be at most 100"],
    ["currency min", f("currency", { validation: { min: 0 } }), { amount: "-0.01", currency: "USD" }, "must be at least 0"],
    ["picklist option", stage, "Lost", '"Lost" is not one of the options: Prospecting, Won'],
    ["multi options", tags, ["a", "z"], '"z" is not one of the options: a, b, c'],
    ["empty passes", f("text", { validation: { minLength: 3 } }), "", undefined],
  ];
  it.each(cases)("%s", (_n, field, value, reason) => {
    const r = validateFieldValue(field, value);
    if (reason === undefined) expect(r).toBeUndefined();
    else expect(r).toContain(reason);
  });
  it("parseAndValidate combines both", () => {
    expect(parseAndValidate(stage, "Lost")).toEqual({ ok: false, reason: '"Lost" is not one of the options: Prospecting, Won' });
  });
});

describe("encode / decode", () => {
  const amount = f("currency");
  amount.name = "amount";
  const owner = f("relation", { relation: { object: "user" } });
  owner.name = "owner";
  const cases: [string, FieldDef, Dialect, unknown, Record<string, unknown>][] = [
    ["sqlite boolean", f("boolean"), "sqlite", true, { x: 1 }],
    ["pg boolean", f("boolean"), "postgres", false, { x: false }],
    ["currency minor + code", amount, "sqlite", { amount: "1054.00", currency: "USD" }, { amount: 105400, amount_currency: "USD" }],
    ["currency JPY", amount, "postgres", { amount: "500", currency: "JPY" }, { amount: 500, amount_currency: "JPY" }],
    ["currency null", amount, "sqlite", null, { amount: null, amount_currency: null }],
    ["decimal scaled", f("decimal"), "sqlite", 10.25, { x: 1025 }],
    ["decimal negative scale 3", f("decimal", { scale: 3 }), "sqlite", -0.001, { x: -1 }],
    ["percent", f("percent"), "postgres", 12.5, { x: 1250 }],
    ["multi JSON", tags, "sqlite", ["a", "c"], { x: '["a","c"]' }],
    ["multi empty -> NULL", tags, "sqlite", [], { x: null }],
    ["relation column", owner, "sqlite", "u1", { owner_id: "u1" }],
    ["date", f("date"), "postgres", "2024-01-05", { x: "2024-01-05" }],
    ["datetime", f("datetime"), "sqlite", "2024-01-05T10:00:00.000Z", { x: "2024-01-05T10:00:00.000Z" }],
  ];
  it.each(cases)("%s", (_n, field, dialect, value, row) => {
    expect(encodeField(field, value, dialect)).toEqual(row);
    expect(decodeField(field, row, dialect)).toEqual(value);
  });

  const pgRows: [string, FieldDef, Record<string, unknown>, unknown][] = [
    ["int8 as string", f("integer"), { x: "9007199254740991" }, 9007199254740991],
    ["scaled as string", f("decimal"), { x: "-1025" }, -10.25],
    ["currency minor as string", amount, { amount: "105405", amount_currency: "USD" }, { amount: "1054.05", currency: "USD" }],
    ["currency missing code uses default", amount, { amount: 5 }, { amount: "0.05", currency: "USD" }],
    ["timestamptz string", f("datetime"), { x: "2024-01-05 10:00:00.5+00" }, "2024-01-05T10:00:00.500Z"],
    ["timestamptz with offset", f("datetime"), { x: "2024-01-05 18:00:00+08" }, "2024-01-05T10:00:00.000Z"],
    ["timestamptz Date", f("datetime"), { x: new Date("2024-01-05T10:00:00Z") }, "2024-01-05T10:00:00.000Z"],
    ["date string", f("date"), { x: "2024-01-05" }, "2024-01-05"],
    ["boolean t", f("boolean"), { x: "t" }, true],
    ["sqlite bigint", f("integer"), { x: 12n }, 12],
    ["null", f("integer"), { x: null }, null],
  ];
  it.each(pgRows)("decodes %s", (_n, field, row, value) => expect(decodeField(field, row, "postgres")).toEqual(value));
});

describe("formatField", () => {
  const cases: [string, FieldDef, unknown, "en" | "zh-CN", string][] = [
    ["USD en", f("currency"), { amount: "1054.00", currency: "USD" }, "en", "$1,054.00"],
    ["CNY zh", f("currency"), { amount: "1054.50", currency: "CNY" }, "zh-CN", "¥1,054.50"],
    ["JPY en", f("currency"), { amount: "1054", currency: "JPY" }, "en", "¥1,054"],
    ["integer", f("integer"), 1234567, "en", "1,234,567"],
    ["decimal", f("decimal"), 1234.5, "zh-CN", "1,234.5"],
    ["percent", f("percent"), 12.5, "en", "12.5%"],
    ["boolean zh", f("boolean"), true, "zh-CN", "是"],
    ["boolean en", f("boolean"), false, "en", "No"],
    ["date en", f("date"), "2024-01-05", "en", "Jan 5, 2024"],
    ["date zh", f("date"), "2024-01-05", "zh-CN", "2024年1月5日"],
    ["datetime zh", f("datetime"), "2024-01-05T10:00:00.000Z", "zh-CN", "2024年1月5日 10:00"],
    ["picklist zh label", stage, "Won", "zh-CN", "赢单"],
    ["multi en", tags, ["a", "b"], "en", "A, B"],
    ["multi zh", tags, ["a", "b"], "zh-CN", "标签a、标签b"],
    ["null", f("text"), null, "en", ""],
  ];
  it.each(cases)("%s", (_n, field, value, locale, out) => expect(formatField(field, value, locale)).toBe(out));
});

describe("maskValue", () => {
  const cases: [Parameters<typeof maskValue>[0], unknown, string | null][] = [
    ["person_name", "张三丰", "张**"],
    ["person_name", "John Doe", "J*** D**"],
    ["person_name", "李", "*"],
    ["phone", "13812345678", "138****5678"],
    ["phone", "138-1234-5678", "138****5678"],
    ["phone", "12345", "***45"],
    ["email", "john@example.com", "j***@example.com"],
    ["email", "张伟@例子.中国", "张***@例子.中国"],
    ["amount_range", 23000, "10K–50K"],
    ["amount_range", { amount: "10000.00", currency: "USD" }, "10K–50K"],
    ["amount_range", "999.99", "0–1K"],
    ["amount_range", 2_500_000, "1M–5M"],
    ["amount_range", 100_000_000, "100M+"],
    ["amount_range", -5, "<0"],
    ["text", "secret note", "s***"],
    ["text", "x", "***"],
    ["text", null, null],
  ];
  it.each(cases)("%s %j -> %s", (kind, value, out) => expect(maskValue(kind, value)).toBe(out));
});

describe("operatorsFor", () => {
  it.each<[FieldType, string[], string[]]>([
    ["text", ["contains", "eq", "is_empty"], ["lt", "has_any"]],
    ["currency", ["gte", "between", "in"], ["contains"]],
    ["date", ["in_last", "this_quarter", "between"], ["contains", "in"]],
    ["multi_picklist", ["has_any", "has_all"], ["eq"]],
    ["boolean", ["eq"], ["gt", "in"]],
    ["relation", ["eq", "in", "is_empty"], ["contains"]],
  ])("%s", (type, yes, no) => {
    const ops = operatorsFor(f(type));
    for (const op of yes) expect(ops).toContain(op);
    for (const op of no) expect(ops).not.toContain(op);
  });
});
