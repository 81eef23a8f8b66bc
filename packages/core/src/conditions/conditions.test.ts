import { describe, expect, it } from "vitest";
import { isAppError } from "../errors";
import type { FieldDef, ObjectDef } from "../metadata/types";
import { evaluateCondition, type EvalEnv, type RecordValues } from "./evaluate";
import { validateCondition } from "./validate";
import type { Condition } from "./types";

const L = (en: string) => ({ en, zh: en });
const fld = (name: string, type: FieldDef["type"], extra: Partial<FieldDef> = {}): FieldDef => ({ name, type, label: L(name), ...extra });
const obj = (name: string, fields: FieldDef[]): ObjectDef => ({ name, label: L(name), labelPlural: L(name), nameField: "name", fields });

const user = obj("user", [fld("name", "text"), fld("region", "relation", { relation: { object: "region" } }), fld("manager", "relation", { relation: { object: "user" } })]);
const region = obj("region", [fld("name", "text"), fld("code", "text")]);
const account = obj("account", [fld("name", "text"), fld("owner", "relation", { relation: { object: "user" } }), fld("parent_account", "relation", { relation: { object: "account" } })]);
const opportunity = obj("opportunity", [
  fld("name", "text"),
  fld("stage", "picklist", { options: ["Prospecting", "Engaging", "Won", "Lost"].map((v) => ({ value: v, label: L(v) })) }),
  fld("amount", "currency", { currency: "USD" }),
  fld("close_date", "date"),
  fld("closed_at", "datetime"),
  fld("probability", "percent"),
  fld("quantity", "decimal", { scale: 3 }),
  fld("employees", "integer"),
  fld("is_key", "boolean"),
  fld("tags", "multi_picklist", { options: ["a", "b", "c"].map((v) => ({ value: v, label: L(v) })) }),
  fld("account", "relation", { relation: { object: "account" } }),
  fld("region", "relation", { relation: { object: "region" } }),
]);
const objects = [user, region, account, opportunity];
const meta = (n: string) => objects.find((o) => o.name === n);

function errorsOf(raw: unknown): { field: string; reason: string }[] {
  try {
    validateCondition(raw, opportunity, meta);
  } catch (e) {
    if (isAppError(e)) return e.details.map((d) => ({ field: d.field, reason: d.reason }));
    throw e;
  }
  return [];
}

describe("validateCondition", () => {
  it("caps the values of all lists together at 5000, with one error naming the first list over", () => {
    // 5 lists of 1000 = 5000: allowed.
    const textList = (k: number) => ({ field: "name", op: "in", value: Array.from({ length: 1000 }, (_, i) => `n${k}-${i}`) });
    expect(() => validateCondition({ any: [0, 1, 2, 3, 4].map(textList) }, opportunity, meta)).not.toThrow();
    expect(errorsOf({ any: [0, 1, 2, 3, 4, 5, 6].map(textList) })).toEqual([
      { field: "any[5].value", reason: "a condition may list at most 5000 values in all (in, nin, has_any, has_all together)" },
    ]);
  });

  it("accepts the architecture example", () => {
    const c = { all: [{ field: "stage", op: "in", value: ["Engaging", "Won"] }, { field: "amount", op: "gte", value: 100000 }, { field: "account.owner.region", op: "eq", value: { $actor: "region" } }] };
    expect(validateCondition(c, opportunity, meta)).toEqual(c);
  });
  const cases: [string, unknown, string, string][] = [
    ["unknown field with close names", { all: [{ field: "stage", op: "eq", value: "Won" }, { field: "stag", op: "eq", value: "Won" }] }, "all[1].field", "did you mean stage"],
    ["operator not allowed", { field: "employees", op: "contains", value: "x" }, "op", 'operator "contains" is not allowed for integer'],
    ["unknown operator", { field: "employees", op: "like", value: "x" }, "op", 'unknown operator "like"'],
    ["wrong value type", { any: [{ field: "employees", op: "gt", value: "10" }] }, "any[0].value", "expected a whole number"],
    ["too many decimals", { field: "amount", op: "gt", value: "10.001" }, "value", "at most 2 decimal places"],
    ["picklist option", { not: { field: "stage", op: "in", value: ["Won", "won"] } }, "not.value[1]", '"won" is not one of the options'],
    ["path through non-relation", { field: "name.x", op: "eq", value: "a" }, "field", "is not a relation field"],
    ["unknown field in path", { field: "account.ownr.name", op: "eq", value: "a" }, "field", "did you mean owner"],
    ["too deep", { field: "account.parent_account.parent_account.owner.name", op: "eq", value: "a" }, "field", "at most 3"],
    ["unknown $actor", { field: "region", op: "eq", value: { $actor: "regoin" } }, "value", "unknown $actor variable \"regoin\""],
    ["missing value", { field: "name", op: "eq" }, "value", "use is_empty"],
    ["value on is_empty", { field: "name", op: "is_empty", value: "x" }, "value", "takes no value"],
    ["between empty", { field: "close_date", op: "between", value: {} }, "value", "needs"],
    ["between bad date", { field: "close_date", op: "between", value: { from: "2024-13-01" } }, "value.from", "expected a date"],
    ["relative date", { field: "close_date", op: "in_last", value: { amount: 3, unit: "fortnight" } }, "value", "unit"],
    ["extra key", { field: "name", op: "eq", value: "a", x: 1 }, "condition", "unexpected key x"],
    ["garbage node", { all: [42] }, "all[0]", "expected an object"],
    ["all not array", { all: {} }, "all", "expected an array"],
    ["empty contains", { field: "name", op: "contains", value: "" }, "value", "non-empty"],
  ];
  it.each(cases)("%s", (_n, raw, field, reason) => {
    const errs = errorsOf(raw);
    expect(errs.length).toBeGreaterThan(0);
    expect(errs[0]!.field).toBe(field);
    expect(errs[0]!.reason).toContain(reason);
  });
});

