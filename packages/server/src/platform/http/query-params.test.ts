import { describe, expect, it } from "vitest";
import { isAppError, type ObjectDef } from "@revline/core";
import { parseAggregateQuery, parseGetQuery, parseListQuery } from "./query-params";

const deal: ObjectDef = {
  name: "deal",
  label: { en: "Deal", zh: "交易" },
  labelPlural: { en: "Deals", zh: "交易" },
  nameField: "name",
  fields: [
    { name: "name", type: "text", label: { en: "Name", zh: "名称" } },
    { name: "amount", type: "currency", label: { en: "Amount", zh: "金额" } },
    { name: "close_date", type: "date", label: { en: "Close", zh: "关闭" } },
    { name: "tags", type: "multi_picklist", label: { en: "Tags", zh: "标签" }, options: [] },
    { name: "account", type: "relation", relation: { object: "account" }, label: { en: "Account", zh: "客户" } },
  ],
};

function errorOf(fn: () => unknown): { fields: string[]; codes: (string | undefined)[] } {
  try {
    fn();
  } catch (e) {
    if (isAppError(e) && e.kind === "invalid") return { fields: e.details.map((d) => d.field), codes: e.details.map((d) => d.code) };
    throw e;
  }
  throw new Error("expected an invalid error");
}

describe("parseListQuery", () => {
  it("parses a full query string", () => {
    expect(
      parseListQuery(
        deal,
        { filter: '{"field":"name","op":"eq","value":"x"}', sort: "-amount,name", limit: "25", cursor: "abc_-=", fields: "name,amount", include: "account", deleted: "only" },
        "query",
      ),
    ).toEqual({
      filter: { field: "name", op: "eq", value: "x" },
      sort: [
        { field: "amount", desc: true },
        { field: "name", desc: false },
      ],
      limit: 25,
      cursor: "abc_-=",
      fields: ["name", "amount"],
      include: ["account"],
      deleted: "only",
    });
  });

  it("accepts a body with arrays and sort objects", () => {
    expect(parseListQuery(deal, { sort: [{ field: "close_date", desc: true }, "name"], fields: ["name"], limit: 1000 }, "body")).toEqual({
      sort: [
        { field: "close_date", desc: true },
        { field: "name", desc: false },
      ],
      fields: ["name"],
      limit: 1000,
    });
  });

  it("returns nothing for an empty query", () => {
    expect(parseListQuery(deal, {}, "query")).toEqual({});
  });

  it.each([
    [{ limit: "0" }, "limit", "out_of_range"],
    [{ limit: "1001" }, "limit", "out_of_range"],
    [{ limit: "99999999999999999999" }, "limit", "out_of_range"],
    [{ limit: "ten" }, "limit", "out_of_range"],
    [{ limit: "2.5" }, "limit", "out_of_range"],
    [{ limit: "-1" }, "limit", "out_of_range"],
    [{ sort: "nope" }, "sort", "unknown_field"],
    [{ sort: "-tags" }, "sort", "not_sortable"],
    [{ sort: "name,name" }, "sort", "duplicate"],
    [{ filter: "{not json" }, "filter", "invalid_json"],
    [{ filter: "[1,2]" }, "filter", "invalid_condition"],
    [{ filter: "42" }, "filter", "invalid_condition"],
    [{ fields: "name,ghost" }, "fields", "unknown_field"],
    [{ include: "name" }, "include", "not_relation"],
    [{ include: "ghost" }, "include", "unknown_field"],
    [{ deleted: "all" }, "deleted", "invalid_value"],
    [{ cursor: "a b" }, "cursor", "invalid_cursor"],
    [{ page: "2" }, "page", "unknown_parameter"],
    [{ limit: ["1", "2"] }, "limit", "duplicate_parameter"],
  ])("rejects %j as %s (%s)", (query, field, code) => {
    const err = errorOf(() => parseListQuery(deal, query, "query"));
    expect(err.fields).toContain(field);
    expect(err.codes).toContain(code);
  });

  it("rejects wrong types in a body", () => {
    expect(errorOf(() => parseListQuery(deal, { limit: "5000" }, "body")).fields).toEqual(["limit"]);
    expect(errorOf(() => parseListQuery(deal, { fields: 3 }, "body")).fields).toEqual(["fields"]);
    expect(errorOf(() => parseListQuery(deal, { sort: [{ field: "name", desc: "yes" }] }, "body")).fields).toEqual(["sort"]);
    expect(errorOf(() => parseListQuery(deal, [1], "body")).fields).toEqual(["body"]);
  });

  it("reports every problem at once", () => {
    expect(errorOf(() => parseListQuery(deal, { limit: "0", sort: "ghost" }, "query")).fields.sort()).toEqual(["limit", "sort"]);
  });
});

describe("parseGetQuery", () => {
  it("parses fields and include", () => {
    expect(parseGetQuery(deal, { fields: "name", include: "account" })).toEqual({ fields: ["name"], include: ["account"] });
  });
  it("rejects other parameters", () => {
    expect(errorOf(() => parseGetQuery(deal, { limit: "3" })).fields).toEqual(["limit"]);
  });
});

describe("parseAggregateQuery", () => {
  it("parses groupBy with buckets and metrics", () => {
    expect(parseAggregateQuery(deal, { groupBy: "name,close_date:month", metrics: "count,sum:amount" }, "query")).toEqual({
      groupBy: [{ field: "name" }, { field: "close_date", bucket: "month" }],
      metrics: [{ fn: "count" }, { fn: "sum", field: "amount" }],
    });
  });

  it("defaults to count with no groups", () => {
    expect(parseAggregateQuery(deal, {}, "query")).toEqual({ groupBy: [], metrics: [{ fn: "count" }] });
  });

  it("accepts the JSON body form", () => {
    expect(parseAggregateQuery(deal, { groupBy: [{ field: "close_date", bucket: "year" }], metrics: [{ fn: "max", field: "amount" }] }, "body")).toEqual({
      groupBy: [{ field: "close_date", bucket: "year" }],
      metrics: [{ fn: "max", field: "amount" }],
    });
  });

  it.each([
    [{ groupBy: "name,close_date,amount" }, "groupBy", "too_many"],
    [{ groupBy: "ghost" }, "groupBy", "unknown_field"],
    [{ groupBy: "name:month" }, "groupBy", "invalid_bucket"],
    [{ groupBy: "close_date:week" }, "groupBy", "invalid_value"],
    [{ metrics: "median:amount" }, "metrics", "invalid_value"],
    [{ metrics: "sum" }, "metrics", "missing_field"],
    [{ metrics: "sum:ghost" }, "metrics", "unknown_field"],
    [{ filter: "nope" }, "filter", "invalid_json"],
    [{ limit: "3" }, "limit", "unknown_parameter"],
  ])("rejects %j as %s (%s)", (query, field, code) => {
    const err = errorOf(() => parseAggregateQuery(deal, query, "query"));
    expect(err.fields).toContain(field);
    expect(err.codes).toContain(code);
  });
});
