/**
 * The condition builder: react-querybuilder with Ant Design controls, editing a core Condition.
 * Fields, labels (zh/en) and operators come from metadata and core's field types, so the builder
 * offers exactly what the server accepts. Relation fields also offer their target's name field
 * ("Account › Name" -> account.name).
 */
import { operatorsFor, type Condition, type FieldDef, type MetadataLookup, type ObjectDef, type Operator } from "@revline/core";
import { QueryBuilderAntD } from "@react-querybuilder/antd";
import { useEffect, useMemo, useRef, useState } from "react";
import { QueryBuilder, type Field, type RuleGroupType } from "react-querybuilder";
import { conditionFromQuery, queryFromCondition } from "./condition-query";
import { ConditionValueEditor, type BuilderLocale } from "./condition-value-editor";

export type ConditionBuilderProps = {
  object: ObjectDef;
  meta: MetadataLookup;
  value: Condition | undefined;
  onChange: (cond: Condition | undefined) => void;
  locale: BuilderLocale;
};

const OPERATOR_LABELS: Record<Operator, [string, string]> = {
  eq: ["is", "等于"], ne: ["is not", "不等于"], lt: ["<", "小于"], lte: ["≤", "小于等于"], gt: [">", "大于"], gte: ["≥", "大于等于"],
  between: ["between", "介于"], in: ["is any of", "属于"], nin: ["is none of", "不属于"],
  contains: ["contains", "包含"], not_contains: ["does not contain", "不包含"], starts_with: ["starts with", "开头是"], ends_with: ["ends with", "结尾是"],
  is_empty: ["is empty", "为空"], is_not_empty: ["is not empty", "不为空"], in_last: ["in the last", "过去"], in_next: ["in the next", "未来"],
  today: ["is today", "今天"], this_week: ["this week", "本周"], this_month: ["this month", "本月"], this_quarter: ["this quarter", "本季度"], this_year: ["this year", "今年"],
  has_any: ["has any of", "包含任一"], has_all: ["has all of", "包含全部"],
};

const labelOf = (l: { en: string; zh: string }, locale: BuilderLocale) => (locale === "zh-CN" ? l.zh : l.en);
// Hidden from the picker: bookkeeping columns nobody filters on.
const HIDDEN = new Set(["id", "version", "deleted_at", "updated_by"]);

function toField(def: FieldDef, name: string, label: string, locale: BuilderLocale): Field {
  return {
    name,
    label,
    operators: operatorsFor(def).map((op) => ({ name: op, value: op, label: OPERATOR_LABELS[op][locale === "zh-CN" ? 1 : 0] })),
    fieldDef: def,
  };
}

export function builderFields(object: ObjectDef, meta: MetadataLookup, locale: BuilderLocale): Field[] {
  // Masked fields cannot be filtered on (a filter would reveal them bit by bit): the server refuses them.
  const own = [...object.fields.filter((f) => !HIDDEN.has(f.name) && f.access !== "masked")];
  for (const sys of ["created_at", "updated_at", "created_by"]) {
    if (!own.some((f) => f.name === sys)) {
      const def = { name: sys, type: sys === "created_by" ? "relation" : "datetime", label: { en: sys === "created_at" ? "Created at" : sys === "updated_at" ? "Updated at" : "Created by", zh: sys === "created_at" ? "创建时间" : sys === "updated_at" ? "更新时间" : "创建人" }, isSystem: true, ...(sys === "created_by" ? { relation: { object: "user" } } : {}) } as FieldDef;
      own.push(def);
    }
  }
  const out: Field[] = [];
  for (const def of own) {
    out.push(toField(def, def.name, labelOf(def.label, locale), locale));
    if (def.type === "relation" && def.relation) {
      const target = meta(def.relation.object);
      const nameDef = target?.fields.find((f) => f.name === target.nameField);
      if (target && nameDef && nameDef.access !== "masked") out.push(toField(nameDef, `${def.name}.${nameDef.name}`, `${labelOf(def.label, locale)} › ${labelOf(nameDef.label, locale)}`, locale));
    }
  }
  return out;
}

/** The AND/OR choice and button texts of every condition builder (list filters, row conditions). */
export const builderCombinators = (zh: boolean) => [
  { name: "and", value: "and", label: zh ? "满足全部" : "All of" },
  { name: "or", value: "or", label: zh ? "满足任一" : "Any of" },
];
export const builderTranslations = (zh: boolean) => ({
  addRule: { label: zh ? "+ 条件" : "+ Condition", title: zh ? "添加条件" : "Add condition" },
  addGroup: { label: zh ? "+ 条件组" : "+ Group", title: zh ? "添加条件组" : "Add group" },
  removeRule: { label: "×", title: zh ? "删除" : "Remove" },
  removeGroup: { label: "×", title: zh ? "删除条件组" : "Remove group" },
  notToggle: { label: zh ? "取反" : "Not", title: zh ? "取反" : "Invert" },
});

export function ConditionBuilder({ object, meta, value, onChange, locale }: ConditionBuilderProps) {
  const fields = useMemo(() => builderFields(object, meta, locale), [object, meta, locale]);
  const [query, setQuery] = useState<RuleGroupType>(() => queryFromCondition(value));
  const lastEmitted = useRef<string>(JSON.stringify(value ?? null));

  // A value set from outside (saved view, reset) replaces the query; our own echoes do not.
  useEffect(() => {
    const incoming = JSON.stringify(value ?? null);
    if (incoming !== lastEmitted.current) {
      lastEmitted.current = incoming;
      setQuery(queryFromCondition(value));
    }
  }, [value]);

  const zh = locale === "zh-CN";
  return (
    <QueryBuilderAntD>
      <QueryBuilder
        fields={fields}
        query={query}
        onQueryChange={(q: RuleGroupType) => {
          setQuery(q);
          const cond = conditionFromQuery(q);
          lastEmitted.current = JSON.stringify(cond ?? null);
          onChange(cond);
        }}
        combinators={builderCombinators(zh)}
        controlElements={{ valueEditor: ConditionValueEditor }}
        context={{ locale }}
        showNotToggle
        resetOnOperatorChange
        translations={builderTranslations(zh)}
      />
    </QueryBuilderAntD>
  );
}