// Monday 2024-03-04 is the start of the week containing Wednesday 2024-03-06.
const now = new Date("2024-03-06T15:30:00.000Z");
const regions: RecordValues[] = [{ id: "r1", name: "North" }, { id: "r2", name: "South", deleted_at: "2024-01-01T00:00:00.000Z" }];
const users: RecordValues[] = [{ id: "u1", name: "Émile", region: "r1" }, { id: "u2", name: "张伟", region: "r2" }];
const accounts: RecordValues[] = [{ id: "a1", name: "Acme", owner: "u1" }, { id: "a2", name: "Beta", owner: "u2" }, { id: "a3", name: "Gone", owner: "u1", deleted_at: "2024-01-01T00:00:00.000Z" }];
const store: Record<string, RecordValues[]> = { region: regions, user: users, account: accounts };
const env: EvalEnv = { object: opportunity, meta, now, actor: { attrs: { id: "u1", region: "r1", teams: ["t1", "t2"] } }, related: (o, id) => store[o]?.find((r) => r.id === id) };

const rec = (v: RecordValues): RecordValues => ({ name: null, stage: null, amount: null, close_date: null, closed_at: null, probability: null, quantity: null, employees: null, is_key: null, tags: [], account: null, region: null, ...v });
const money = (amount: string, currency = "USD") => ({ amount, currency });

