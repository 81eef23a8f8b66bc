import { describe, expect, it } from "vitest";
import type { Condition, FieldDef, ObjectDef } from "@revline/core";
import { describeCondition, pathsOf, resolvePath } from "./row-condition";

const f = (name: string, en: string, zh: string, extra: Partial<FieldDef> = {}): FieldDef => ({ name, type: "text", label: { en, zh }, ...extra });
const rel = (name: string, en: string, zh: string, object: string) => f(name, en, zh, { type: "relation", relation: { object } });
const obj = (name: string, fields: FieldDef[]): ObjectDef => ({ name, label: { en: name, zh: name }, labelPlural: { en: name, zh: name }, nameField: "name", fields });

const objects = [
  obj("opportunity", [f("name", "Name", "名称"), rel("owner", "Owner", "负责人", "user"), rel("region", "Region", "区域", "region"), f("stage", "Stage", "阶段", { type: "picklist" })]),
  obj("user", [f("name", "Name", "姓名"), rel("team", "Team", "团队", "team")]),
  obj("team", [f("name", "Name", "名称")]),
  obj("region", [f("name", "Name", "名称")]),
];
const meta = (n: string) => objects.find((o) => o.name === n);
const opportunity = meta("opportunity")!;

// The seeded sales rep rule (migration 006): own records, or the owner's team within my teams.
const repRule: Condition = { any: [{ field: "owner", op: "eq", value: { $actor: "id" } }, { field: "owner.team", op: "in", value: { $actor: "teams" } }] };

describe("row condition helpers", () => {
  it("resolves relation paths to the last field and a label path", () => {
    expect(resolvePath(opportunity, meta, "owner.team", "en")).toMatchObject({ def: { name: "team" }, label: "Owner › Team" });
    expect(resolvePath(opportunity, meta, "owner.team", "zh-CN")?.label).toBe("负责人 › 团队");
    expect(resolvePath(opportunity, meta, "owner.nope", "en")).toBeUndefined();
    expect(resolvePath(opportunity, meta, "stage.name", "en")).toBeUndefined();
  });

  it("lists the paths a condition names", () => {
    expect(pathsOf(repRule)).toEqual(["owner", "owner.team"]);
    expect(pathsOf({ not: { all: [{ field: "region", op: "eq", value: { $actor: "partner" } }, { field: "stage", op: "is_empty" }] } })).toEqual(["region", "stage"]);
    expect(pathsOf(null)).toEqual([]);
  });

  const cases: [string, Condition, string, string][] = [
    ["seeded rep rule", repRule, "Owner is Current user or Owner › Team is any of My teams (with sub-teams)", "负责人 是 当前用户 或 负责人 › 团队 属于 我的团队（含下级团队）"],
    ["partner region", { field: "region", op: "eq", value: { $actor: "partner" } }, "Region is My partner region", "区域 是 我的合作伙伴区域"],
    [
      "nested group and list",
      { all: [{ field: "stage", op: "in", value: ["Won", "Lost"] }, { any: [{ field: "owner", op: "in", value: { $actor: "subordinates" } }, { field: "name", op: "is_empty" }] }] },
      "Stage is any of Won, Lost and (Owner is any of My subordinates or Name is empty)",
      "阶段 属于 Won, Lost 且 (负责人 属于 我的下属 或 名称 为空)",
    ],
    ["not", { not: { field: "name", op: "contains", value: "test" } }, "not (Name contains test)", "非 (名称 包含 test)"],
  ];
  it.each(cases)("describes %s in words", (_name, cond, en, zh) => {
    expect(describeCondition(cond, opportunity, meta, "en")).toBe(en);
    expect(describeCondition(cond, opportunity, meta, "zh-CN")).toBe(zh);
  });
});