describe("evaluateCondition", () => {
  const cases: [string, Condition, RecordValues, boolean][] = [
    // null handling: two-valued, null satisfies only ne / nin / not_contains / is_empty
    ["null eq", { field: "name", op: "eq", value: "a" }, rec({}), false],
    ["null ne", { field: "name", op: "ne", value: "a" }, rec({}), true],
    ["null nin", { field: "stage", op: "nin", value: ["Won"] }, rec({}), true],
    ["null in", { field: "stage", op: "in", value: ["Won"] }, rec({}), false],
    ["null lt", { field: "employees", op: "lt", value: 5 }, rec({}), false],
    ["not(null lt)", { not: { field: "employees", op: "lt", value: 5 } }, rec({}), true],
    ["null not_contains", { field: "name", op: "not_contains", value: "x" }, rec({}), true],
    ["null contains", { field: "name", op: "contains", value: "x" }, rec({}), false],
    ["is_empty null", { field: "name", op: "is_empty" }, rec({}), true],
    ["is_empty ''", { field: "name", op: "is_empty" }, rec({ name: "" }), true],
    ["is_not_empty ''", { field: "name", op: "is_not_empty" }, rec({ name: "" }), false],
    ["is_empty multi []", { field: "tags", op: "is_empty" }, rec({ tags: [] }), true],
    // text: eq exact, contains family case-insensitive incl. non-ASCII
    ["eq is case-sensitive", { field: "name", op: "eq", value: "acme" }, rec({ name: "Acme" }), false],
    ["contains folds case", { field: "name", op: "contains", value: "CM" }, rec({ name: "Acme" }), true],
    ["contains É", { field: "name", op: "contains", value: "émi" }, rec({ name: "ÉMILE" }), true],
    ["starts_with 中文", { field: "name", op: "starts_with", value: "张" }, rec({ name: "张伟" }), true],
    ["ends_with", { field: "name", op: "ends_with", value: "ME" }, rec({ name: "Acme" }), true],
    ["contains % literally", { field: "name", op: "contains", value: "%" }, rec({ name: "Acme" }), false],
    // numbers, decimals, currency
    ["currency gte", { field: "amount", op: "gte", value: 100000 }, rec({ amount: money("100000.00") }), true],
    ["currency gt string", { field: "amount", op: "gt", value: "99.99" }, rec({ amount: money("99.99") }), false],
    ["currency JPY compared by amount", { field: "amount", op: "gt", value: 10 }, rec({ amount: money("500", "JPY") }), true],
    ["currency KWD", { field: "amount", op: "eq", value: "1.5" }, rec({ amount: money("1.500", "KWD") }), true],
    ["percent between", { field: "probability", op: "between", value: { from: 10, to: 12.5 } }, rec({ probability: 12.5 }), true],
    ["decimal eq", { field: "quantity", op: "eq", value: "0.001" }, rec({ quantity: 0.001 }), true],
    ["integer in", { field: "employees", op: "in", value: [1, 2, 3] }, rec({ employees: 2 }), true],
    ["boolean eq false", { field: "is_key", op: "eq", value: false }, rec({ is_key: false }), true],
    ["boolean ne true on null", { field: "is_key", op: "ne", value: true }, rec({}), true],
    // multi picklist
    ["has_any", { field: "tags", op: "has_any", value: ["b", "c"] }, rec({ tags: ["a", "c"] }), true],
    ["has_all", { field: "tags", op: "has_all", value: ["a", "b"] }, rec({ tags: ["a", "c"] }), false],
    // relative dates (UTC, Monday weeks) with now = Wed 2024-03-06 15:30Z
    ["today date", { field: "close_date", op: "today" }, rec({ close_date: "2024-03-06" }), true],
    ["this_week starts Monday", { field: "close_date", op: "this_week" }, rec({ close_date: "2024-03-04" }), true],
    ["this_week excludes prior Sunday", { field: "close_date", op: "this_week" }, rec({ close_date: "2024-03-03" }), false],
    ["this_week includes Sunday", { field: "close_date", op: "this_week" }, rec({ close_date: "2024-03-10" }), true],
    ["this_quarter", { field: "close_date", op: "this_quarter" }, rec({ close_date: "2024-01-01" }), true],
    ["this_month datetime end exclusive", { field: "closed_at", op: "this_month" }, rec({ closed_at: "2024-04-01T00:00:00.000Z" }), false],
    ["this_year datetime", { field: "closed_at", op: "this_year" }, rec({ closed_at: "2024-12-31T23:59:59.999Z" }), true],
    ["in_last 30 days (date, inclusive)", { field: "close_date", op: "in_last", value: { amount: 30, unit: "day" } }, rec({ close_date: "2024-02-05" }), true],
    ["in_last 30 days too old", { field: "close_date", op: "in_last", value: { amount: 30, unit: "day" } }, rec({ close_date: "2024-02-04" }), false],
    ["in_next 1 month", { field: "close_date", op: "in_next", value: { amount: 1, unit: "month" } }, rec({ close_date: "2024-04-06" }), true],
    ["in_last 1 day datetime", { field: "closed_at", op: "in_last", value: { amount: 1, unit: "day" } }, rec({ closed_at: "2024-03-05T15:30:00.000Z" }), true],
    ["in_last 1 day datetime, 1 ms older", { field: "closed_at", op: "in_last", value: { amount: 1, unit: "day" } }, rec({ closed_at: "2024-03-05T15:29:59.999Z" }), false],
    ["datetime gt a date", { field: "closed_at", op: "gt", value: "2024-03-05" }, rec({ closed_at: "2024-03-05T00:00:00.001Z" }), true],
    // paths and $actor
    ["path", { field: "account.owner.name", op: "eq", value: "Émile" }, rec({ account: "a1" }), true],
    ["path to a deleted record is false", { field: "account.name", op: "eq", value: "Gone" }, rec({ account: "a3" }), false],
    ["path ne with no related record is false", { field: "account.name", op: "ne", value: "x" }, rec({}), false],
    ["path is_empty with no related record is false", { field: "account.name", op: "is_empty" }, rec({}), false],
    ["path 3 hops", { field: "account.owner.region", op: "eq", value: { $actor: "region" } }, rec({ account: "a1" }), true],
    ["$actor eq", { field: "region", op: "eq", value: { $actor: "region" } }, rec({ region: "r1" }), true],
    ["$actor missing fails closed, even ne", { field: "region", op: "ne", value: { $actor: "partner" } }, rec({ region: "r1" }), false],
    ["$actor array eq acts as in", { field: "name", op: "eq", value: { $actor: "teams" } }, rec({ name: "t2" }), true],
    ["$actor array ne acts as nin", { field: "name", op: "ne", value: { $actor: "teams" } }, rec({ name: "t3" }), true],
    // combinators
    ["all []", { all: [] }, rec({}), true],
    ["any []", { any: [] }, rec({}), false],
    ["any", { any: [{ field: "stage", op: "eq", value: "Won" }, { field: "employees", op: "gt", value: 5 }] }, rec({ employees: 6 }), true],
  ];
  it.each(cases)("%s", (_n, cond, record, expected) => {
    validateCondition(cond, opportunity, meta);
    expect(evaluateCondition(cond, record, env)).toBe(expected);
  });
});
